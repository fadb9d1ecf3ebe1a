import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.ts';
import type { ChannelSender, OutgoingMessage, SendOutcome } from '../campaigns/channel-sender.ts';
import { signatureHeader } from '../webhooks/webhook-signature.ts';

// SMS, push and in-app messages leave as a signed POST to the endpoint the program configured for
// the channel (ADR 0025). The body is JSON; `Idempotency-Key` carries the message id, the same on
// every attempt, and `Narrowcast-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>` lets
// the receiver check it came from us (the format of ADR 0021). A 2xx answer is a send; 408, 429,
// 5xx, a redirect (never followed: the signed body goes only to the configured URL), a network
// error or no answer in time are retried; any other 4xx is the receiver's final word.

/** How long the worker waits for an endpoint's answer, in milliseconds. */
export const DEFAULT_WEBHOOK_CHANNEL_TIMEOUT_MS = 10_000;

/** The JSON body an endpoint receives. */
export interface WebhookChannelPayload {
  id: string;
  programId: string;
  campaign: string;
  channel: string;
  memberId: string;
  recipient: string;
  subject: string | null;
  body: string;
  unsubscribeUrl: string;
}

/**
 * A sender for the webhook channels. The endpoint and secret are read per message, so a change of
 * settings takes effect at once; a message whose program has no endpoint for its channel is not
 * claimed by the worker (it waits), so reaching here without one is a retryable failure.
 */
export function createWebhookChannelSender(
  db: Kysely<Schema>,
  options: { timeoutMs?: number; clock?: () => Date } = {},
): ChannelSender {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_CHANNEL_TIMEOUT_MS;
  const clock = options.clock ?? (() => new Date());
  return {
    async send(message: OutgoingMessage): Promise<SendOutcome> {
      const endpoint = await db
        .selectFrom('delivery_channels')
        .select(['endpoint_url', 'secret'])
        .where('program_id', '=', message.programId)
        .where('channel', '=', message.channel)
        .executeTakeFirst();
      if (!endpoint?.endpoint_url || !endpoint.secret) {
        return { ok: false, retryable: true, error: `no ${message.channel} endpoint is configured` };
      }
      const payload: WebhookChannelPayload = {
        id: message.idempotencyKey,
        programId: message.programId,
        campaign: message.campaign,
        channel: message.channel,
        memberId: message.memberId,
        recipient: message.recipient,
        subject: message.subject,
        body: message.body,
        unsubscribeUrl: message.unsubscribeUrl,
      };
      const body = JSON.stringify(payload);
      const where = safeUrl(endpoint.endpoint_url);
      let response: Response;
      try {
        response = await fetch(endpoint.endpoint_url, {
          method: 'POST',
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Narrowcast-Delivery/1',
            'idempotency-key': message.idempotencyKey,
            'narrowcast-signature': signatureHeader(
              endpoint.secret,
              body,
              Math.floor(clock().getTime() / 1000),
            ),
          },
          body,
        });
      } catch (error) {
        const reason =
          (error as Error).name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : 'network error';
        return { ok: false, retryable: true, error: `${reason} from ${where}` };
      }
      const text = await response.text().catch(() => '');
      if (response.status >= 200 && response.status < 300) {
        return { ok: true, providerId: providerId(text) ?? `${message.channel}:${message.idempotencyKey}` };
      }
      const retryable =
        response.status >= 500 || response.status === 408 || response.status === 429 || response.status < 400;
      return { ok: false, retryable, error: `HTTP ${response.status} from ${where}` };
    },
  };
}

/** The receiver's id for the message, when it answered `{ "id": "..." }`. */
function providerId(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { id?: unknown };
    return typeof parsed.id === 'string' && parsed.id.length <= 200 ? parsed.id : undefined;
  } catch {
    return undefined;
  }
}

/** The endpoint without query or credentials, fit for an error message or a log line. */
function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return 'the endpoint';
  }
}
