import { type Kysely, sql } from 'kysely';
import type { Purpose } from '../../contracts/records.ts';
import type { Schema } from '../../db/schema.ts';
import { internTrails } from '../../db/writers/decision-trails.ts';
import type { MemberPlan } from '../../domain/campaigns/decide-member.ts';
import { idsByKey } from './ids-by-key.ts';
import { assignmentSnapshotIds } from './record-assignment-segments.ts';

// What a launch writes for one batch of decided members, in one transaction (ADR 0013, ADR 0026):
// every decision, and an outbox row for every message to send. Each table takes one INSERT per
// batch: the values each member has of their own arrive as one array per column (unnest), those
// many members share as one JSON row per distinct combination, so a batch of thousands of members
// is a handful of parameters rather than tens of thousands, and the same SQL runs on both engines.
// Rule trails are stored once per program and referred to by id (migration 0014).
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
  /** The member's memberships when the audience was read, as their `SNAPSHOT_KEY`. */
  snapshot?: string | undefined;
}

/** What the batch belongs to. */
export interface LaunchBatchContext {
  programId: string;
  campaign: string;
  version: number;
  purpose: Purpose;
  decidedAt: Date;
  /** Snapshot ids interned by earlier batches, by `SNAPSHOT_KEY`; this batch's new ones are added once it commits. */
  snapshots: Map<string, number>;
  /** Rule trail ids stored by earlier batches, by `trailKey`; likewise added once a batch commits. */
  trails: Map<string, number>;
}

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

/**
 * The batch's distinct values of some columns, each once, and each row's place among them. A page
 * of thousands of members has a few dozen distinct (step, arm, variant, outcome, channel, send
 * time, rule trail) combinations, so each is sent and parsed once, as a JSON row, and a member's row
 * carries only its number: far less for this process to escape and the database to parse than one
 * array element per member and column. `key` names a combination more cheaply than its JSON, which
 * only each distinct one needs.
 */
function distinctShapes<T>(
  rows: readonly LaunchRow[],
  key: (row: LaunchRow, i: number) => string,
  shape: (row: LaunchRow, i: number) => T,
): { shapes: (T & { n: number })[]; shapeOf: number[] } {
  const index = new Map<string, number>();
  const shapes: (T & { n: number })[] = [];
  const shapeOf = rows.map((row, i) => {
    const k = key(row, i);
    let at = index.get(k);
    if (at === undefined) {
      at = shapes.length + 1;
      shapes.push({ ...shape(row, i), n: at });
      index.set(k, at);
    }
    return at;
  });
  return { shapes, shapeOf };
}

const variantOf = ({ arm }: MemberPlan) => (arm.arm === 'treatment' ? arm.variant : null);

/**
 * A trail's identity, cheaper to build than its JSON (which only a trail not stored yet needs): the
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
  trails: readonly (number | null)[],
) {
  const { shapes, shapeOf } = distinctShapes(
    rows,
    ({ step, plan }, i) =>
      `${step}\u0000${plan.arm.arm}\u0000${variantOf(plan)}\u0000${plan.outcome}\u0000${plan.excludedBy}\u0000${plan.channel}\u0000${plan.sendAt?.getTime()}\u0000${trails[i]}`,
    ({ step, plan }, i) => ({
      step,
      arm: plan.arm.arm,
      variant: variantOf(plan),
      outcome: plan.outcome,
      excluded_by: plan.excludedBy,
      channel: plan.channel,
      send_at: iso(plan.sendAt),
      trail_id: trails[i],
    }),
  );
  // `OFFSET 0` keeps the shapes a relation of their own, parsed once, rather than pulled up into the
  // join where their columns were parsed once per member.
  await sql`
    INSERT INTO campaign_decisions (program_id, campaign, step, member_id, version, arm, variant, outcome,
      excluded_by, channel, send_at, trail_id, decided_at, snapshot_id)
    SELECT ${context.programId}, ${context.campaign}, s.step, d.member_id, ${context.version}, s.arm, s.variant,
      s.outcome, s.excluded_by, s.channel, s.send_at, s.trail_id,
      ${context.decidedAt.toISOString()}::timestamptz, d.snapshot_id
    FROM unnest(
      ${rows.map((r) => r.memberId)}::bigint[],
      ${shapeOf}::int[],
      ${snapshotIds}::bigint[]
    ) WITH ORDINALITY AS d (member_id, shape, snapshot_id, n)
    JOIN (SELECT * FROM jsonb_to_recordset(${JSON.stringify(shapes)}::jsonb) AS x (n int, step text, arm text,
      variant text, outcome text, excluded_by text, channel text, send_at timestamptz, trail_id bigint) OFFSET 0) s
      ON s.n = d.shape
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
  const { shapes, shapeOf } = distinctShapes(
    messages,
    ({ step, plan }) =>
      `${step}\u0000${variantOf(plan) ?? ''}\u0000${plan.channel}\u0000${plan.sendAt?.getTime()}`,
    ({ step, plan }) => ({
      step,
      variant: variantOf(plan) ?? '',
      channel: plan.channel,
      send_at: iso(plan.sendAt),
    }),
  );
  const column = <T>(read: (row: LaunchRow) => T) => messages.map(read);
  const { rows: inserted } = await sql<{ queued: string | number }>`
    WITH queued AS (
      INSERT INTO outbox (program_id, campaign, step, member_id, version, variant, channel, purpose,
        idempotency_key, recipient, subject, body, send_at, status, next_attempt_at)
      SELECT ${context.programId}, ${context.campaign}, s.step, o.member_id, ${context.version}, s.variant,
        s.channel, ${context.purpose}, o.idempotency_key, o.recipient, o.subject, o.body, s.send_at,
        'pending', s.send_at
      FROM unnest(
        ${column((r) => r.memberId)}::bigint[],
        ${shapeOf}::int[],
        ${column((r) => r.idempotencyKey)}::text[],
        ${column((r) => r.plan.message?.recipient)}::text[],
        ${column((r) => r.plan.message?.subject ?? null)}::text[],
        ${column((r) => r.plan.message?.body ?? '')}::text[]
      ) AS o (member_id, shape, idempotency_key, recipient, subject, body)
      JOIN (SELECT * FROM jsonb_to_recordset(${JSON.stringify(shapes)}::jsonb) AS x (n int, step text,
        variant text, channel text, send_at timestamptz) OFFSET 0) s ON s.n = o.shape
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
  const { queued, snapshots, trails } = await db.transaction().execute(async (tx) => {
    const snapshots = await assignmentSnapshotIds(
      tx,
      context.programId,
      rows.map(({ plan, snapshot }) => ({ outcome: plan.outcome, excludedBy: plan.excludedBy, snapshot })),
      context.snapshots,
    );
    const trailKeys = rows.map(({ plan }) => trailKey(plan.rules));
    const trails = await idsByKey(trailKeys, context.trails, (missing) => {
      const rulesOf = new Map(trailKeys.map((key, i) => [key, rows[i]?.plan.rules]));
      return internTrails(
        tx,
        context.programId,
        missing.map((key) => JSON.stringify(rulesOf.get(key))),
      );
    });
    await insertDecisions(tx, context, rows, snapshots.ids, trails.ids);
    return { queued: await insertOutbox(tx, context, rows), snapshots, trails };
  });
  for (const [key, id] of snapshots.added) context.snapshots.set(key, id);
  for (const [key, id] of trails.added) context.trails.set(key, id);
  return queued;
}
