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

const filterOf = (source: DistributionSource) =>
  'column' in source
    ? 'last_purchase_day IS NOT NULL'
    : `features ? '${source.feature.replaceAll("'", "''")}'`;

/**
 * Distributions of the program's members, one per source, each ascending with nulls left out:
 * every value when there are at most `maxPoints`, else the evenly spaced order statistics
 * program-context.ts's summariseDistribution would keep. Two scans of the program's state rows
 * serve every source (a count, then every source's order statistics), so the stored features are
 * read twice however many distributions a refresh needs.
 */
export async function distributionsOf(
  db: Kysely<Schema>,
  programId: string,
  sources: readonly DistributionSource[],
  maxPoints: number,
): Promise<number[][]> {
  if (sources.length === 0) return [];
  const [counts] = await rows<Record<string, string | number>>(
    db,
    `SELECT ${sources.map((s, i) => `count(${expressionOf(s)}) FILTER (WHERE ${filterOf(s)}) AS n${i}`).join(', ')}
     FROM member_features WHERE program_id = $1`,
    [programId],
  );
  const sizes = sources.map((_, i) => Number(counts?.[`n${i}`] ?? 0));
  // The 0-based positions summariseDistribution keeps, asked of percentile_disc as the fraction
  // (position + 0.5) / n: it returns the value at 1-based row ceil(fraction * n) = position + 1,
  // a half row away from either neighbour, so rounding in the fraction cannot move it.
  const fractions = sizes.map((n) => {
    const positions =
      n <= maxPoints
        ? Array.from({ length: n }, (_, k) => k)
        : Array.from({ length: maxPoints }, (_, k) => Math.round((k * (n - 1)) / (maxPoints - 1)));
    return positions.map((k) => (k + 0.5) / n);
  });
  const asked = sizes.flatMap((n, i) => (n === 0 ? [] : [i]));
  if (asked.length === 0) return sources.map(() => []);
  const [found] = await rows<Record<string, number[] | null>>(
    db,
    `SELECT ${asked
      .map(
        (i, p) =>
          `percentile_disc($${p + 2}::float8[]) WITHIN GROUP (ORDER BY ${expressionOf(sources[i] as DistributionSource)})
             FILTER (WHERE ${filterOf(sources[i] as DistributionSource)}) AS d${i}`,
      )
      .join(', ')}
     FROM member_features WHERE program_id = $1`,
    [programId, ...asked.map((i) => fractions[i])],
  );
  return sources.map((_, i) => (found?.[`d${i}`] ?? []).map(Number));
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
