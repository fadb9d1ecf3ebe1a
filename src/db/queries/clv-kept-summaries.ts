import { CompiledQuery, type Kysely } from 'kysely';
import type { Schema } from '../schema.ts';
import {
  type ClvSummaryColumns,
  type ClvSummaryQuery,
  DAY_MS,
  MONEY_UNITS,
  parseIntegers,
  readClvSummariesFromOrders,
  utcDayNumber,
  withoutJit,
} from './clv-summaries.ts';

// The CLV summaries from the per-member state the segment engine keeps current in the ingest
// transaction (member_features; the clv_* columns of migration 0010, computed by the database from
// each member's aggregates): one narrow row per customer off a covering index, instead of a window
// pass over every order. The state folds in all of a member's orders, so it answers only for a
// calibration end on or after the newest of them and without a holdout; it is used only when it
// provably describes exactly the orders the window pass would read:
// - no member's kept orders fall after the calibration end (the newest kept order day);
// - every customer's order totals are known (state stored before migration 0010 lacks them);
// - the kept orders number exactly the program's orders up to the calibration end. Kept orders are
//   orders of the program, so with none after the end, equal counts mean the same orders: a member
//   without state, or orders written past the segment upkeep, make the counts differ.
// The count and the state are read concurrently in separate snapshots; orders are only ever added,
// so equal counts also mean no order committed between the two.

const KEPT = `
SELECT count(*)::int AS n,
  count(*) FILTER (WHERE clv_repeat_amount IS NULL)::int AS unknown,
  COALESCE(sum(clv_orders), 0)::text AS orders,
  max(clv_last_day) AS newest,
  array_agg(member_id)::text AS member_id,
  array_agg(clv_order_days - 1)::text AS x,
  array_agg(clv_first_day)::text AS first_day,
  array_agg(clv_last_day)::text AS last_day,
  array_agg((clv_repeat_amount * ${MONEY_UNITS})::int8)::text AS repeat_spend
FROM (
  SELECT member_id, clv_orders, clv_order_days, clv_first_day, clv_last_day, clv_repeat_amount
  FROM member_features
  WHERE program_id = $1 AND clv_order_days > 0
  ORDER BY member_id
) f`;

const ORDERS_UP_TO = `
SELECT count(*)::text AS n FROM purchases WHERE program_id = $1 AND kind = 'order' AND occurred_at < $2`;

interface KeptRow {
  n: number;
  unknown: number;
  orders: string;
  newest: number | null;
  member_id: string | null;
  x: string | null;
  first_day: string | null;
  last_day: string | null;
  repeat_spend: string | null;
}

/** The kept summaries, or why they cannot stand in for the window pass over the orders. */
export type KeptSummaries = { ok: true; columns: ClvSummaryColumns } | { ok: false; reason: string };

/** Reads the program's kept per-member summaries when they equal what readClvSummariesFromOrders returns. */
export async function readKeptClvSummaries(
  db: Kysely<Schema>,
  query: ClvSummaryQuery,
): Promise<KeptSummaries> {
  const calibrationEndDay = utcDayNumber(query.calibrationEnd);
  if (query.holdoutEnd !== undefined && utcDayNumber(query.holdoutEnd) > calibrationEndDay) {
    return { ok: false, reason: 'a holdout period needs the orders after the calibration end' };
  }
  const bound = new Date((calibrationEndDay + 1) * DAY_MS);
  const [kept, counted] = await Promise.all([
    withoutJit(db, (trx) => trx.executeQuery<KeptRow>(CompiledQuery.raw(KEPT, [query.programId]))),
    withoutJit(db, (trx) =>
      trx.executeQuery<{ n: string }>(CompiledQuery.raw(ORDERS_UP_TO, [query.programId, bound])),
    ),
  ]);
  const row = kept.rows[0] as KeptRow;
  const orders = (counted.rows[0] as { n: string }).n;
  if (row.newest !== null && row.newest > calibrationEndDay) {
    return { ok: false, reason: 'members have orders after the calibration end' };
  }
  if (row.unknown > 0) {
    return {
      ok: false,
      reason: `${row.unknown} customers' kept state predates order totals (refresh --rebuild)`,
    };
  }
  if (row.orders !== orders) {
    return {
      ok: false,
      reason: `kept state covers ${row.orders} orders, the program has ${orders} up to the calibration end`,
    };
  }
  const n = row.n;
  const columns: ClvSummaryColumns = {
    memberId: parseIntegers(row.member_id ?? '', n),
    x: Int32Array.from(parseIntegers(row.x ?? '', n)),
    firstDay: Int32Array.from(parseIntegers(row.first_day ?? '', n)),
    lastDay: Int32Array.from(parseIntegers(row.last_day ?? '', n)),
    repeatSpend: parseIntegers(row.repeat_spend ?? '', n).map((units) => units / MONEY_UNITS),
    holdoutX: new Int32Array(n),
    calibrationEndDay,
    length: n,
    source: 'kept',
  };
  for (let i = 1; i < n; i++) {
    if ((columns.memberId[i] as number) <= (columns.memberId[i - 1] as number)) {
      throw new Error('kept CLV summaries did not arrive in member_id order');
    }
  }
  return { ok: true, columns };
}

/**
 * Reads every customer's calibration summary (and holdout count) of one program, in member_id
 * order: from the kept per-member summaries when they give exactly the same result, else from a
 * window pass over the orders. `source` on the result says which.
 */
export async function readClvSummaries(
  db: Kysely<Schema>,
  query: ClvSummaryQuery,
): Promise<ClvSummaryColumns> {
  const kept = await readKeptClvSummaries(db, query);
  return kept.ok ? kept.columns : readClvSummariesFromOrders(db, query);
}
