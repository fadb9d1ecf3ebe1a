import { CompiledQuery, type Kysely } from 'kysely';
import type { Schema } from '../schema.ts';
import { memberProbe } from './member-probe.ts';
import { PROGRAM_PARAM } from './program-param.ts';

// Reads and writes of the segment engine's per-member state. Every statement is scoped by program
// and takes its rows as one json parameter (like the record writer), so a chunk of members is one
// round trip whatever its size.

/** A member's stored state with what evaluating it needs beside its aggregates. */
export interface MemberStateRow {
  member_id: number;
  external_id: string;
  joined_at: Date;
  aggregates: unknown;
  last_purchase_day: number | null;
  frequency_orders: number;
  monetary_total: string | null;
  r_score: number | null;
  f_score: number | null;
  m_score: number | null;
  expected_purchases: number | null;
  p_alive: number | null;
  expected_spend: string | null;
  clv: string | null;
  clv_percentile: number | null;
  memberships: { scheme: string; segment: string; explanation: string }[];
}

/**
 * Locks the state rows of members `$2` (int8[], sorted) of program `$1`, first creating an empty
 * one (aggregates `$3`, as of `$4`) for each member that has none, so that every member can be
 * locked: one statement, the rows taken in the order given. A conflicting row is locked by its
 * (program_id, member_id) key whatever the statistics say, and `DO UPDATE ... WHERE false` locks it
 * as FOR UPDATE would without writing a new version of it.
 */
export const LOCK_MEMBER_STATES = `INSERT INTO member_features AS f (program_id, member_id, aggregates, features, as_of)
  SELECT $1, id, $3::jsonb, '{}'::jsonb, $4 FROM unnest($2::int8[]) AS id
  ON CONFLICT (program_id, member_id) DO UPDATE SET as_of = f.as_of WHERE false`;

/**
 * The members' state rows, locked for this transaction (created empty for members that have none),
 * with each member's join date, CLV predictions and current memberships. `memberIds` must be
 * sorted and distinct. The rows are locked first, in member order (two transactions never wait on
 * each other in a cycle), and read by a second statement: its fresh snapshot sees what a
 * transaction that held a lock committed, memberships included (a single SELECT ... FOR UPDATE
 * re-reads only the locked rows after a wait, not its subqueries).
 */
export async function lockMemberStates(
  db: Kysely<Schema>,
  programId: string,
  memberIds: readonly number[],
  emptyAggregates: string,
  asOf: Date,
): Promise<MemberStateRow[]> {
  if (memberIds.length === 0) return [];
  // Locked through the insert's conflict check, which probes the (program_id, member_id) key for
  // each member in the order given: a plain `member_id = ANY(...) ORDER BY member_id ... FOR UPDATE`
  // let the planner walk the program's whole key range in order instead, which it did when its
  // statistics described fewer rows than the table held (a rebuild or an import writing every
  // member's state in one transaction): each chunk then read every member's row.
  await db.executeQuery(CompiledQuery.raw(LOCK_MEMBER_STATES, [programId, memberIds, emptyAggregates, asOf]));
  // Each part is looked up per member (memberProbe): as one join over `member_id = ANY(...)`, a
  // 2,000-member chunk of a million-member program was planned as a parallel scan of every member.
  const { rows } = await db.executeQuery<MemberStateRow>(
    CompiledQuery.raw(
      `SELECT f.member_id, m.external_id, m.joined_at, f.aggregates, r.last_purchase_day,
         COALESCE(r.frequency_orders, 0) AS frequency_orders, r.monetary_total, r.r_score, r.f_score, r.m_score,
         p.expected_purchases, p.p_alive, p.expected_spend, p.clv, p.clv_percentile,
         COALESCE((SELECT json_agg(json_build_object('scheme', s.scheme, 'segment', s.segment,
             'explanation', s.explanation))
           FROM segment_memberships s WHERE s.program_id = ${PROGRAM_PARAM} AND s.member_id = u.id),
           '[]'::json) AS memberships
       FROM unnest($2::int8[]) AS u(id)
       ${memberProbe('member_features', 'member_id, aggregates', 'u.id', 'f')}
       ${memberProbe(
         'member_ranks',
         'last_purchase_day, frequency_orders, monetary_total, r_score, f_score, m_score',
         'u.id',
         'r',
         'left',
       )}
       ${memberProbe('members', 'external_id, joined_at', 'u.id', 'm')}
       ${memberProbe(
         'member_predictions',
         'expected_purchases, p_alive, expected_spend, clv, clv_percentile',
         'u.id',
         'p',
         'left',
       )}`,
      [programId, memberIds],
    ),
  );
  return rows;
}

