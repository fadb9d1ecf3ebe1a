import { createHash } from 'node:crypto';
import { FeedbackBatch, type FeedbackResult } from '../../contracts/delivery.ts';
import { AppError } from '../../contracts/errors.ts';
import type { Deps } from '../deps.ts';
import { ingestBatch } from '../ingest-batch.ts';
import { parseBody } from '../segment-definitions/definition-input.ts';
import { verifySignature } from '../webhooks/webhook-signature.ts';

/** Suppression list a hard-bounced address is put on. */
export const HARD_BOUNCE_LIST = 'hard-bounce';
/** Suppression list the address of a member who complained (marked a message as spam) is put on. */
export const COMPLAINT_LIST = 'complaint';

/**
 * Takes a signed batch of delivery reports from a program's email provider (ADR 0025). The
 * signature (`Narrowcast-Signature`, HMAC-SHA256 with the program's feedback secret, checked in
 * constant time, at most 5 minutes old) is checked before anything is read. Every report must
 * name a message of the program, or nothing is recorded. Each becomes a message event
 * (`delivered`, `bounced`, `complained`) with the message id; a hard bounce puts the address on
 * the `hard-bounce` suppression list; a complaint revokes marketing consent on the channel in the
 * consent ledger and puts the address on the `complaint` list. Re-sending a report changes nothing.
 */
export async function recordDeliveryFeedback(
  deps: Deps,
  { programId, body, signature }: { programId: string; body: string; signature: string | undefined },
): Promise<FeedbackResult> {
  const secret = await deps.db
    .selectFrom('delivery_feedback_secrets')
    .select('secret')
    .where('program_id', '=', programId)
    .executeTakeFirst();
  const now = deps.clock();
  // One answer for a missing secret, a missing header and a wrong signature: nothing to probe.
  if (
    !secret ||
    !signature ||
    !verifySignature(secret.secret, body, signature, Math.floor(now.getTime() / 1000))
  ) {
    throw new AppError('UNAUTHENTICATED', 'the Narrowcast-Signature header does not sign this body');
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new AppError('INVALID_INPUT', 'the body is not JSON');
  }
  const batch = parseBody(FeedbackBatch, json, 'the feedback batch');
  const ids = [...new Set(batch.events.map((e) => e.messageId))];
  const messages = await deps.db
    .selectFrom('outbox as o')
    .innerJoin('members as m', (join) =>
      join.onRef('m.program_id', '=', 'o.program_id').onRef('m.member_id', '=', 'o.member_id'),
    )
    .select(['o.idempotency_key', 'o.campaign', 'o.channel', 'o.recipient', 'm.external_id'])
    .where('o.program_id', '=', programId)
    .where('o.idempotency_key', 'in', ids)
    .execute();
  const byId = new Map(messages.map((m) => [m.idempotency_key, m]));
  const unknown = batch.events.flatMap((e, index) =>
    byId.has(e.messageId)
      ? []
      : [{ index, path: 'messageId', message: `no message "${e.messageId}" in this program` }],
  );
  if (unknown.length > 0) {
    throw new AppError(
      'INVALID_INPUT',
      `${unknown.length} report(s) name no message of this program (first: events[${unknown[0]?.index}]); nothing was recorded`,
      { problems: unknown },
    );
  }
  const key = (prefix: string, id: string) =>
    `${prefix}:${createHash('sha256').update(id).digest('base64url').slice(0, 32)}`;
  const events = batch.events.map((e) => {
    const m = byId.get(e.messageId) as (typeof messages)[number];
    return {
      id: key('fb', e.id),
      memberId: m.external_id,
      occurredAt: e.occurredAt,
      type: e.type,
      channel: m.channel,
      campaignId: m.campaign,
      messageId: e.messageId,
    };
  });
  const recorded = await ingestBatch(deps, { programId, kind: 'message-events', records: events });
  const complaints = batch.events.filter((e) => e.type === 'complained');
  const consents = complaints.map((e) => {
    const m = byId.get(e.messageId) as (typeof messages)[number];
    return {
      id: key('fbc', e.id),
      memberId: m.external_id,
      occurredAt: e.occurredAt,
      channel: m.channel,
      purpose: 'marketing',
      status: 'revoked',
      source: 'complaint',
    };
  });
  const revoked =
    consents.length > 0
      ? await ingestBatch(deps, { programId, kind: 'consents', records: consents })
      : undefined;
  const suppressions = batch.events.flatMap((e) => {
    const list =
      e.type === 'complained'
        ? COMPLAINT_LIST
        : e.type === 'bounced' && e.bounce === 'hard'
          ? HARD_BOUNCE_LIST
          : undefined;
    const m = byId.get(e.messageId);
    if (list === undefined || m === undefined) return [];
    return [
      {
        program_id: programId,
        list,
        subject: m.recipient.includes('@') ? m.recipient.toLowerCase() : m.recipient,
        reason: `${list === COMPLAINT_LIST ? 'complaint about' : 'hard bounce of'} message ${e.messageId}`,
        added_at: now,
      },
    ];
  });
  const suppressed =
    suppressions.length === 0
      ? []
      : await deps.db
          .insertInto('suppressions')
          .values(suppressions)
          .onConflict((oc) => oc.columns(['program_id', 'subject', 'list']).doNothing())
          .returning('subject')
          .execute();
  return {
    recorded: recorded.inserted,
    duplicates: recorded.duplicate,
    suppressed: suppressed.length,
    consentsRevoked: revoked?.inserted ?? 0,
  };
}
