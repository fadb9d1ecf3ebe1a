import { CompiledQuery, type Kysely } from 'kysely';
import type { Schema } from '../schema.ts';

// The set-based half of a refresh: what must be read or ranked across the whole program. The
// per-member half (features, rules, explanations) runs in services/segments for the members these
// queries pick out.

async function rows<R>(db: Kysely<Schema>, text: string, params: unknown[]): Promise<R[]> {
  return (await db.executeQuery<R>(CompiledQuery.raw(text, params))).rows;
}

const ids = (list: { member_id: number | string }[]) => list.map((r) => Number(r.member_id));

/**
 * Ranks every member who has bought into 1-5 quintiles of R (last purchase day), F (orders) and M
 * (net merchandise spend), exactly as rfm-scores.ts defines them (1 + floor(5 * worse / n), ties
 * sharing the lower score), stores the scores that changed and returns those members.
 */
export async function rankRfm(db: Kysely<Schema>, programId: string): Promise<number[]> {
  const score = (column: string) =>
    `LEAST(5, 1 + (5 * (rank() OVER (ORDER BY ${column}) - 1)) / count(*) OVER ())::smallint`;
  return ids(
    await rows(
      db,
      `WITH ranked AS (
         SELECT member_id, ${score('last_purchase_day')} AS r, ${score('frequency_orders')} AS f,
           ${score('monetary_total')} AS m
         FROM member_features WHERE program_id = $1 AND last_purchase_day IS NOT NULL
       )
       UPDATE member_features s SET r_score = ranked.r, f_score = ranked.f, m_score = ranked.m
       FROM ranked
       WHERE s.program_id = $1 AND s.member_id = ranked.member_id
         AND (s.r_score IS DISTINCT FROM ranked.r OR s.f_score IS DISTINCT FROM ranked.f
           OR s.m_score IS DISTINCT FROM ranked.m)
       RETURNING s.member_id`,
      [programId],
    ),
  );
}

/** The SQL expression of a distribution's values: a rank column, or a feature read from the stored features. */
export type DistributionSource =
  | { column: 'last_purchase_day' | 'frequency_orders' | 'monetary_total' }
  | { feature: string };

const expressionOf = (source: DistributionSource) =>
  'column' in source
    ? `${source.column}::float8`
    : `(features ->> '${source.feature.replaceAll("'", "''")}')::float8`;

/**
 * A distribution of the program's members, ascending, nulls left out: every value when there are
 * at most `maxPoints`, else the evenly spaced order statistics program-context.ts's
 * summariseDistribution would keep.
 */
export async function distributionOf(
  db: Kysely<Schema>,
  programId: string,
  source: DistributionSource,
  maxPoints: number,
): Promise<number[]> {
  const value = expressionOf(source);
  const filter =
    'column' in source
      ? 'last_purchase_day IS NOT NULL'
      : `features ? '${(source as { feature: string }).feature.replaceAll("'", "''")}'`;
  const [count] = await rows<{ n: string | number }>(
    db,
    `SELECT count(${value}) AS n FROM member_features WHERE program_id = $1 AND ${filter}`,
    [programId],
  );
  const n = Number(count?.n ?? 0);
  if (n === 0) return [];
  const wanted =
    n <= maxPoints
      ? null
      : Array.from({ length: maxPoints }, (_, i) => Math.round((i * (n - 1)) / (maxPoints - 1)));
  const found = await rows<{ v: number }>(
    db,
    `SELECT v FROM (
       SELECT ${value} AS v, row_number() OVER (ORDER BY ${value}) - 1 AS idx
       FROM member_features WHERE program_id = $1 AND ${filter} AND ${value} IS NOT NULL
     ) t ${wanted === null ? '' : 'WHERE idx = ANY($2::int8[])'} ORDER BY idx`,
    wanted === null ? [programId] : [programId, wanted],
  );
  return found.map((r) => Number(r.v));
}

/** Members whose stored feature value lies between two thresholds (inclusive). */
export async function membersBetween(
  db: Kysely<Schema>,
  programId: string,
  feature: string,
  low: number,
  high: number,
): Promise<number[]> {
  const value = expressionOf({ feature });
  return ids(
    await rows(
      db,
      `SELECT member_id FROM member_features WHERE program_id = $1 AND ${value} BETWEEN $2 AND $3`,
      [programId, low, high],
    ),
  );
}

/** Members whose review day has come. */
export async function dueMembers(db: Kysely<Schema>, programId: string, asOfDay: number): Promise<number[]> {
  return ids(
    await rows(db, `SELECT member_id FROM member_features WHERE program_id = $1 AND review_day <= $2`, [
      programId,
      asOfDay,
    ]),
  );
}

/** Every member of the program. */
export async function allMembers(db: Kysely<Schema>, programId: string): Promise<number[]> {
  return ids(await rows(db, `SELECT member_id FROM members WHERE program_id = $1`, [programId]));
}

/** Members with no stored state yet (loaded before the segment engine existed). */
export async function membersWithoutState(db: Kysely<Schema>, programId: string): Promise<number[]> {
  return ids(
    await rows(
      db,
      `SELECT m.member_id FROM members m
       WHERE m.program_id = $1 AND NOT EXISTS (
         SELECT 1 FROM member_features f WHERE f.program_id = m.program_id AND f.member_id = m.member_id)`,
      [programId],
    ),
  );
}

/** When the program's CLV predictions were last computed, or null. */
export async function latestPredictionTime(db: Kysely<Schema>, programId: string): Promise<Date | null> {
  const [row] = await rows<{ at: Date | null }>(
    db,
    `SELECT max(computed_at) AS at FROM member_predictions WHERE program_id = $1`,
    [programId],
  );
  return row?.at ?? null;
}

/** Records every segment's size as of a refresh. */
export async function snapshotSizes(db: Kysely<Schema>, programId: string, asOf: Date): Promise<void> {
  await rows(
    db,
    `INSERT INTO segment_sizes (program_id, scheme, segment, as_of, size)
     SELECT $1, scheme, segment, $2, count(*) FROM segment_memberships WHERE program_id = $1
     GROUP BY scheme, segment
     ON CONFLICT (program_id, as_of, scheme, segment) DO UPDATE SET size = excluded.size`,
    [programId, asOf],
  );
}
