import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { readClvSummaries, readKeptClvSummaries } from '../src/db/queries/clv-kept-summaries.ts';
import {
  type ClvSummaryColumns,
  readClvSummariesFromOrders,
  utcDayNumber,
} from '../src/db/queries/clv-summaries.ts';
import type { MemberHistory } from '../src/domain/features/member-history.ts';
import { createProgram } from '../src/services/create-program.ts';
import { type Deps, silentLog } from '../src/services/deps.ts';
import { ingestBatch } from '../src/services/ingest-batch.ts';
import { refreshSegments } from '../src/services/segments/refresh-segments.ts';
import { freshProgramId, openTestDatabase } from './fixtures/database.ts';
import { memberHistory, SPAN_MS, START } from './fixtures/member-histories.ts';

// The CLV fit reads its summaries from the per-member state the segment engine keeps current as
// purchases arrive, in place of a window pass over every order, only where the two agree. Random
// programs go through the real ingest (purchases in any order and batching, with refreshes and
// rebuilds between) on the database under test; the kept read must then equal the window pass
// whenever it answers, answer whenever the calibration end is on or after the newest order, and
// step aside otherwise.

const database = await openTestDatabase();
afterAll(() => database.close());

const DAY_MS = 86_400_000;
const AFTER_ALL = START + SPAN_MS + DAY_MS;

type Purchase = MemberHistory['purchases'][number];
type Row = { memberId: string; purchase: Purchase };

async function programWith(
  members: readonly (readonly Purchase[])[],
  {
    batchSize,
    seed,
    refreshAt,
    rebuild = false,
  }: { batchSize: number; seed: number; refreshAt: number | null; rebuild?: boolean },
) {
  const programId = freshProgramId('clvk');
  let now = new Date(AFTER_ALL);
  const deps: Deps = { db: database.db, clock: () => now, log: silentLog };
  await createProgram(deps, { programId });
  await ingestBatch(deps, {
    programId,
    kind: 'members',
    records: members.map((_, i) => ({ id: `m${i}`, joinedAt: new Date(START).toISOString() })),
  });
  const rows: Row[] = members.flatMap((list, i) => list.map((purchase) => ({ memberId: `m${i}`, purchase })));
  let state = seed;
  for (let i = rows.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) | 0;
    const j = Math.abs(state) % (i + 1);
    [rows[i], rows[j]] = [rows[j] as Row, rows[i] as Row];
  }
  for (let i = 0; i < rows.length; i += batchSize) {
    if (refreshAt !== null && i <= refreshAt * rows.length && refreshAt * rows.length < i + batchSize) {
      await refreshSegments(deps, { programId, rebuild });
    }
    await ingestBatch(deps, {
      programId,
      kind: 'purchases',
      records: rows.slice(i, i + batchSize).map(({ memberId, purchase: p }) => ({
        id: `${memberId}-${p.id}`,
        memberId,
        occurredAt: p.occurredAt,
        kind: p.kind,
        amount: p.amount,
      })),
    });
  }
  now = new Date(AFTER_ALL + DAY_MS);
  return { programId, deps };
}

const withoutSource = ({ source: _, ...columns }: ClvSummaryColumns) => columns;

const scenario = fc.record({
  // Purchases folded into 40 days, so same-day orders and late orders before a first day abound.
  members: fc.array(
    memberHistory.map((h) =>
      h.purchases.map((p) => ({
        ...p,
        occurredAt: new Date(START + ((Date.parse(p.occurredAt) - START) % (40 * DAY_MS))).toISOString(),
      })),
    ),
    { minLength: 1, maxLength: 5 },
  ),
  rebuild: fc.boolean(),
  batchSize: fc.integer({ min: 2, max: 20 }),
  seed: fc.integer(),
  refreshAt: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
  /** Days from the newest order to the calibration end. */
  after: fc.integer({ min: 0, max: 30 }),
});

