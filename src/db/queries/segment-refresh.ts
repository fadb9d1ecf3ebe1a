import { CompiledQuery, type Kysely } from 'kysely';
import type { Schema } from '../schema.ts';
import { PROGRAM_PARAM } from './program-param.ts';

// The set-based half of a refresh: what must be read or ranked across the whole program. The
// per-member half (features, rules, explanations) runs in services/segments for the members these
// queries pick out.

async function rows<R>(db: Kysely<Schema>, text: string, params: unknown[]): Promise<R[]> {
  return (await db.executeQuery<R>(CompiledQuery.raw(text, params))).rows;
}

const ids = (list: { member_id: number | string }[]) => list.map((r) => Number(r.member_id));

/** A distribution's values: a rank column, or a top-percent feature's stored value (member_ranks.top_values). */
export type DistributionSource =
  | { column: 'last_purchase_day' | 'frequency_orders' | 'monetary_total' }
  | { feature: string };

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

export interface RanksAndDistributions {
  /** Members whose stored R, F or M score changed. */
  moved: number[];
  /** One per source, ascending, nulls left out (see rankAndSummarise). */
  distributions: number[][];
}

/**
 * The set-based part of a refresh, in one statement that reads the program's state rows once:
 *
 * - ranks every member who has bought into 1-5 quintiles of R (last purchase day), F (orders) and
 *   M (net merchandise spend), exactly as rfm-scores.ts defines them (1 + floor(5 * worse / n),
 *   ties sharing the lower score), and stores the scores that changed;
 * - summarises one distribution per source, ascending with nulls left out: every value when there
 *   are at most `maxPoints`, else the evenly spaced order statistics program-context.ts's
 *   summariseDistribution keeps. A rank column's distribution is of the members who have bought.
 *
 * The narrow rank rows (ADR 0032) are read into a materialised working set once, each member's
 * top-percent values decoded once (jsonb_to_record) for every feature source, and the ranks and
 * distributions sorted from it. Its sorts stay in memory at a million members under
 * `raiseSortMemory`.
 */
export async function rankAndSummarise(
  db: Kysely<Schema>,
  programId: string,
  sources: readonly DistributionSource[],
  maxPoints: number,
): Promise<RanksAndDistributions> {
  const features = [...new Set(sources.flatMap((s) => ('feature' in s ? [s.feature] : [])))];
  const sourceValue = (source: DistributionSource) =>
    'column' in source
      ? `CASE WHEN r.last_purchase_day IS NOT NULL THEN r.${source.column}::float8 END`
      : `j.${quoted(source.feature)}`;
  const decoded =
    features.length === 0
      ? ''
      : `LEFT JOIN LATERAL jsonb_to_record(r.top_values) AS j(${features
          .map((feature) => `${quoted(feature)} float8`)
          .join(', ')}) ON true`;
  const score = (column: string) =>
    `LEAST(5, 1 + (5 * (rank() OVER (ORDER BY ${column}) - 1)) / count(*) OVER ())::smallint`;
  // The 0-based positions summariseDistribution keeps, asked of percentile_disc as the fraction
  // (position + 0.5) / n: it returns the value at 1-based row ceil(fraction * n) = position + 1,
  // a half row away from either neighbour, so rounding in the fraction cannot move it. Math.round
  // and numeric round agree here: the positions are non-negative and k * (n - 1) / (maxPoints - 1)
  // is exact in numeric.
  const fractions = (i: number) =>
    `(SELECT ARRAY(SELECT (CASE WHEN n${i} <= $2 THEN k ELSE round(k * (n${i} - 1)::numeric / ($2 - 1)) END + 0.5) / n${i}
       FROM generate_series(0, LEAST(n${i}, $2) - 1) AS k)::float8[] FROM n)`;
  const [row] = await rows<Record<string, number[] | string[] | null>>(
    db,
    `WITH v AS MATERIALIZED (
       SELECT r.member_id, r.last_purchase_day, r.frequency_orders, r.monetary_total,
         r.r_score, r.f_score, r.m_score${sources.map((s, i) => `,\n         ${sourceValue(s)} AS x${i}`).join('')}
       FROM member_ranks r ${decoded}
       WHERE r.program_id = ${PROGRAM_PARAM}
     ),
     ranked AS (
       SELECT member_id, r_score, f_score, m_score, ${score('last_purchase_day')} AS r,
         ${score('frequency_orders')} AS f, ${score('monetary_total')} AS m
       FROM v WHERE last_purchase_day IS NOT NULL
     ),
     changed AS (
       SELECT member_id, r, f, m FROM ranked
       WHERE r_score IS DISTINCT FROM r OR f_score IS DISTINCT FROM f OR m_score IS DISTINCT FROM m
     ),
     moved AS (
       UPDATE member_ranks s SET r_score = c.r, f_score = c.f, m_score = c.m
       FROM changed c
       WHERE s.program_id = ${PROGRAM_PARAM} AND s.member_id = c.member_id
         AND s.member_id = ANY (ARRAY(SELECT member_id FROM changed))
       RETURNING s.member_id
     ),
     n AS (SELECT ${sources.length === 0 ? '0 AS n_' : sources.map((_, i) => `count(x${i}) AS n${i}`).join(', ')} FROM v)
     SELECT (SELECT array_agg(member_id) FROM moved) AS moved${sources
       .map((_, i) => `,\n       percentile_disc(${fractions(i)}) WITHIN GROUP (ORDER BY x${i}) AS d${i}`)
       .join('')}
     FROM v`,
    [programId, maxPoints],
  );
  return {
    moved: ((row?.moved ?? []) as (number | string)[]).map(Number),
    distributions: sources.map((_, i) => ((row?.[`d${i}`] ?? []) as number[]).map(Number)),
  };
}

