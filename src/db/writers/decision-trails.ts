import { type Kysely, sql } from 'kysely';
import type { Schema } from '../schema.ts';

// Decision rule trails, stored once per program in `decision_trails` and referred to by id from each
// decision (migration 0014). A trail is identified by the digest of its jsonb text, so the same rules
// written by two launches, or two pages of one, are one row.

/**
 * The ids of the trails (each a JSON array of {rule, outcome, detail}), in the order given, adding
 * those not stored yet. Run inside the caller's transaction. Two statements, so the read sees a trail
 * another transaction stored while the insert waited for it; new ones are inserted in digest order,
 * so two writers storing the same ones do not deadlock.
 */
export async function internTrails(
  db: Kysely<Schema>,
  programId: string,
  trails: readonly string[],
): Promise<number[]> {
  if (trails.length === 0) return [];
  await sql`
    INSERT INTO decision_trails (program_id, rules)
    SELECT ${programId}, rules FROM (SELECT DISTINCT t::jsonb AS rules FROM unnest(${trails}::text[]) AS t) u
    ORDER BY md5(rules::text)
    ON CONFLICT (program_id, digest) DO NOTHING`.execute(db);
  const { rows } = await sql<{ n: string | number; id: string | number }>`
    SELECT u.n, d.id FROM unnest(${trails}::text[]) WITH ORDINALITY AS u (t, n)
    JOIN decision_trails d ON d.program_id = ${programId} AND d.digest = md5(u.t::jsonb::text)`.execute(db);
  const ids: number[] = new Array(trails.length);
  for (const row of rows) ids[Number(row.n) - 1] = Number(row.id);
  if (rows.length !== trails.length) throw new Error('a decision trail could not be stored');
  return ids;
}
