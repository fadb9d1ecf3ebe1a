import type { Kysely } from 'kysely';
import { WebhookChannel } from '../../contracts/delivery.ts';
import type { Channel } from '../../contracts/records.ts';
import type { Schema } from '../../db/schema.ts';

/**
 * The channels a program can deliver on: email always (SMTP is the worker's setting), and SMS, push
 * and in-app once the program has set an endpoint for them — the test the delivery worker claims
 * messages by, so a channel chosen here is one whose messages can leave.
 */
export async function readDeliverableChannels(
  db: Kysely<Schema>,
  programId: string,
): Promise<ReadonlySet<Channel>> {
  const rows = await db
    .selectFrom('delivery_channels')
    .select('channel')
    .where('program_id', '=', programId)
    .where('endpoint_url', 'is not', null)
    .execute();
  const configured = new Set(rows.map((row) => row.channel));
  return new Set<Channel>(['email', ...WebhookChannel.options.filter((channel) => configured.has(channel))]);
}