/**
 * Sets every member's stored top-percent values (member_ranks.top_values) to their values of
 * `features` in their stored feature vectors: after the program's rules came to read another list
 * of top-percent features, or once after migration 0017. One pass over the program's state rows.
 */
export async function fillTopValues(
  db: Kysely<Schema>,
  programId: string,
  features: readonly string[],
): Promise<void> {
  await rows(
    db,
    `UPDATE member_ranks r SET top_values = v.top_values
     FROM (
       SELECT f.member_id,
         (SELECT jsonb_object_agg(k, COALESCE(f.features -> k, 'null'::jsonb)) FROM unnest($2::text[]) AS k) AS top_values
       FROM member_features f WHERE f.program_id = ${PROGRAM_PARAM}
     ) AS v
     WHERE r.program_id = ${PROGRAM_PARAM} AND r.member_id = v.member_id`,
    [programId, features],
  );
}

/** Raises sort memory for the rest of the current transaction (it ends with it). */
export async function raiseSortMemory(db: Kysely<Schema>): Promise<void> {
  await rows(db, `SET LOCAL work_mem = '256MB'`, []);
}

/** Members whose stored value of a top-percent feature lies between two thresholds (inclusive). */
export async function membersBetween(
  db: Kysely<Schema>,
  programId: string,
  feature: string,
  low: number,
  high: number,
): Promise<number[]> {
  const value = `(top_values ->> '${feature.replaceAll("'", "''")}')::float8`;
  return ids(
    await rows(
      db,
      `SELECT member_id FROM member_ranks WHERE program_id = $1 AND ${value} BETWEEN $2 AND $3`,
      [programId, low, high],
    ),
  );
}

/** Members whose review day has come. */
export async function dueMembers(db: Kysely<Schema>, programId: string, asOfDay: number): Promise<number[]> {
  return ids(
    await rows(db, `SELECT member_id FROM member_ranks WHERE program_id = $1 AND review_day <= $2`, [
      programId,
      asOfDay,
    ]),
  );
}

/** Takes the state tables' planner statistics again (allowed inside a transaction, which sees its own rows). */
export async function analyzeMemberStates(db: Kysely<Schema>): Promise<void> {
  await rows(db, 'ANALYZE member_features, member_ranks', []);
}

/** Reclaims the state tables' dead row versions (outside any transaction). */
export async function vacuumMemberStates(db: Kysely<Schema>): Promise<void> {
  await rows(db, 'VACUUM member_features, member_ranks', []);
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
       WHERE m.program_id = ${PROGRAM_PARAM} AND NOT EXISTS (
         SELECT 1 FROM member_ranks r
         WHERE r.program_id = ${PROGRAM_PARAM} AND r.member_id = m.member_id)`,
      [programId],
    ),
  );
}

/** The kinds of event a member's history holds (member-histories.ts reads the same tables). */
const EVENT_TABLES = ['purchases', 'points', 'engagement', 'surveys', 'declarations'] as const;

/** Members with an event after `after` and at or before `through`. */
export async function membersWithEventsBetween(
  db: Kysely<Schema>,
  programId: string,
  after: Date,
  through: Date,
): Promise<number[]> {
  return ids(
    await rows(
      db,
      EVENT_TABLES.map(
        (table) =>
          `SELECT member_id FROM ${table} WHERE program_id = $1 AND occurred_at > $2 AND occurred_at <= $3`,
      ).join(' UNION '),
      [programId, after, through],
    ),
  );
}

/** Whether the program holds any event after `after`. */
export async function programHasEventsAfter(
  db: Kysely<Schema>,
  programId: string,
  after: Date,
): Promise<boolean> {
  const [row] = await rows<{ found: boolean }>(
    db,
    `SELECT ${EVENT_TABLES.map(
      (table) => `EXISTS (SELECT 1 FROM ${table} WHERE program_id = $1 AND occurred_at > $2)`,
    ).join(' OR ')} AS found`,
    [programId, after],
  );
  return row?.found === true;
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
