import { type Kysely, sql } from 'kysely';
import type { Schema } from '../schema.ts';

// The counts behind the program health report (docs/measurement.md): size snapshots and member
// counts at each period's end, engagement per join-month cohort and per segment, and points balances.
// Periods are half-open [starts, ends), handed in as JSON so one statement covers all of them.

export interface HealthPeriod {
  label: string;
  starts: Date;
  ends: Date;
}

const periodsJson = (periods: readonly HealthPeriod[]) =>
  JSON.stringify(
    periods.map((p) => ({ label: p.label, starts: p.starts.toISOString(), ends: p.ends.toISOString() })),
  );

const PERIODS = (periods: readonly HealthPeriod[]) =>
  sql`jsonb_to_recordset(${periodsJson(periods)}::jsonb) AS p (label text, starts timestamptz, ends timestamptz)`;

/** Each segment's latest size snapshot before each period's end. */
export async function sizesAtPeriodEnds(
  db: Kysely<Schema>,
  programId: string,
  periods: readonly HealthPeriod[],
) {
  const result = await sql<{ period: string; scheme: string; segment: string; size: number }>`
    SELECT p.label AS period, s.scheme, s.segment, s.size::int AS size
    FROM ${PERIODS(periods)}
    CROSS JOIN LATERAL (
      SELECT DISTINCT ON (scheme, segment) scheme, segment, size FROM segment_sizes
      WHERE program_id = ${programId} AND as_of < p.ends
      ORDER BY scheme, segment, as_of DESC
    ) s
    ORDER BY p.ends, s.scheme, s.segment`.execute(db);
  return result.rows;
}

/** Members who had joined by each period's end. */
export async function membersAtPeriodEnds(
  db: Kysely<Schema>,
  programId: string,
  periods: readonly HealthPeriod[],
) {
  const result = await sql<{ period: string; members: number }>`
    SELECT p.label AS period, count(m.member_id)::int AS members
    FROM ${PERIODS(periods)} LEFT JOIN members m ON m.program_id = ${programId} AND m.joined_at < p.ends
    GROUP BY p.label`.execute(db);
  return result.rows;
}

/** Active: at least one engagement event or order in the period. */
const ACTIVE = (programId: string) => sql`(
  EXISTS (SELECT 1 FROM engagement e WHERE e.program_id = ${programId} AND e.member_id = m.member_id
          AND e.occurred_at >= p.starts AND e.occurred_at < p.ends)
  OR EXISTS (SELECT 1 FROM purchases o WHERE o.program_id = ${programId} AND o.member_id = m.member_id
          AND o.kind = 'order' AND o.occurred_at >= p.starts AND o.occurred_at < p.ends))`;

/** Members (joined by the period's end) and active members per join month (UTC) and period. */
export async function engagementByCohort(
  db: Kysely<Schema>,
  programId: string,
  periods: readonly HealthPeriod[],
) {
  const result = await sql<{ period: string; group: string; members: number; active: number }>`
    SELECT p.label AS period, to_char(m.joined_at AT TIME ZONE 'UTC', 'YYYY-MM') AS "group",
           count(*)::int AS members, count(*) FILTER (WHERE ${ACTIVE(programId)})::int AS active
    FROM ${PERIODS(periods)} JOIN members m ON m.program_id = ${programId} AND m.joined_at < p.ends
    GROUP BY 1, 2`.execute(db);
  return result.rows;
}

/**
 * Members and active members per segment of `scheme` at each period's end (rebuilt from the
 * transitions: in a segment when the member's last transition of it before the end is an entry).
 */
export async function engagementBySegment(
  db: Kysely<Schema>,
  programId: string,
  scheme: string,
  periods: readonly HealthPeriod[],
) {
  const result = await sql<{ period: string; group: string; members: number; active: number }>`
    SELECT p.label AS period, m.segment AS "group",
           count(*)::int AS members, count(*) FILTER (WHERE ${ACTIVE(programId)})::int AS active
    FROM ${PERIODS(periods)}
    CROSS JOIN LATERAL (
      SELECT member_id, segment FROM (
        SELECT DISTINCT ON (member_id, segment) member_id, segment, change FROM segment_transitions
        WHERE program_id = ${programId} AND scheme = ${scheme} AND at < p.ends
        ORDER BY member_id, segment, at DESC, seq DESC
      ) latest WHERE change = 'entered'
    ) m
    GROUP BY 1, 2`.execute(db);
  return result.rows;
}

/**
 * Positive points balances before `until` (earned + adjusted - redeemed - expired), each with the
 * member's segment of `scheme` now (the first by name when a scheme overlaps), and the program's
 * redeemed and expired points.
 */
export async function pointsBalances(db: Kysely<Schema>, programId: string, scheme: string, until: Date) {
  const balances = await sql<{ points: string; segment: string | null }>`
    SELECT b.balance::text AS points, (
      SELECT min(s.segment) FROM segment_memberships s
      WHERE s.program_id = ${programId} AND s.member_id = b.member_id AND s.scheme = ${scheme}
    ) AS segment
    FROM (
      SELECT member_id, sum(CASE WHEN type IN ('earn', 'adjust') THEN points ELSE -points END) AS balance
      FROM points WHERE program_id = ${programId} AND occurred_at < ${until}
      GROUP BY member_id
    ) b
    WHERE b.balance > 0`.execute(db);
  const totals = await sql<{ redeemed: string | null; expired: string | null }>`
    SELECT sum(points) FILTER (WHERE type = 'redeem')::text AS redeemed,
           sum(points) FILTER (WHERE type = 'expire')::text AS expired
    FROM points WHERE program_id = ${programId} AND occurred_at < ${until}`.execute(db);
  const row = totals.rows[0];
  return {
    balances: balances.rows.map((r) => ({ group: r.segment, points: Number(r.points) })),
    redeemedPoints: Number(row?.redeemed ?? 0),
    expiredPoints: Number(row?.expired ?? 0),
  };
}
