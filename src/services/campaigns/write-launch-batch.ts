import { type Kysely, sql } from 'kysely';
import type { Purpose } from '../../contracts/records.ts';
import type { Schema } from '../../db/schema.ts';
import type { SegmentSnapshot } from '../../db/writers/campaign-snapshots.ts';
import type { MemberPlan } from '../../domain/campaigns/decide-member.ts';
import { assignmentSnapshotIds } from './record-assignment-segments.ts';

// What a launch writes for one batch of decided members, in one transaction (ADR 0013, ADR 0026):
// every decision, and an outbox row for every message to send. Each table takes one INSERT per
// batch whose values arrive as one array per column (unnest), so a batch of thousands of members is
// a handful of parameters rather than tens of thousands, and the same SQL runs on both engines.
// The unique key (program, campaign, step, member) of both tables makes a re-run or a resumed
// launch write nothing twice. Each assigned member's decision carries the id of their segment
// snapshot at assignment (for per-segment reports, ADR 0023, migration 0012).

/** One decided member of a batch. */
export interface LaunchRow {
  /** members.member_id */
  memberId: number;
  step: string;
  plan: MemberPlan;
  /** The channel's idempotency key, for a plan with a message. */
  idempotencyKey: string;
  /** The member's memberships when the audience was read. */
  snapshot?: SegmentSnapshot | undefined;
}

/** What the batch belongs to. */
export interface LaunchBatchContext {
  programId: string;
  campaign: string;
  version: number;
  purpose: Purpose;
  decidedAt: Date;
  /** Snapshot ids interned by earlier batches, by `snapshotKey`; this batch's new ones are added once it commits. */
  snapshots: Map<string, number>;
}

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

/**
 * The batch's rule trails, each once, and each row's place among them: a batch of thousands of
 * members has a few dozen distinct trails, so each is sent and parsed once rather than per member
 * (the `OFFSET 0` below keeps the planner from pulling the cast up into the join, where it ran once
 * per member again).
 */
function distinctTrails(rows: readonly LaunchRow[]): { trails: string[]; trailOf: number[] } {
  const index = new Map<string, number>();
  const trails: string[] = [];
  const trailOf = rows.map(({ plan }) => {
    const key = trailKey(plan.rules);
    let at = index.get(key);
    if (at === undefined) {
      trails.push(JSON.stringify(plan.rules));
      at = trails.length;
      index.set(key, at);
    }
    return at;
  });
  return { trails, trailOf };
}

/**
 * A trail's identity, cheaper to build than its JSON (which only each distinct trail needs): the
 * fields joined by NUL, which no stored text contains.
 */
function trailKey(rules: MemberPlan['rules']): string {
  let key = '';
  for (const r of rules) key += `${r.rule}\u0000${r.outcome}\u0000${r.detail}\u0000`;
  return key;
}

async function insertDecisions(
  tx: Kysely<Schema>,
  context: LaunchBatchContext,
  rows: readonly LaunchRow[],
  snapshotIds: readonly (number | null)[],
) {
  const column = <T>(read: (row: LaunchRow) => T) => rows.map(read);
  const { trails, trailOf } = distinctTrails(rows);
  await sql`
    INSERT INTO campaign_decisions (program_id, campaign, step, member_id, version, arm, variant, outcome,
      excluded_by, channel, send_at, rules, decided_at, snapshot_id)
    SELECT ${context.programId}, ${context.campaign}, d.step, d.member_id, ${context.version}, d.arm, d.variant,
      d.outcome, d.excluded_by, d.channel, d.send_at, t.rules, ${context.decidedAt.toISOString()}::timestamptz,
      d.snapshot_id
    FROM unnest(
      ${column((r) => r.step)}::text[],
      ${column((r) => r.memberId)}::bigint[],
      ${column((r) => r.plan.arm.arm)}::text[],
      ${column((r) => (r.plan.arm.arm === 'treatment' ? r.plan.arm.variant : null))}::text[],
      ${column((r) => r.plan.outcome)}::text[],
      ${column((r) => r.plan.excludedBy)}::text[],
      ${column((r) => r.plan.channel)}::text[],
      ${column((r) => iso(r.plan.sendAt))}::timestamptz[],
      ${trailOf}::int[],
      ${snapshotIds}::bigint[]
    ) WITH ORDINALITY AS d (step, member_id, arm, variant, outcome, excluded_by, channel, send_at, trail,
      snapshot_id, n)
    JOIN (SELECT n, rules::jsonb AS rules FROM unnest(${trails}::text[]) WITH ORDINALITY AS u (rules, n) OFFSET 0) t
      ON t.n = d.trail
    ORDER BY d.n
    ON CONFLICT (program_id, campaign, step, member_id) DO NOTHING`.execute(tx);
}

/** Writes the outbox rows of the plans with a message; returns how many were new. */
async function insertOutbox(
  tx: Kysely<Schema>,
  context: LaunchBatchContext,
  rows: readonly LaunchRow[],
): Promise<number> {
  const messages = rows.filter(
    ({ plan }) => plan.message !== null && plan.channel !== null && plan.sendAt !== null,
  );
  if (messages.length === 0) return 0;
  const column = <T>(read: (row: LaunchRow) => T) => messages.map(read);
  const { rows: inserted } = await sql<{ queued: string | number }>`
    WITH queued AS (
      INSERT INTO outbox (program_id, campaign, step, member_id, version, variant, channel, purpose,
        idempotency_key, recipient, subject, body, send_at, status, next_attempt_at)
      SELECT ${context.programId}, ${context.campaign}, o.step, o.member_id, ${context.version}, o.variant,
        o.channel, ${context.purpose}, o.idempotency_key, o.recipient, o.subject, o.body, o.send_at,
        'pending', o.send_at
      FROM unnest(
        ${column((r) => r.step)}::text[],
        ${column((r) => r.memberId)}::bigint[],
        ${column((r) => (r.plan.arm.arm === 'treatment' ? r.plan.arm.variant : ''))}::text[],
        ${column((r) => r.plan.channel)}::text[],
        ${column((r) => r.idempotencyKey)}::text[],
        ${column((r) => r.plan.message?.recipient)}::text[],
        ${column((r) => r.plan.message?.subject ?? null)}::text[],
        ${column((r) => r.plan.message?.body ?? '')}::text[],
        ${column((r) => iso(r.plan.sendAt))}::timestamptz[]
      ) AS o (step, member_id, variant, channel, idempotency_key, recipient, subject, body, send_at)
      ON CONFLICT (program_id, campaign, step, member_id) DO NOTHING
      RETURNING 1
    )
    SELECT count(*) AS queued FROM queued`.execute(tx);
  return Number(inserted[0]?.queued ?? 0);
}

/** Writes one batch's decisions and messages in one transaction; returns the messages newly queued. */
export async function writeLaunchBatch(
  db: Kysely<Schema>,
  context: LaunchBatchContext,
  rows: readonly LaunchRow[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const { queued, added } = await db.transaction().execute(async (tx) => {
    const { ids, added } = await assignmentSnapshotIds(
      tx,
      context.programId,
      rows.map(({ plan, snapshot }) => ({ outcome: plan.outcome, excludedBy: plan.excludedBy, snapshot })),
      context.snapshots,
    );
    await insertDecisions(tx, context, rows, ids);
    return { queued: await insertOutbox(tx, context, rows), added };
  });
  for (const [key, id] of added) context.snapshots.set(key, id);
  return queued;
}
