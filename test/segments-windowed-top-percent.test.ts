import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { computeFeatures } from '../src/domain/features/compute-features.ts';
import type { MemberHistory } from '../src/domain/features/member-history.ts';
import { assignSchemes } from '../src/domain/segments/assign-schemes.ts';
import { createProgramContext } from '../src/domain/segments/program-context.ts';
import { createProgram } from '../src/services/create-program.ts';
import { type Deps, silentLog } from '../src/services/deps.ts';
import { ingestBatch } from '../src/services/ingest-batch.ts';
import { createSegment } from '../src/services/segment-definitions/create-segment.ts';
import { loadProgramSchemes } from '../src/services/segments/program-schemes.ts';
import { refreshSegments } from '../src/services/segments/refresh-segments.ts';
import { freshProgramId, openTestDatabase } from './fixtures/database.ts';

// A top-percent rule on a windowed feature ("top 40% by orders in the last 90 days") is the one
// case where a refresh must bring the due members' stored values up to date before it reads the
// distribution: their values move with the calendar, so a distribution read from the stored values
// alone would hold yesterday's counts, and memberships decided against it would be wrong until the
// next refresh. Each refresh must leave exactly the members a computation from history puts in.

const database = await openTestDatabase();
afterAll(() => database.close());

const DAY_MS = 86_400_000;
const START = Date.parse('2024-01-01T12:00:00Z');
const FEATURE = 'orders_90d';
/** A feature stored as it was at the member's last event, not moved by the calendar. */
const STORED_FEATURE = 'frequency_orders';

/** Each member's order days, counted from START. */
const programOrders = fc.array(fc.array(fc.integer({ min: 0, max: 150 }), { maxLength: 5 }), {
  minLength: 2,
  maxLength: 10,
});

function historyOf(days: readonly number[]): MemberHistory {
  return {
    joinedAt: new Date(START).toISOString(),
    purchases: days.map((day, k) => ({
      id: `p${k}`,
      kind: 'order',
      occurredAt: new Date(START + day * DAY_MS).toISOString(),
      amount: '10.00',
      merchandiseAmount: '10.00',
    })),
    points: [],
    engagement: [],
    surveys: [],
    declarations: [],
  };
}

/** Loads the members and their orders through the real ingest. */
async function ingestHistories(deps: Deps, programId: string, histories: readonly MemberHistory[]) {
  await ingestBatch(deps, {
    programId,
    kind: 'members',
    records: histories.map((h, i) => ({ id: `m${i}`, joinedAt: h.joinedAt })),
  });
  const purchases = histories.flatMap((h, i) =>
    h.purchases.map((p) => ({
      id: `m${i}-${p.id}`,
      memberId: `m${i}`,
      occurredAt: p.occurredAt,
      amount: p.amount,
    })),
  );
  if (purchases.length > 0) await ingestBatch(deps, { programId, kind: 'purchases', records: purchases });
}

/** The scheme `targets` with one segment: the top `percent` of members by `feature`. */
async function createTopSegment(deps: Deps, programId: string, feature: string, percent: number) {
  await createSegment(deps, {
    programId,
    input: {
      scheme: 'targets',
      name: 'busy_lately',
      label: 'Busy lately',
      rule: { feature, op: 'top_percent', value: percent },
    },
  });
}

/** The members the program's own scheme puts in the segment as of `asOf`, computed from history. */
function expectedMembers(
  histories: readonly MemberHistory[],
  asOf: Date,
  schemes: Parameters<typeof assignSchemes>[2],
  feature = FEATURE,
) {
  const features = histories.map((h) => computeFeatures(h, asOf));
  const context = createProgramContext(asOf, { [feature]: features.map((f) => f[feature]) });
  return features
    .flatMap((f, i) =>
      assignSchemes(f, context, schemes).some((a) => a.memberships.length > 0) ? [`m${i}`] : [],
    )
    .sort();
}

async function storedMembers(programId: string): Promise<string[]> {
  const rows = await database.db
    .selectFrom('segment_memberships as s')
    .innerJoin('members as m', (j) =>
      j.onRef('m.program_id', '=', 's.program_id').onRef('m.member_id', '=', 's.member_id'),
    )
    .select('m.external_id')
    .where('s.program_id', '=', programId)
    .where('s.scheme', '=', 'targets')
    .execute();
  return rows.map((r) => r.external_id).sort();
}

describe('a top-percent rule on a windowed feature', () => {
  it('puts exactly the members history says in the segment after every refresh, as the windows move (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        programOrders,
        fc.integer({ min: 10, max: 60 }),
        fc.array(fc.record({ gap: fc.integer({ min: 1, max: 40 }), full: fc.boolean() }), {
          minLength: 1,
          maxLength: 4,
        }),
        async (orders, percent, refreshes) => {
          const programId = freshProgramId('wtop');
          let now = new Date(START + 151 * DAY_MS);
          const deps: Deps = { db: database.db, clock: () => now, log: silentLog };
          await createProgram(deps, { programId });
          await createTopSegment(deps, programId, FEATURE, percent);
          const histories = orders.map(historyOf);
          await ingestHistories(deps, programId, histories);
          const { custom } = await loadProgramSchemes(database.db, programId);

          // The first refresh evaluates everyone; the later ones only the members they pick out,
          // unless asked to evaluate everyone.
          for (const { gap, full } of [{ gap: 0, full: false }, ...refreshes]) {
            now = new Date(now.getTime() + gap * DAY_MS);
            await refreshSegments(deps, { programId, full });
            expect(await storedMembers(programId)).toEqual(expectedMembers(histories, now, custom));
          }
        },
      ),
      { numRuns: process.env.NARROWCAST_TEST_DATABASE_URL ? 25 : 30 },
    );
  }, 300_000);

  it('ranks by a feature the rules came to read after the members were evaluated, and by values stored before migration 0017 kept none (property)', async () => {
    // A refresh summarises top-percent values from the narrow rank rows, which hold only the
    // features the rules read when each member was last evaluated. A rule on another feature, or
    // rank rows whose values were never stored (a database migrated to 0017), must be filled from
    // the stored features before the first refresh ranks by them.
    await fc.assert(
      fc.asyncProperty(
        programOrders,
        fc.integer({ min: 10, max: 60 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 3 }),
        async (orders, percent, lost, gaps) => {
          const programId = freshProgramId('ltop');
          let now = new Date(START + 151 * DAY_MS);
          const deps: Deps = { db: database.db, clock: () => now, log: silentLog };
          await createProgram(deps, { programId });
          const histories = orders.map(historyOf);
          await ingestHistories(deps, programId, histories);
          await refreshSegments(deps, { programId });
          await createTopSegment(deps, programId, STORED_FEATURE, percent);
          if (lost) {
            await database.db
              .updateTable('member_ranks')
              .set({ top_values: null })
              .where('program_id', '=', programId)
              .execute();
            await database.db
              .updateTable('segment_settings')
              .set({ top_features: null })
              .where('program_id', '=', programId)
              .execute();
          }
          const { custom } = await loadProgramSchemes(database.db, programId);
          for (const gap of [0, ...gaps]) {
            now = new Date(now.getTime() + gap * DAY_MS);
            await refreshSegments(deps, { programId });
            expect(await storedMembers(programId)).toEqual(
              expectedMembers(histories, now, custom, STORED_FEATURE),
            );
          }
        },
      ),
      { numRuns: process.env.NARROWCAST_TEST_DATABASE_URL ? 15 : 20 },
    );
  }, 300_000);
});
