import { createHash } from 'node:crypto';
import type { Deps } from '../deps.ts';
import { ingestBatch } from '../ingest-batch.ts';
import { claimedProgram, linksOf, readTrackingToken } from './tracking-links.ts';

/** What a tracking link led to: an `opened` or `clicked` event (with the URL to redirect to), or nothing. */
export type TrackingHit =
  | { ok: true; type: 'opened' }
  | { ok: true; type: 'clicked'; url: string }
  | { ok: false; reason: 'invalid' | 'expired' };

/**
 * Records the open or click a signed tracking link stands for, as a message event carrying the
 * message id, through the ordinary ingest path. A link that is forged, tampered with, expired, or
 * names a message or link position that does not exist, or is used on the other kind's path,
 * records nothing. A click's URL is read from
 * the stored message, so only a URL that was in it is ever returned.
 */
export async function recordTrackingHit(
  deps: Deps,
  { token, kind }: { token: string; kind: 'open' | 'click' },
): Promise<TrackingHit> {
  const programId = claimedProgram(token);
  if (programId === undefined) return { ok: false, reason: 'invalid' };
  const secret = await deps.db
    .selectFrom('campaign_link_secrets')
    .select('secret')
    .where('program_id', '=', programId)
    .executeTakeFirst();
  if (!secret) return { ok: false, reason: 'invalid' };
  const now = deps.clock();
  const read = readTrackingToken(token, secret.secret, now);
  if (!read.ok) return read;
  const { subject } = read;
  // A click token on the pixel's path (or the reverse) is not a valid link there.
  if ((subject.link === undefined) !== (kind === 'open')) return { ok: false, reason: 'invalid' };
  const message = await deps.db
    .selectFrom('outbox as o')
    .innerJoin('members as m', (join) =>
      join.onRef('m.program_id', '=', 'o.program_id').onRef('m.member_id', '=', 'o.member_id'),
    )
    .select(['o.campaign', 'o.channel', 'o.body', 'm.external_id'])
    .where('o.program_id', '=', subject.programId)
    .where('o.idempotency_key', '=', subject.messageId)
    .executeTakeFirst();
  if (!message) return { ok: false, reason: 'invalid' };
  const url = subject.link === undefined ? undefined : linksOf(message.body)[subject.link];
  if (subject.link !== undefined && url === undefined) return { ok: false, reason: 'invalid' };
  const type = url === undefined ? 'opened' : 'clicked';
  // One event per hit; two hits of the same link in the same millisecond count once.
  const hit = createHash('sha256')
    .update(`${subject.messageId}\u0000${subject.link ?? -1}\u0000${now.getTime()}`)
    .digest('base64url')
    .slice(0, 24);
  await ingestBatch(deps, {
    programId: subject.programId,
    kind: 'message-events',
    records: [
      {
        id: `${type === 'opened' ? 'open' : 'click'}:${hit}`,
        memberId: message.external_id,
        occurredAt: now.toISOString(),
        type,
        channel: message.channel,
        campaignId: message.campaign,
        messageId: subject.messageId,
        ...(url === undefined ? {} : { url }),
      },
    ],
  });
  return url === undefined ? { ok: true, type: 'opened' } : { ok: true, type: 'clicked', url };
}
