import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createProgram } from '../src/services/create-program.ts';
import { type Deps, silentLog } from '../src/services/deps.ts';
import { ingestBatch } from '../src/services/ingest-batch.ts';
import { refreshSegments } from '../src/services/segments/refresh-segments.ts';
import { freshProgramId, openTestDatabase } from './fixtures/database.ts';
import { memberStateOf } from './fixtures/member-state.ts';

// A refresh evaluates members a chunk at a time with the next chunk's reads and the last chunk's
// writes in flight while it evaluates (reevaluateChunks). Whatever the chunk size, it must leave
// what one chunk of everybody leaves.

const database = await openTestDatabase();
afterAll(() => database.close());
const INGESTED = new Date('2024-03-01T00:00:00Z');
const DAY_MS = 86_400_000;

const memberEvents = fc.record({
  orders: fc.array(
    fc.record({ day: fc.integer({ min: 0, max: 55 }), cents: fc.integer({ min: 100, max: 90_000 }) }),
    {
      maxLength: 4,
    },
  ),
  reviews: fc.integer({ min: 0, max: 3 }),
});

async function loaded(deps: Deps, members: { orders: { day: number; cents: number }[]; reviews: number }[]) {
  const programId = freshProgramId('chunk');
  await createProgram(deps, { programId });
  await ingestBatch(deps, {
    programId,
    kind: 'members',
    records: members.map((_, i) => ({ id: `m${i}`, joinedAt: '2024-01-01T00:00:00Z' })),
  });
  const purchases = members.flatMap((m, i) =>
    m.orders.map((o, k) => ({
      id: `p${i}-${k}`,
      memberId: `m${i}`,
      occurredAt: new Date(Date.parse('2024-01-02T12:00:00Z') + o.day * DAY_MS).toISOString(),
      amount: (o.cents / 100).toFixed(2),
    })),
  );
  if (purchases.length > 0) await ingestBatch(deps, { programId, kind: 'purchases', records: purchases });
  const reviews = members.flatMap((m, i) =>
    Array.from({ length: m.reviews }, (_, k) => ({
      id: `r${i}-${k}`,
      memberId: `m${i}`,
      occurredAt: '2024-02-01T09:00:00Z',
      kind: 'review',
    })),
  );
  if (reviews.length > 0) await ingestBatch(deps, { programId, kind: 'engagement', records: reviews });
  return programId;
}

describe('refresh in chunks', () => {
  it('leaves the same state, memberships and transitions at any chunk size as in one chunk (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(memberEvents, { minLength: 1, maxLength: 9 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom<'full' | 'rebuild'>('full', 'rebuild'),
        fc.integer({ min: 1, max: 200 }),
        async (members, chunkSize, mode, laterDays) => {
          let now = INGESTED;
          const deps: Deps = { db: database.db, clock: () => now, log: silentLog };
          const [chunked, whole] = [await loaded(deps, members), await loaded(deps, members)];
          now = new Date(INGESTED.getTime() + laterDays * DAY_MS);
          const progress: number[] = [];
          const options = { full: mode === 'full', rebuild: mode === 'rebuild' };
          const a = await refreshSegments(deps, {
            programId: chunked,
            ...options,
            chunkSize,
            onProgress: (done) => progress.push(done),
          });
          const b = await refreshSegments(deps, { programId: whole, ...options });
          expect({ ...a, programId: '' }).toEqual({ ...b, programId: '' });
          expect(await memberStateOf(database.db, chunked)).toEqual(await memberStateOf(database.db, whole));
          // Progress counts up to every member, a chunk at a time.
          expect(progress.at(-1)).toBe(members.length);
          expect(progress.length).toBe(Math.ceil(members.length / chunkSize) * (mode === 'rebuild' ? 2 : 1));
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);
});
