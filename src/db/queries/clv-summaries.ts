import { CompiledQuery, type Kysely, sql, type Transaction } from 'kysely';
import type { Schema } from '../schema.ts';

// The sufficient statistics of the BTYD models, computed where the purchases are. Definitions follow
// src/domain/clv/summaries.ts (the tested reference) exactly:
// - a "transaction" is a member's UTC calendar day with at least one order (same-day orders merged);
//   refunds are not transactions and are not netted, as the models describe purchase occasions;
// - x = transaction days after the first one, up to and including the calibration end day;
// - money is `amount`, the order total the member paid (postage and fees included), not
//   `merchandise_amount`: CLV is what a member is worth in revenue, and on CDNOW (no items) the two
//   are equal, so the published Gamma-Gamma figures are reproduced either way;
// - members whose first order falls after the calibration end are not customers yet and are left out.
// Everything is aggregated set-based and sent back as a few arrays of integers (money as 1/10000
// units, days as day numbers), so a million members arrive without a JavaScript object per row.
// The members are split into ranges of member_id read concurrently on separate connections: the
// per-member work (a window pass over every order) is CPU-bound in the server, and a server query
// runs on one core, so on PostgreSQL the ranges use the server's other cores.

/** Member-id ranges read concurrently (each in its own transaction, on its own pooled connection). */
const READ_RANGES = 4;
/** Members per text value in readPurchaseDays: keeps each value well below the engines' size limits. */
const MEMBERS_PER_CHUNK = 100_000;
/** Money travels as integers of 1/MONEY_UNITS currency units. */
export const MONEY_UNITS = 10_000;
export const DAY_MS = 86_400_000;

/** Per-member summaries as parallel columns (index i is one member). */
export interface ClvSummaryColumns {
  /** Internal member ids (members.member_id). */
  memberId: Float64Array;
  /** Repeat transaction days up to the calibration end. */
  x: Int32Array;
  /** UTC day number (days since 1970-01-01) of the first order. */
  firstDay: Int32Array;
  /** UTC day number of the last transaction day up to the calibration end. */
  lastDay: Int32Array;
  /** Sum of `amount` over the repeat calibration transactions, in currency units. */
  repeatSpend: Float64Array;
  /** Transaction days after the calibration end up to the holdout end (zeros without a holdout). */
  holdoutX: Int32Array;
  /** UTC day number of the calibration end. */
  calibrationEndDay: number;
  length: number;
  /**
   * Where they were read from: the per-member summaries kept current as purchases arrive
   * (clv-kept-summaries.ts), or a window pass over the orders.
   */
  source: 'kept' | 'orders';
}

export interface ClvSummaryQuery {
  programId: string;
  /** Last calibration day, inclusive (its UTC calendar day counts). */
  calibrationEnd: Date;
  /** Last holdout day, inclusive; when absent holdoutX is all zeros. */
  holdoutEnd?: Date | undefined;
}

// One pass in (member, time) order straight off the purchases_member_idx index, so nothing is sorted
// or hashed per purchase: lag() marks the first order of each UTC day (same-day orders merged) and
// first_value() gives the member's first day; the member-level aggregate then reads presorted rows.
// Measured at 1M members on PostgreSQL 15 this beat grouping by (member, day) first (which hashes
// ~6M groups and spills, or sorts them), count(DISTINCT day) (cheaper, but the first day's spend
// still needs the window) and streaming the orders out with COPY to summarise in JavaScript. The
// ROWS frame spares the window the peer-group search of the default RANGE frame; arrays are cheaper
// for the server to print than a text value per member.
const SUMMARIES = `
WITH p AS (
  SELECT member_id, occurred_at, amount,
    ((occurred_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01') AS day
  FROM purchases
  WHERE program_id = $1 AND member_id BETWEEN $4 AND $5 AND kind = 'order' AND occurred_at < $3
), r AS (
  SELECT member_id, day, amount,
    first_value(day) OVER w AS first_day,
    day IS DISTINCT FROM lag(day) OVER w AS new_day
  FROM p
  WINDOW w AS (PARTITION BY member_id ORDER BY occurred_at ROWS UNBOUNDED PRECEDING)
), members AS (
  SELECT member_id, min(first_day) AS first_day,
    count(*) FILTER (WHERE new_day AND day > first_day AND day <= $2) AS x,
    max(day) FILTER (WHERE day <= $2) AS last_day,
    COALESCE(sum(amount) FILTER (WHERE day > first_day AND day <= $2), 0) AS repeat_spend,
    count(*) FILTER (WHERE new_day AND day > $2) AS holdout_x
  FROM r
  GROUP BY member_id
  HAVING min(first_day) <= $2
)
SELECT count(*)::int AS n,
  array_agg(member_id)::text AS member_id,
  array_agg(x)::text AS x,
  array_agg(first_day)::text AS first_day,
  array_agg(last_day)::text AS last_day,
  array_agg((repeat_spend * ${MONEY_UNITS})::int8)::text AS repeat_spend,
  array_agg(holdout_x)::text AS holdout_x
FROM members`;

