import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Schema } from '../schema.ts';

// The segment snapshot at assignment (ADR 0023, 0029): a member's memberships in every scheme when a
// campaign first assigned them, stored once per program in `campaign_snapshots` (schemes and
// segments as parallel arrays, ordered by scheme then segment in code-point order) and referred to
// from the member's `campaign_touches` row. The first snapshot recorded for a (campaign, member)
// wins; a later one is ignored, so a recurring campaign keeps its first.

/** SQL ordering of a snapshot's pairs, the same as `compareRefs` in code. */
export const SNAPSHOT_ORDER = sql.raw(`scheme COLLATE "C", segment COLLATE "C"`);

/** Code-point order of [scheme, segment] pairs, as `SNAPSHOT_ORDER` orders them in SQL. */
export function compareRefs(a: readonly [string, string], b: readonly [string, string]): number {
  const byScheme = a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
  return byScheme !== 0 ? byScheme : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/**
 * Records the snapshots `source` yields, rows of (member_id bigint, schemes text[], segments text[])
 * in canonical order, for members of the campaign without one yet. Run inside the caller's
 * transaction. A snapshot another transaction is interning at the same moment is not visible to the
 * statement that waited for it, so its members are written on the next pass.
 */
export async function recordSnapshots(
  db: Kysely<Schema>,
  { programId, campaign, source }: { programId: string; campaign: string; source: RawBuilder<unknown> },
): Promise<void> {
  for (let pass = 0; pass < 3; pass++) {
    const { rows } = await sql<{ missing: number }>`
      WITH src AS MATERIALIZED (${source}),
      todo AS MATERIALIZED (
        SELECT DISTINCT ON (src.member_id) src.member_id, src.schemes, src.segments FROM src
        WHERE (SELECT t.snapshot_id FROM campaign_touches t
               WHERE t.program_id = ${programId} AND t.campaign = ${campaign} AND t.member_id = src.member_id) IS NULL
      ),
      interned AS (
        INSERT INTO campaign_snapshots (program_id, schemes, segments)
        SELECT DISTINCT ${programId}, schemes, segments FROM todo
        ON CONFLICT (program_id, schemes, segments) DO NOTHING
        RETURNING id, schemes, segments
      ),
      ids AS MATERIALIZED (
        SELECT todo.member_id, coalesce(i.id, s.id) AS id FROM todo
        LEFT JOIN interned i ON i.schemes = todo.schemes AND i.segments = todo.segments
        LEFT JOIN campaign_snapshots s
          ON s.program_id = ${programId} AND s.schemes = todo.schemes AND s.segments = todo.segments
      ),
      written AS (
        INSERT INTO campaign_touches AS t (program_id, campaign, member_id, snapshot_id)
        SELECT ${programId}, ${campaign}, member_id, id FROM ids WHERE id IS NOT NULL ORDER BY member_id
        ON CONFLICT (program_id, campaign, member_id) DO UPDATE SET snapshot_id = excluded.snapshot_id
        WHERE t.snapshot_id IS NULL
      )
      SELECT count(*)::int AS missing FROM ids WHERE id IS NULL`.execute(db);
    if ((rows[0]?.missing ?? 0) === 0) return;
  }
  throw new Error(`could not record the segment snapshot of campaign "${campaign}" after 3 passes`);
}

/** Explicit snapshots as a `recordSnapshots` source: each member's [scheme, segment] pairs. */
export function snapshotsOf(
  snapshots: readonly { memberId: number; refs: readonly (readonly [string, string])[] }[],
): RawBuilder<unknown> {
  const rows = snapshots.map((s) => {
    const refs = [...new Map(s.refs.map((r) => [`${r[0]}\u0000${r[1]}`, r])).values()].sort(compareRefs);
    return { m: s.memberId, sc: refs.map((r) => r[0]), sg: refs.map((r) => r[1]) };
  });
  return sql`
    SELECT (x ->> 'm')::bigint AS member_id,
      ARRAY(SELECT jsonb_array_elements_text(x -> 'sc')) AS schemes,
      ARRAY(SELECT jsonb_array_elements_text(x -> 'sg')) AS segments
    FROM jsonb_array_elements(${JSON.stringify(rows)}::jsonb) AS x`;
}

/** A member's memberships as a snapshot: parallel arrays in `SNAPSHOT_ORDER`. */
export interface SegmentSnapshot {
  schemes: readonly string[];
  segments: readonly string[];
}

/**
 * A member's snapshot as one string, aggregated over their `segment_memberships` rows, for finding
 * its id among those already interned: each pair as scheme, unit separator (chr 31), segment, the
 * pairs joined by the record separator (chr 30) in `SNAPSHOT_ORDER`; names never hold either
 * (contracts/segments.ts). A launch reads each member's key and turns only a new one back into
 * arrays (`snapshotOfKey`).
 */
export const SNAPSHOT_KEY = sql<string>`coalesce(string_agg(scheme || chr(31) || segment, chr(30) ORDER BY ${SNAPSHOT_ORDER}), '')`;

/** The snapshot a `SNAPSHOT_KEY` names. */
export function snapshotOfKey(key: string): SegmentSnapshot {
  const pairs = key === '' ? [] : key.split('\u001e').map((pair) => pair.split('\u001f'));
  return { schemes: pairs.map((p) => p[0] ?? ''), segments: pairs.map((p) => p[1] ?? '') };
}

/**
 * The ids of the snapshots in `campaign_snapshots`, in the order given, adding those not there yet.
 * Run inside the caller's transaction. Two statements, so the read sees a snapshot another
 * transaction interned while the insert waited for it; new ones are inserted in a fixed order, so
 * two writers interning the same ones do not deadlock.
 */
export async function internSnapshots(
  db: Kysely<Schema>,
  programId: string,
  snapshots: readonly SegmentSnapshot[],
): Promise<number[]> {
  if (snapshots.length === 0) return [];
  const source = sql`
    SELECT u.n, ARRAY(SELECT jsonb_array_elements_text(u.x -> 0)) AS schemes,
      ARRAY(SELECT jsonb_array_elements_text(u.x -> 1)) AS segments
    FROM jsonb_array_elements(${JSON.stringify(snapshots.map((s) => [s.schemes, s.segments]))}::jsonb) WITH ORDINALITY AS u (x, n)`;
  await sql`
    INSERT INTO campaign_snapshots (program_id, schemes, segments)
    SELECT DISTINCT ${programId}, schemes, segments FROM (${source}) s ORDER BY 2, 3
    ON CONFLICT (program_id, schemes, segments) DO NOTHING`.execute(db);
  const { rows } = await sql<{ n: string | number; id: string | number }>`
    SELECT s.n, c.id FROM (${source}) s
    JOIN campaign_snapshots c ON c.program_id = ${programId} AND c.schemes = s.schemes AND c.segments = s.segments`.execute(
    db,
  );
  const ids: number[] = new Array(snapshots.length);
  for (const row of rows) ids[Number(row.n) - 1] = Number(row.id);
  if (rows.length !== snapshots.length) throw new Error('a segment snapshot could not be interned');
  return ids;
}
