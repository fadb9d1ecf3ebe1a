import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { FeatureVector } from '../src/contracts/segments.ts';
import { computeFeatures } from '../src/domain/features/compute-features.ts';
import { deriveFeatures } from '../src/domain/features/derive-features.ts';
import type { MemberAggregates } from '../src/domain/features/member-aggregates.ts';
import type { MemberHistory } from '../src/domain/features/member-history.ts';
import { rfmScores } from '../src/domain/features/rfm-scores.ts';
import { utcDay } from '../src/domain/features/utc-days.ts';
import { assignSchemes } from '../src/domain/segments/assign-schemes.ts';
import { builtInSchemes } from '../src/domain/segments/built-in-schemes.ts';
import { createProgramContext } from '../src/domain/segments/program-context.ts';
import { topPercentFeatures } from '../src/domain/segments/rule-features.ts';
import { createProgram } from '../src/services/create-program.ts';
import { type Deps, silentLog } from '../src/services/deps.ts';
import { ingestBatch } from '../src/services/ingest-batch.ts';
import { refreshSegments } from '../src/services/segments/refresh-segments.ts';
import { freshProgramId, openTestDatabase } from './fixtures/database.ts';
import { memberHistory, SPAN_MS, START } from './fixtures/member-histories.ts';

// The segment engine's central promise: features and memberships kept up to date event by event
// (and by refreshes that read no history) are exactly what a computation from each member's full
// history gives. Random programs go through the real ingest and refresh on the database under test.

const database = await openTestDatabase();
afterAll(() => database.close());

const DAY_MS = 86_400_000;
/** The first ingest happens after every generated event. */
const FIRST_INGEST = START + SPAN_MS + DAY_MS;

/** Purchases as the API takes them carry one amount; keep the history's merchandise equal to it. */
function normalise(history: MemberHistory): MemberHistory {
  return {
    ...history,
    joinedAt: history.joinedAt ?? new Date(START).toISOString(),
    purchases: history.purchases.map((p) => ({ ...p, amount: p.merchandiseAmount })),
  };
}

type Batch = { kind: 'purchases' | 'points' | 'engagement' | 'surveys' | 'declarations'; record: object };

function recordsOf(memberId: string, h: MemberHistory): Batch[] {
  const id = (x: string) => `${memberId}-${x}`;
  return [
    ...h.purchases.map((p) => ({
      kind: 'purchases' as const,
      record: { id: id(p.id), memberId, occurredAt: p.occurredAt, kind: p.kind, amount: p.merchandiseAmount },
    })),
    ...h.points.map((p) => ({
      kind: 'points' as const,
      record: {
        id: id(p.id),
        memberId,
        occurredAt: p.occurredAt,
        type: p.type,
        points: p.points,
        ...(p.reason === undefined ? {} : { reason: p.reason }),
      },
    })),
    ...h.engagement.map((e) => ({
      kind: 'engagement' as const,
      record: { id: id(e.id), memberId, occurredAt: e.occurredAt, kind: e.kind },
    })),
    ...h.surveys.map((s) => ({
      kind: 'surveys' as const,
      record: { id: id(s.id), memberId, occurredAt: s.occurredAt, kind: s.kind, score: s.score },
    })),
    ...h.declarations.map((d) => ({
      kind: 'declarations' as const,
      record: { id: id(d.id), memberId, occurredAt: d.occurredAt, key: d.key, value: d.value },
    })),
  ];
}

/** Each member's memberships, recomputed from scratch as of `asOf`: `member -> scheme:segment` sorted. */
function fromScratch(histories: Map<string, MemberHistory>, asOf: Date) {
  const ids = [...histories.keys()];
  const base = ids.map((id) => computeFeatures(histories.get(id) as MemberHistory, asOf));
  const number = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const lastDay = base.map((f) => (f.last_purchase_at ? utcDay(String(f.last_purchase_at)) : null));
  const r = rfmScores(lastDay, 'higher_is_better');
  const f = rfmScores(
    base.map((x, i) => (lastDay[i] === null ? null : number(x.frequency_orders))),
    'higher_is_better',
  );
  const m = rfmScores(
    base.map((x, i) => (lastDay[i] === null ? null : number(x.monetary_total))),
    'higher_is_better',
  );
  const features: FeatureVector[] = ids.map((id, i) =>
    computeFeatures(histories.get(id) as MemberHistory, asOf, {
      rfm: r[i] === null ? null : { r: r[i] as number, f: f[i] as number, m: m[i] as number },
    }),
  );
  const schemes = builtInSchemes({ interests: ['coffee', 'tea', 'email'] });
  const context = createProgramContext(
    asOf,
    Object.fromEntries(topPercentFeatures(schemes).map((name) => [name, features.map((x) => x[name])])),
  );
  const memberships = new Map<string, string[]>();
  const featuresById = new Map<string, FeatureVector>();
  ids.forEach((id, i) => {
    const vector = features[i] as FeatureVector;
    featuresById.set(id, vector);
    memberships.set(
      id,
      assignSchemes(vector, context, schemes)
        .flatMap((a) => a.memberships.map((s) => `${a.scheme}:${s.segment}`))
        .sort(),
    );
  });
  return { memberships, features: featuresById };
}

