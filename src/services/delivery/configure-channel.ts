import { randomBytes } from 'node:crypto';
import {
  ChannelSettingsChange,
  type ChannelSettingsResult,
  type ChannelSettingsView,
  WebhookChannel,
} from '../../contracts/delivery.ts';
import { AppError } from '../../contracts/errors.ts';
import { Channel } from '../../contracts/records.ts';
import type { DeliveryChannelsTable } from '../../db/schema.ts';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';
import { parseBody } from '../segment-definitions/definition-input.ts';

/**
 * Changes one channel's delivery settings: its rate limit and, for SMS, push and in-app, the
 * endpoint the worker POSTs signed messages to. A signing secret (`chsec_` + 256 random bits) is
 * made when an endpoint is first set or `rotateSecret` asks; it is returned this once and kept in
 * clear, because signing needs it (ADR 0021). Callers check the `manage` scope.
 */
export async function configureChannel(
  deps: Pick<Deps, 'db' | 'clock'>,
  { programId, channel, input }: { programId: string; channel: string; input: unknown },
): Promise<ChannelSettingsResult> {
  const parsedChannel = Channel.safeParse(channel);
  if (!parsedChannel.success)
    throw new AppError('INVALID_INPUT', `channel must be one of ${Channel.options.join(', ')}`);
  const change = parseBody(ChannelSettingsChange, input, 'the channel settings');
  const isWebhook = WebhookChannel.safeParse(channel).success;
  if (!isWebhook && (change.url != null || change.rotateSecret)) {
    throw new AppError(
      'INVALID_INPUT',
      'email is delivered over SMTP (configured on the worker); only sms, push and in_app take an endpoint url',
    );
  }
  await requireProgram(deps.db, programId);
  const now = deps.clock();
  return deps.db.transaction().execute(async (tx) => {
    const current = await tx
      .selectFrom('delivery_channels')
      .selectAll()
      .where('program_id', '=', programId)
      .where('channel', '=', channel)
      .forUpdate()
      .executeTakeFirst();
    const url = change.url === undefined ? (current?.endpoint_url ?? null) : change.url;
    if (change.rotateSecret && url === null)
      throw new AppError(
        'INVALID_STATE',
        `the ${channel} channel has no endpoint whose secret could be rotated`,
      );
    const fresh = url !== null && (current?.secret == null || change.rotateSecret === true);
    const secret =
      url === null ? null : fresh ? `chsec_${randomBytes(32).toString('base64url')}` : current?.secret;
    const row: DeliveryChannelsTable = {
      program_id: programId,
      channel,
      endpoint_url: url,
      secret: secret ?? null,
      rate_per_second:
        change.ratePerSecond === undefined ? (current?.rate_per_second ?? null) : change.ratePerSecond,
      updated_at: now,
    };
    await tx
      .insertInto('delivery_channels')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['program_id', 'channel']).doUpdateSet({
          endpoint_url: row.endpoint_url,
          secret: row.secret,
          rate_per_second: row.rate_per_second,
          updated_at: now,
        }),
      )
      .execute();
    const view = channelView(row);
    return fresh && secret ? { ...view, secret } : view;
  });
}

/** A channel's stored settings as read back, without the secret. */
export function channelView(row: DeliveryChannelsTable): ChannelSettingsView {
  return {
    channel: row.channel as Channel,
    url: row.endpoint_url,
    ratePerSecond: row.rate_per_second,
    hasSecret: row.secret !== null,
    updatedAt: row.updated_at.toISOString(),
  };
}