/** The internal ids of members named by their external ids; unknown ids are left out. */
export async function memberIdsOf(
  db: Kysely<Schema>,
  programId: string,
  externalIds: readonly string[],
): Promise<Map<string, number>> {
  if (externalIds.length === 0) return new Map();
  const { rows } = await db.executeQuery<{ member_id: number; external_id: string }>(
    CompiledQuery.raw(
      `SELECT member_id, external_id FROM members
       WHERE program_id = ${PROGRAM_PARAM} AND external_id = ANY($2::text[])`,
      [programId, externalIds],
    ),
  );
  return new Map(rows.map((r) => [r.external_id, Number(r.member_id)]));
}

/** A member's state after evaluation. */
export interface MemberStateUpdate {
  member_id: number;
  /** null: unchanged, the stored aggregates are kept. */
  aggregates: unknown;
  features: unknown;
  review_day: number | null;
  last_purchase_day: number | null;
  frequency_orders: number;
  monetary_total: string | null;
  r_score: number | null;
  f_score: number | null;
  m_score: number | null;
  /** The values of the features the program's top-percent rules read (EvaluationSetup.topFeatures). */
  top_values: Record<string, unknown> | null;
}

/**
 * Stores members' evaluated state `$2` (jsonb rows of MemberStateUpdate) of program `$1` as of
 * `$3`: the wide row (aggregates, features) and the narrow rank row. A missing rank row is created;
 * an existing one is updated only where a value differs, so an event that moves neither the
 * member's R/F/M inputs, their review day nor their top-percent values neither writes nor locks it
 * (an upsert's conflict path locks the row even when it writes nothing, and that lock was a page
 * image in the WAL for every event after each checkpoint). The insert and the update see the same
 * snapshot: the update skips the rows the insert creates, which already hold their values. Both
 * updates also name their members as an array, so that they read them by key even where the table
 * is small enough, or its statistics stale enough, for reading the whole program to look cheaper
 * (a plan test caught each doing so; ADR 0031).
 */
export const WRITE_MEMBER_STATES = `WITH u AS MATERIALIZED (
         SELECT * FROM jsonb_to_recordset($2::jsonb) AS u(member_id bigint, aggregates jsonb, features jsonb,
           review_day integer, last_purchase_day integer, frequency_orders integer, monetary_total numeric,
           r_score smallint, f_score smallint, m_score smallint, top_values jsonb)
       ),
       created AS (
         INSERT INTO member_ranks (program_id, member_id, review_day, last_purchase_day,
           frequency_orders, monetary_total, r_score, f_score, m_score, top_values)
         SELECT $1, member_id, review_day, last_purchase_day, frequency_orders, monetary_total,
           r_score, f_score, m_score, top_values
         FROM u
         ON CONFLICT (program_id, member_id) DO NOTHING
       ),
       changed AS (
         UPDATE member_ranks r SET review_day = u.review_day, last_purchase_day = u.last_purchase_day,
           frequency_orders = u.frequency_orders, monetary_total = u.monetary_total, r_score = u.r_score,
           f_score = u.f_score, m_score = u.m_score, top_values = u.top_values
         FROM u
         WHERE r.program_id = ${PROGRAM_PARAM} AND r.member_id = u.member_id
           AND r.member_id = ANY (ARRAY(SELECT member_id FROM u))
           AND (r.review_day, r.last_purchase_day, r.frequency_orders, r.monetary_total, r.r_score,
               r.f_score, r.m_score, r.top_values)
             IS DISTINCT FROM (u.review_day, u.last_purchase_day, u.frequency_orders,
               u.monetary_total::numeric(18, 4), u.r_score, u.f_score, u.m_score, u.top_values)
       )
       UPDATE member_features f SET aggregates = COALESCE(u.aggregates, f.aggregates), features = u.features,
         as_of = $3, updated_at = now()
       FROM u
       WHERE f.program_id = ${PROGRAM_PARAM} AND f.member_id = u.member_id
         AND f.member_id = ANY (ARRAY(SELECT member_id FROM u))`;