interface SummaryChunk {
  n: number;
  member_id: string | null;
  x: string | null;
  first_day: string | null;
  last_day: string | null;
  repeat_spend: string | null;
  holdout_x: string | null;
}

/**
 * Runs a read with JIT compilation off: PostgreSQL would JIT these plans by their cost, spending
 * about a second compiling for a one-pass scan that gains nothing from it.
 */
export function withoutJit<T>(
  db: Kysely<Schema>,
  read: (trx: Transaction<Schema>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`SET LOCAL jit = off`.execute(trx);
    return read(trx);
  });
}

/** UTC day number of an instant. */
export function utcDayNumber(at: Date): number {
  return Math.floor(at.getTime() / DAY_MS);
}

/**
 * Reads every customer's calibration summary (and holdout count) of one program, in member_id
 * order, from the orders themselves: right for any calibration end and holdout. readClvSummaries
 * (clv-kept-summaries.ts) calls it when the kept summaries cannot give the same result.
 */
export async function readClvSummariesFromOrders(
  db: Kysely<Schema>,
  query: ClvSummaryQuery,
): Promise<ClvSummaryColumns> {
  const calibrationEndDay = utcDayNumber(query.calibrationEnd);
  const lastDay = query.holdoutEnd === undefined ? calibrationEndDay : utcDayNumber(query.holdoutEnd);
  if (lastDay < calibrationEndDay) throw new RangeError('the holdout end is before the calibration end');
  const bounds = await db
    .selectFrom('purchases')
    .select((eb) => [eb.fn.min('member_id').as('lo'), eb.fn.max('member_id').as('hi')])
    .where('program_id', '=', query.programId)
    .executeTakeFirst();
  const chunks: SummaryChunk[] = [];
  if (bounds?.lo !== null && bounds?.lo !== undefined && bounds.hi !== null && bounds.hi !== undefined) {
    const lo = Number(bounds.lo);
    const span = Number(bounds.hi) - lo + 1;
    const ranges = Math.max(1, Math.min(READ_RANGES, span));
    const parameters = [query.programId, calibrationEndDay, new Date((lastDay + 1) * DAY_MS)];
    const results = await Promise.all(
      Array.from({ length: ranges }, (_, k) =>
        withoutJit(db, (trx) =>
          trx.executeQuery<SummaryChunk>(
            CompiledQuery.raw(SUMMARIES, [
              ...parameters,
              lo + Math.floor((k * span) / ranges),
              lo + Math.floor(((k + 1) * span) / ranges) - 1,
            ]),
          ),
        ),
      ),
    );
    for (const { rows } of results) for (const row of rows) if (row.n > 0) chunks.push(row);
  }
  const length = chunks.reduce((sum, c) => sum + c.n, 0);
  const columns: ClvSummaryColumns = {
    memberId: new Float64Array(length),
    x: new Int32Array(length),
    firstDay: new Int32Array(length),
    lastDay: new Int32Array(length),
    repeatSpend: new Float64Array(length),
    holdoutX: new Int32Array(length),
    calibrationEndDay,
    length,
    source: 'orders',
  };
  let offset = 0;
  for (const chunk of chunks) {
    columns.memberId.set(parseIntegers(chunk.member_id ?? '', chunk.n), offset);
    columns.x.set(parseIntegers(chunk.x ?? '', chunk.n), offset);
    columns.firstDay.set(parseIntegers(chunk.first_day ?? '', chunk.n), offset);
    columns.lastDay.set(parseIntegers(chunk.last_day ?? '', chunk.n), offset);
    const spend = parseIntegers(chunk.repeat_spend ?? '', chunk.n);
    for (let i = 0; i < chunk.n; i++) columns.repeatSpend[offset + i] = (spend[i] as number) / MONEY_UNITS;
    columns.holdoutX.set(parseIntegers(chunk.holdout_x ?? '', chunk.n), offset);
    offset += chunk.n;
  }
  return columns;
}

