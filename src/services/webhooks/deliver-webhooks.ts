import {
  type ClaimedDelivery,
  claimDueDeliveries,
  markDelivered,
  markFailed,
} from '../../db/queries/webhook-deliveries.ts';
import type { Deps } from '../deps.ts';
import { DEFAULT_DELIVERY_POLICY, type DeliveryPolicy, retryDelayMs } from './retry-policy.ts';
import { signatureHeader } from './webhook-signature.ts';

/** What one round of delivery did. */
export interface DeliveryRound {
  claimed: number;
  delivered: number;
  /** Failed this time and scheduled again. */
  retrying: number;
  /** Failed for the last allowed time: recorded, not retried. */
  gaveUp: number;
}

export interface DeliverOptions {
  /** Only this program's deliveries; every program's when not given (the worker in `serve`). */
  programId?: string | undefined;
  policy?: Partial<DeliveryPolicy>;
  /** Jitter source in [0, 1); Math.random unless a test fixes it. */
  random?: () => number;
}

/** Longest error text kept on a delivery row. */
const MAX_ERROR_LENGTH = 500;

/**
 * One round of the webhook outbox: claims due deliveries (other workers skip them), POSTs each
 * payload signed with its webhook's secret, and records the outcome. A 2xx answer delivers; any
 * other answer, a network error or a timeout schedules a retry with backoff, until the last
 * allowed attempt, which is recorded as given up. A worker that dies after sending but before
 * recording leaves the row claimed until its lease ends, after which it is sent again: delivery is
 * at least once, and the `Idempotency-Key` (the delivery id, the same on every attempt) lets a
 * receiver drop the repeat.
 */
export async function deliverWebhooks(deps: Deps, options: DeliverOptions = {}): Promise<DeliveryRound> {
  const policy = { ...DEFAULT_DELIVERY_POLICY, ...options.policy };
  const random = options.random ?? Math.random;
  const now = deps.clock();
  // The lease outlasts the request timeout, so a slow receiver is not sent the same row twice at once.
  const leaseUntil = new Date(now.getTime() + policy.timeoutMs * 3 + 30_000);
  const claimed = await claimDueDeliveries(deps.db, {
    now,
    leaseUntil,
    limit: policy.batchSize,
    maxAttempts: policy.maxAttempts,
    programId: options.programId,
  });
  const round: DeliveryRound = { claimed: claimed.length, delivered: 0, retrying: 0, gaveUp: 0 };
  const delivered: string[] = [];
  await Promise.all(
    claimed.map(async (delivery) => {
      const failure = await send(delivery, now, policy.timeoutMs);
      const settledAt = deps.clock();
      if (failure === undefined) {
        delivered.push(delivery.id);
        return;
      }
      const attempts = delivery.attempts + 1;
      const last = attempts >= policy.maxAttempts;
      const nextAttemptAt = new Date(settledAt.getTime() + retryDelayMs(attempts, policy, random));
      await markFailed(deps.db, {
        id: delivery.id,
        error: (last ? `gave up after ${attempts} attempts: ${failure}` : failure).slice(0, MAX_ERROR_LENGTH),
        nextAttemptAt,
      });
      const fields = { deliveryId: delivery.id, webhookId: delivery.webhookId, attempts, error: failure };
      if (last) {
        round.gaveUp++;
        deps.log.warn('webhook delivery given up', fields);
      } else {
        round.retrying++;
        deps.log.info('webhook delivery failed; will retry', {
          ...fields,
          nextAttemptAt: nextAttemptAt.toISOString(),
        });
      }
    }),
  );
  // Successes are recorded together: one statement per round instead of one per delivery.
  await markDelivered(deps.db, { ids: delivered, at: deps.clock() });
  round.delivered = delivered.length;
  return round;
}

/** POSTs one delivery; undefined on a 2xx answer, else why it failed. */
async function send(delivery: ClaimedDelivery, now: Date, timeoutMs: number): Promise<string | undefined> {
  const body = JSON.stringify(delivery.payload);
  try {
    const response = await fetch(delivery.url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Narrowcast-Webhooks/1',
        'narrowcast-signature': signatureHeader(delivery.secret, body, Math.floor(now.getTime() / 1000)),
        'idempotency-key': delivery.id,
      },
      // A redirect is a failure, not a hop: the signed body goes only where it was registered to go.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return response.status >= 200 && response.status < 300 ? undefined : `HTTP ${response.status}`;
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError')
      return `no answer within ${timeoutMs} ms`;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? (error as Error).message;
  }
}