async function stored(programId: string, asOf: Date) {
  const rows = await database.db
    .selectFrom('members as m')
    .leftJoin('segment_memberships as s', (j) =>
      j.onRef('s.program_id', '=', 'm.program_id').onRef('s.member_id', '=', 'm.member_id'),
    )
    .select(['m.external_id', 's.scheme', 's.segment'])
    .where('m.program_id', '=', programId)
    .execute();
  const memberships = new Map<string, string[]>();
  for (const row of rows) {
    const list = memberships.get(row.external_id) ?? [];
    if (row.scheme !== null) list.push(`${row.scheme}:${row.segment}`);
    memberships.set(row.external_id, list.sort());
  }
  const states = await database.db
    .selectFrom('member_features as f')
    .innerJoin('members as m', (j) =>
      j.onRef('m.program_id', '=', 'f.program_id').onRef('m.member_id', '=', 'f.member_id'),
    )
    .innerJoin('member_ranks as r', (j) =>
      j.onRef('r.program_id', '=', 'f.program_id').onRef('r.member_id', '=', 'f.member_id'),
    )
    .select(['m.external_id', 'f.aggregates', 'r.r_score', 'r.f_score', 'r.m_score'])
    .where('f.program_id', '=', programId)
    .execute();
  const features = new Map<string, FeatureVector>();
  for (const s of states) {
    const rfm = s.r_score === null ? null : { r: s.r_score, f: s.f_score as number, m: s.m_score as number };
    features.set(s.external_id, deriveFeatures(s.aggregates as MemberAggregates, asOf, { rfm }));
  }
  return { memberships, features };
}

const scenario = fc.record({
  members: fc.array(memberHistory, { minLength: 1, maxLength: 5 }),
  /** Where the event stream is cut: the first part is ingested, a refresh runs, then the rest. */
  cut: fc.double({ min: 0, max: 1, noNaN: true }),
  batchSize: fc.integer({ min: 1, max: 40 }),
  /** Days from the first ingest to the middle refresh, and from there to the final one. */
  gap1: fc.integer({ min: 0, max: 120 }),
  gap2: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 400 })),
  seed: fc.integer(),
});

describe('incremental upkeep', () => {
  it('equals a recomputation from full history, after any events, batches and refreshes', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ members, cut, batchSize, gap1, gap2, seed }) => {
        const programId = freshProgramId('inc');
        let now = new Date(FIRST_INGEST);
        const deps: Deps = { db: database.db, clock: () => now, log: silentLog };
        await createProgram(deps, { programId });
        const histories = new Map(members.map((h, i) => [`m${i}`, normalise(h)]));
        await ingestBatch(deps, {
          programId,
          kind: 'members',
          records: [...histories].map(([id, h]) => ({ id, joinedAt: h.joinedAt })),
        });
        // Events in a seeded shuffle, so members' events interleave across batches.
        const events = [...histories].flatMap(([id, h]) => recordsOf(id, h));
        let state = seed;
        for (let i = events.length - 1; i > 0; i--) {
          state = (Math.imul(state, 1103515245) + 12345) | 0;
          const j = Math.abs(state) % (i + 1);
          [events[i], events[j]] = [events[j] as Batch, events[i] as Batch];
        }
        const ingest = async (list: Batch[]) => {
          for (let i = 0; i < list.length; i += batchSize) {
            const batch = list.slice(i, i + batchSize);
            for (const kind of new Set(batch.map((b) => b.kind))) {
              const records = batch.filter((b) => b.kind === kind).map((b) => b.record);
              await ingestBatch(deps, { programId, kind, records });
            }
          }
        };
        const split = Math.floor(cut * events.length);
        await ingest(events.slice(0, split));
        now = new Date(FIRST_INGEST + gap1 * DAY_MS);
        await refreshSegments(deps, { programId });
        await ingest(events.slice(split));
        now = new Date(now.getTime() + gap2 * DAY_MS);
        await refreshSegments(deps, { programId });

        const expected = fromScratch(histories, now);
        const actual = await stored(programId, now);
        expect(actual.features).toEqual(expected.features);
        expect(actual.memberships).toEqual(expected.memberships);
      }),
      { numRuns: process.env.NARROWCAST_TEST_DATABASE_URL ? 40 : 60 },
    );
  }, 300_000);
});