/**
 * Parses `count` (possibly negative) integers separated by anything else (spaces, or an array's
 * braces and commas) without allocating a string per value.
 */
export function parseIntegers(text: string, count: number): Float64Array {
  const out = new Float64Array(count);
  let k = 0;
  let value = 0;
  let sign = 1;
  let inNumber = false;
  for (let p = 0; p <= text.length; p++) {
    const c = p < text.length ? text.charCodeAt(p) : 32;
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      inNumber = true;
    } else if (c === 45) {
      sign = -1;
    } else if (inNumber) {
      out[k++] = sign * value;
      value = 0;
      sign = 1;
      inNumber = false;
    }
  }
  if (k !== count) throw new Error(`expected ${count} summary values, parsed ${k}`);
  return out;
}

const REPEAT_DAYS = `
WITH days AS (
  SELECT DISTINCT member_id, ((occurred_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01') AS day
  FROM purchases
  WHERE program_id = $1 AND kind = 'order' AND occurred_at < $3
)
SELECT string_agg(concat_ws(' ', member_id, day), ' ') AS data, count(*)::int AS n
FROM days
WHERE member_id IN (
  SELECT member_id FROM purchases WHERE program_id = $1 AND kind = 'order' AND occurred_at < $2
)
GROUP BY member_id / ${MEMBERS_PER_CHUNK}`;

/**
 * Every (member, UTC day) with an order up to the holdout end, for members who had ordered by the
 * calibration end: the input of the cumulative repeat-purchase tracking. Pairs, not rows, so a
 * large program's history stays compact.
 */
export async function readPurchaseDays(
  db: Kysely<Schema>,
  query: ClvSummaryQuery & { holdoutEnd: Date },
): Promise<{ memberId: Float64Array; day: Float64Array }> {
  const calibrationBound = new Date((utcDayNumber(query.calibrationEnd) + 1) * DAY_MS);
  const holdoutBound = new Date((utcDayNumber(query.holdoutEnd) + 1) * DAY_MS);
  const { rows } = await db.executeQuery<{ data: string; n: number }>(
    CompiledQuery.raw(REPEAT_DAYS, [query.programId, calibrationBound, holdoutBound]),
  );
  const length = rows.reduce((sum, r) => sum + r.n, 0);
  const memberId = new Float64Array(length);
  const day = new Float64Array(length);
  let i = 0;
  for (const row of rows) {
    const values = parseIntegers(row.data, row.n * 2);
    for (let k = 0; k < values.length; k += 2, i++) {
      memberId[i] = values[k] as number;
      day[i] = values[k + 1] as number;
    }
  }
  return { memberId, day };
}

/** The program's first order time, or null before any order. */
export async function firstOrderAt(db: Kysely<Schema>, programId: string): Promise<Date | null> {
  const row = await db
    .selectFrom('purchases')
    .select((eb) => eb.fn.min('occurred_at').as('first'))
    .where('program_id', '=', programId)
    .where('kind', '=', 'order')
    .executeTakeFirst();
  return (row?.first as Date | null | undefined) ?? null;
}