/**
 * Stores members' evaluated state. The rows travel as jsonb, not json: the aggregates and features
 * are nested objects, which json_to_recordset would print and parse again per row (a third of the
 * statement's time for 5,000 members).
 */
export async function writeMemberStates(
  db: Kysely<Schema>,
  programId: string,
  asOf: Date,
  updates: readonly MemberStateUpdate[],
): Promise<void> {
  if (updates.length === 0) return;
  await db.executeQuery(CompiledQuery.raw(WRITE_MEMBER_STATES, [programId, JSON.stringify(updates), asOf]));
}

/** A membership change to store: entered, left, or still a member with a new explanation. */
export interface MembershipChangeRow {
  member_id: number;
  scheme: string;
  segment: string;
  explanation: string;
  change: 'entered' | 'left' | 'reworded';
}

/**
 * Applies membership changes `$2` (json rows of MembershipChangeRow) of program `$1` at `$3`
 * with cause `$4`; see writeMembershipChanges.
 */
export const WRITE_MEMBERSHIP_CHANGES = `WITH c AS (SELECT * FROM json_to_recordset($2::json) AS c(member_id bigint, scheme text, segment text, explanation text, change text)),
       removed AS (
         DELETE FROM segment_memberships s USING c
         WHERE c.change = 'left' AND s.program_id = ${PROGRAM_PARAM} AND s.member_id = c.member_id
           AND s.scheme = c.scheme AND s.segment = c.segment
       ),
       reworded AS (
         UPDATE segment_memberships s SET explanation = c.explanation FROM c
         WHERE c.change = 'reworded' AND s.program_id = ${PROGRAM_PARAM} AND s.member_id = c.member_id
           AND s.scheme = c.scheme AND s.segment = c.segment
       ),
       added AS (
         INSERT INTO segment_memberships (program_id, member_id, scheme, segment, since, explanation)
         SELECT $1, c.member_id, c.scheme, c.segment, $3, c.explanation FROM c WHERE c.change = 'entered'
       ),
       transitions AS (
         INSERT INTO segment_transitions (program_id, member_id, scheme, segment, change, at, cause, explanation)
         SELECT $1, c.member_id, c.scheme, c.segment, c.change, $3, $4, c.explanation
         FROM c WHERE c.change IN ('entered', 'left')
         RETURNING seq, member_id, scheme, segment, change, at, cause, explanation
       )
       INSERT INTO webhook_deliveries (id, program_id, webhook_id, payload, next_attempt_at)
       SELECT w.id || ':' || t.seq, $1, w.id,
         json_build_object('id', w.id || ':' || t.seq, 'type', 'segment.' || t.change, 'programId', $1::text,
           'memberId', m.external_id, 'scheme', t.scheme, 'segment', t.segment,
           'at', to_char(t.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'cause', t.cause, 'explanation', t.explanation),
         now()
       FROM transitions t
       JOIN webhooks w ON w.program_id = $1 AND w.disabled_at IS NULL AND ('segment.' || t.change) = ANY (w.events)
       -- one probe per transition a webhook wants: a hash join here read every member of the
       -- program for each chunk of a rebuild
       ${memberProbe('members', 'external_id', 't.member_id', 'm')}`;

/**
 * Applies membership changes, records each entry and exit as a transition, and queues one delivery
 * per transition for every enabled webhook that asked for it: all in the caller's transaction, so a
 * transition is never lost and never announced without having happened.
 */
export async function writeMembershipChanges(
  db: Kysely<Schema>,
  programId: string,
  at: Date,
  cause: 'event' | 'refresh' | 'definition',
  changes: readonly MembershipChangeRow[],
): Promise<void> {
  if (changes.length === 0) return;
  // The memberships removed or reworded are matched with the program behind PROGRAM_PARAM: with
  // statistics that put a new program at no rows, the planner scanned the program's memberships
  // once per change, and an import's 5,000-member chunk ran for minutes (ADR 0031).
  await db.executeQuery(
    CompiledQuery.raw(WRITE_MEMBERSHIP_CHANGES, [programId, JSON.stringify(changes), at, cause]),
  );
}