describe('CLV summaries kept with the member state', () => {
  it('equal the window pass over the orders when the calibration end is on or after the newest order, and step aside before it', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ members, batchSize, seed, refreshAt, rebuild, after }) => {
        const { programId } = await programWith(members, { batchSize, seed, refreshAt, rebuild });
        const orderDays = members
          .flat()
          .filter((p) => p.kind === 'order')
          .map((p) => utcDayNumber(new Date(p.occurredAt)));
        const newest = orderDays.length === 0 ? utcDayNumber(new Date(START)) : Math.max(...orderDays);
        const calibrationEnd = new Date((newest + after) * DAY_MS + 3_600_000);
        const kept = await readKeptClvSummaries(database.db, { programId, calibrationEnd });
        const orders = await readClvSummariesFromOrders(database.db, { programId, calibrationEnd });
        expect(kept.ok ? withoutSource(kept.columns) : kept.reason).toEqual(withoutSource(orders));

        if (new Set(orderDays).size > 1) {
          const earlier = new Date((newest - 1) * DAY_MS);
          const read = await readClvSummaries(database.db, { programId, calibrationEnd: earlier });
          expect(read.source).toBe('orders');
          expect(read).toEqual(
            await readClvSummariesFromOrders(database.db, { programId, calibrationEnd: earlier }),
          );
        }
      }),
      { numRuns: process.env.NARROWCAST_TEST_DATABASE_URL ? 25 : 30 },
    );
  }, 300_000);

  const order = (id: string, day: number, amount: string): Purchase => ({
    id,
    kind: 'order',
    occurredAt: new Date(START + day * DAY_MS).toISOString(),
    amount,
    merchandiseAmount: amount,
  });
  const twoMembers = [
    [order('a', 0, '10.0000'), order('b', 0, '5.0000'), order('c', 7, '20.5000')],
    [order('a', 3, '8.0000'), order('b', 40, '1.2500')],
  ];
  const calibrationEnd = new Date(START + 60 * DAY_MS);

  it('reads a program kept through ingest from the member state', async () => {
    const { programId } = await programWith(twoMembers, { batchSize: 2, seed: 1, refreshAt: null });
    const read = await readClvSummaries(database.db, { programId, calibrationEnd });
    expect(read.source).toBe('kept');
    expect([...read.x]).toEqual([1, 1]);
    expect([...read.repeatSpend]).toEqual([20.5, 1.25]);
  });

  it('steps aside for a holdout period', async () => {
    const { programId } = await programWith(twoMembers, { batchSize: 5, seed: 2, refreshAt: null });
    const kept = await readKeptClvSummaries(database.db, {
      programId,
      calibrationEnd: new Date(START + 10 * DAY_MS),
      holdoutEnd: calibrationEnd,
    });
    expect(kept).toEqual({
      ok: false,
      reason: 'a holdout period needs the orders after the calibration end',
    });
  });

  it('steps aside when orders were written past the segment upkeep', async () => {
    const { programId } = await programWith(twoMembers, { batchSize: 5, seed: 3, refreshAt: null });
    await sql`INSERT INTO purchases (program_id, event_id, member_id, occurred_at, payload_hash, kind, amount,
        merchandise_amount, currency, item_count)
      SELECT program_id, 'direct', member_id, occurred_at, 'x', kind, amount, merchandise_amount, currency, item_count
      FROM purchases WHERE program_id = ${programId} AND event_id = 'm0-a'`.execute(database.db);
    const kept = await readKeptClvSummaries(database.db, { programId, calibrationEnd });
    expect(kept).toEqual({
      ok: false,
      reason: 'kept state covers 5 orders, the program has 6 up to the calibration end',
    });
    const read = await readClvSummaries(database.db, { programId, calibrationEnd });
    expect(read.source).toBe('orders');
    expect([...read.repeatSpend]).toEqual([20.5, 1.25]);
  });

  it('steps aside when a rebuild as of an earlier day left later orders out of the member state', async () => {
    const { programId, deps } = await programWith(twoMembers, { batchSize: 5, seed: 5, refreshAt: null });
    await refreshSegments(deps, { programId, asOf: new Date(START + 20 * DAY_MS), rebuild: true });
    const kept = await readKeptClvSummaries(database.db, { programId, calibrationEnd });
    expect(kept).toEqual({
      ok: false,
      reason: 'kept state covers 4 orders, the program has 5 up to the calibration end',
    });
  });

  it('steps aside when member state was stored before order totals were kept', async () => {
    const { programId } = await programWith(twoMembers, { batchSize: 5, seed: 4, refreshAt: null });
    await sql`UPDATE member_features SET aggregates = aggregates - 'orderAmounts'
      WHERE program_id = ${programId} AND member_id = (SELECT min(member_id) FROM member_features WHERE program_id = ${programId})`.execute(
      database.db,
    );
    const kept = await readKeptClvSummaries(database.db, { programId, calibrationEnd });
    expect(kept).toEqual({
      ok: false,
      reason: "1 customers' kept state predates order totals (refresh --rebuild)",
    });
  });
});
