import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createProgram } from '../src/services/create-program.ts';
import { type Deps, silentLog } from '../src/services/deps.ts';
import { ingestBatch } from '../src/services/ingest-batch.ts';
import { refreshSegments } from '../src/services/segments/refresh-segments.ts';
import { freshProgramId, openTestDatabase } from './fixtures/database.ts';
import { memberStateOf } from './fixtures/member-state.ts';

// `refresh --rebuild --as-of D` folds each member's events up to D only. A refresh that later moves
// past D reads no history, so without more it would never count the orders after D that were
// already stored: they were lost until the next rebuild. The rebuild records where it cut, and the
// first refresh past the cut rebuilds the members with events it now reaches. Whatever the path of
// refreshes, a program must then hold what a rebuild as of the last day gives.

const database = await openTestDatabase();
afterAll(() => database.close());

const DAY_MS = 86_400_000;
const START = Date.parse('2024-01-01T12:00:00Z');
const day = (n: number) => new Date(START + n * DAY_MS);
/** Events are ingested after every day the tests refresh to, as a historical load would be. */
const LOADED = day(60);

/** Each member's order days, counted from START (the members joined on day 0). */
const programOrders = fc.array(fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 5 }), {
  minLength: 1,
  maxLength: 6,
});

async function loadProgram(
  orders: readonly (readonly number[])[],
): Promise<{ programId: string; deps: Deps }> {
  const programId = freshProgramId('cut');
  const deps: Deps = { db: database.db, clock: () => LOADED, log: silentLog };
  await createProgram(deps, { programId });
  await ingestBatch(deps, {
    programId,
    kind: 'members',
    records: orders.map((_, i) => ({ id: `m${i}`, joinedAt: day(0).toISOString() })),
  });
  const purchases = orders.flatMap((days, i) =>
    days.map((d, k) => ({
      id: `o${i}-${k}`,
      memberId: `m${i}`,
      occurredAt: day(d).toISOString(),
      kind: 'order',
      amount: `${10 + k}.00`,
    })),
  );
  if (purchases.length > 0) await ingestBatch(deps, { programId, kind: 'purchases', records: purchases });
  return { programId, deps };
}

/** What ranks and segments each member, by external id: the stored rank inputs and memberships. */
async function stateOf(programId: string) {
  const states = await database.db
    .selectFrom('member_ranks as f')
    .innerJoin('members as m', (j) =>
      j.onRef('m.program_id', '=', 'f.program_id').onRef('m.member_id', '=', 'f.member_id'),
    )
    .select(['m.external_id', 'f.last_purchase_day', 'f.frequency_orders', 'f.monetary_total'])
    .where('f.program_id', '=', programId)
    .orderBy('m.external_id')
    .execute();
  // Explanations are left out: a member a refresh did not look at keeps the one of their last evaluation.
  const { memberships } = await memberStateOf(database.db, programId);
  return {
    states: states.map((s) => ({
      ...s,
      monetary_total: s.monetary_total === null ? null : Number(s.monetary_total),
    })),
    memberships: memberships.map(({ explanation: _, ...membership }) => membership),
  };
}

async function historyCut(programId: string): Promise<Date | null> {
  const row = await database.db
    .selectFrom('segment_settings')
    .select('history_cut')
    .where('program_id', '=', programId)
    .executeTakeFirstOrThrow();
  return row.history_cut;
}

describe('a rebuild as of an earlier day than some stored events', () => {
  it('counts the later events once a refresh moves past the day it was rebuilt as of', async () => {
    // m0 ordered on days 2, 10 and 20; m1 on day 30 only; m2 on day 3 only.
    const { programId, deps } = await loadProgram([[2, 10, 20], [30], [3]]);
    await refreshSegments(deps, { programId, rebuild: true, asOf: day(5) });
    expect(await historyCut(programId)).toEqual(day(5));
    expect((await stateOf(programId)).states.map((s) => s.frequency_orders)).toEqual([1, 0, 1]);

    // Past two of the later orders, not the third: those two members are rebuilt, the cut moves on.
    const partway = await refreshSegments(deps, { programId, asOf: day(25) });
    expect(partway.reasons.history_cut).toBe(1);
    expect(await historyCut(programId)).toEqual(day(25));
    expect((await stateOf(programId)).states.map((s) => s.frequency_orders)).toEqual([3, 0, 1]);

    const past = await refreshSegments(deps, { programId, asOf: day(35) });
    expect(past.reasons.history_cut).toBe(1);
    expect(await historyCut(programId)).toBeNull();
    expect((await stateOf(programId)).states.map((s) => s.frequency_orders)).toEqual([3, 1, 1]);

    // Nothing left out: a later refresh reads no history.
    const later = await refreshSegments(deps, { programId, asOf: day(40) });
    expect(later.reasons.history_cut).toBeUndefined();
  });

  it('leaves a program as a rebuild as of the last day would, whatever days it was refreshed to (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        programOrders,
        fc.integer({ min: 0, max: 40 }),
        fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 1, maxLength: 3 }),
        async (orders, rebuiltAs, steps) => {
          const path = await loadProgram(orders);
          let asOf = rebuiltAs;
          await refreshSegments(path.deps, { programId: path.programId, rebuild: true, asOf: day(asOf) });
          for (const step of steps) {
            asOf += step;
            await refreshSegments(path.deps, { programId: path.programId, asOf: day(asOf) });
          }
          const scratch = await loadProgram(orders);
          await refreshSegments(scratch.deps, {
            programId: scratch.programId,
            rebuild: true,
            asOf: day(asOf),
          });
          expect(await stateOf(path.programId)).toEqual(await stateOf(scratch.programId));
        },
      ),
      { numRuns: 12 },
    );
  }, 240_000);
});
