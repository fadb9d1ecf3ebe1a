import { createHash } from 'node:crypto';
import { AppError } from '../../contracts/errors.ts';
import type { Deps } from '../deps.ts';
import { ingestBatch } from '../ingest-batch.ts';
import { readUnsubscribeToken, type UnsubscribeSubject } from './unsubscribe-link.ts';

/** The subject of a signed unsubscribe token, or NOT_FOUND (the same answer for forged and unknown tokens). */
export async function checkUnsubscribeToken(
  deps: Pick<Deps, 'db'>,
  token: string,
): Promise<UnsubscribeSubject> {
  const [payload = ''] = token.split('.');
  let programId: unknown;
  try {
    [programId] = JSON.parse(Buffer.from(payload, 'base64url').toString()) as unknown[];
  } catch {
    programId = undefined;
  }
  const row =
    typeof programId === 'string'
      ? await deps.db
          .selectFrom('campaign_link_secrets')
          .select('secret')
          .where('program_id', '=', programId)
          .executeTakeFirst()
      : undefined;
  const subject = row ? readUnsubscribeToken(token, row.secret) : undefined;
  if (!subject) throw new AppError('NOT_FOUND', 'this unsubscribe link is not valid');
  return subject;
}

/**
 * Unsubscribes the member a signed link names from marketing on its channel: an `unsubscribed`
 * message event and a revoking consent-ledger entry, both through the ordinary ingest path.
 */
export async function unsubscribeMember(
  deps: Deps,
  { token }: { token: string },
): Promise<UnsubscribeSubject> {
  const subject = await checkUnsubscribeToken(deps, token);
  const now = deps.clock();
  const memberKey = createHash('sha256').update(subject.memberId).digest('hex').slice(0, 16);
  const id = `unsub:${memberKey}:${subject.channel}:${now.getTime()}`;
  const common = { memberId: subject.memberId, occurredAt: now.toISOString(), channel: subject.channel };
  await ingestBatch(deps, {
    programId: subject.programId,
    kind: 'message-events',
    records: [{ ...common, id, type: 'unsubscribed', campaignId: subject.campaign }],
  });
  await ingestBatch(deps, {
    programId: subject.programId,
    kind: 'consents',
    records: [{ ...common, id, purpose: 'marketing', status: 'revoked', source: 'unsubscribe_link' }],
  });
  return subject;
}
