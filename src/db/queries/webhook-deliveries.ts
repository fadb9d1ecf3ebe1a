import { type Kysely, sql } from 'kysely';
import type { Schema } from '../schema.ts';

/** A delivery claimed for sending, with where and how to send it. */
export interface ClaimedDelivery {
  id: string;
  programId: string;
  webhookId: string;
  payload: unknown;
  /** Attempts made before this one. */
  attempts: number;
  url: string;
  secret: string;
}

/**
 * Claims up to `limit` due deliveries of enabled webhooks by moving their next attempt to
 * `leaseUntil`, in one statement: rows another worker holds are skipped (FOR UPDATE SKIP LOCKED),
 * and a claimed row that is never settled (the worker died) falls due again when the lease ends.
 * The due ids are picked once (an InitPlan): as `id IN (subquery)`, stale statistics let the planner
 * re-run the claim for every row of the table (as the outbox's claim did after a launch).
 */
export async function claimDueDeliveries(
  db: Kysely<Schema>,
  {
    now,
    leaseUntil,
    limit,
    maxAttempts,
    programId,
  }: { now: Date; leaseUntil: Date; limit: number; maxAttempts: number; programId?: string | undefined },
): Promise<ClaimedDelivery[]> {
  const onlyProgram = programId === undefined ? sql`` : sql`AND due.program_id = ${programId}`;
  const result = await sql<{
    id: string;
    program_id: string;
    webhook_id: string;
    payload: unknown;
    attempts: number;
    url: string;
    secret: string;
  }>`
    UPDATE webhook_deliveries d SET next_attempt_at = ${leaseUntil}
    FROM webhooks w
    WHERE d.id = ANY (ARRAY(
      SELECT due.id FROM webhook_deliveries due
      JOIN webhooks hook ON hook.id = due.webhook_id AND hook.program_id = due.program_id
      WHERE due.delivered_at IS NULL AND due.next_attempt_at <= ${now} AND due.attempts < ${maxAttempts}
        AND hook.disabled_at IS NULL ${onlyProgram}
      ORDER BY due.next_attempt_at
      LIMIT ${limit}
      FOR UPDATE OF due SKIP LOCKED))
    AND w.id = d.webhook_id AND w.program_id = d.program_id
    RETURNING d.id, d.program_id, d.webhook_id, d.payload, d.attempts, w.url, w.secret`.execute(db);
  return result.rows.map((r) => ({
    id: r.id,
    programId: r.program_id,
    webhookId: r.webhook_id,
    payload: typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload,
    attempts: Number(r.attempts),
    url: r.url,
    secret: r.secret,
  }));
}

/** Records successful attempts, in one statement for a round. */
export async function markDelivered(
  db: Kysely<Schema>,
  { ids, at }: { ids: readonly string[]; at: Date },
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('webhook_deliveries')
    .set((eb) => ({
      delivered_at: eb.fn.coalesce('delivered_at', eb.val(at)),
      attempts: eb('attempts', '+', 1),
      last_error: null,
    }))
    .where('id', 'in', ids)
    .execute();
}

/** Records a failed attempt and when to try again (a time past the attempt cap is never reached). */
export async function markFailed(
  db: Kysely<Schema>,
  { id, error, nextAttemptAt }: { id: string; error: string; nextAttemptAt: Date },
): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error, next_attempt_at: nextAttemptAt }))
    .where('id', '=', id)
    .where('delivered_at', 'is', null)
    .execute();
}
