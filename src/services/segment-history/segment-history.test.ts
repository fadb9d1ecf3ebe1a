import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { freshProgramId, openTestDatabase } from '../../../test/fixtures/database.ts';
import { testDeps } from '../../../test/fixtures/programs.ts';
import {
  type SeedTransition,
  seedMembers,
  seedMemberships,
  seedTransitions,
} from '../../../test/fixtures/segment-seed.ts';
import type { AppError } from '../../contracts/errors.ts';
import { createProgram } from '../create-program.ts';
import { exportSegment } from './export-segment.ts';
import { listSegmentMembers } from './list-segment-members.ts';
import { segmentMigration } from './segment-migration.ts';
import { segmentOverlap } from './segment-overlap.ts';
import { segmentSizeHistory } from './segment-size-history.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());

async function newProgram() {
  const programId = freshProgramId('sh');
  await createProgram(deps, { programId });
  return programId;
}

async function text(chunks: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const chunk of chunks) out += chunk;
  return out;
}

const day = (n: number) => new Date(Date.UTC(2024, 0, 1 + n));

describe('listSegmentMembers', () => {
  it('pages through every member once, in a stable order, with why each is there', async () => {
    const programId = await newProgram();
    const ids = await seedMembers(deps, programId, 5);
    await seedMemberships(deps, programId, 'loyalty', 'vips', ids);
    await seedMemberships(deps, programId, 'loyalty', 'points_savers', ids.slice(0, 1));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listSegmentMembers(deps, { programId, name: 'vips', limit: 2, cursor });
      expect(page.scheme).toBe('loyalty');
      seen.push(...page.members.map((m) => m.memberId));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor !== undefined);
    expect(seen).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(pages).toBe(3);
    const first = await listSegmentMembers(deps, { programId, name: 'vips', limit: 1 });
    expect(first.members[0]).toEqual({
      memberId: 'm1',
      since: '2024-05-01T00:00:00.000Z',
      explanation: `vips: because ${ids[0]}`,
    });
  });

  it('refuses a limit out of range and a cursor it did not hand out', async () => {
    const programId = await newProgram();
    for (const options of [{ limit: 0 }, { limit: 1001 }, { cursor: 'abc' }]) {
      const error = await listSegmentMembers(deps, { programId, name: 'vips', ...options }).catch(
        (e: unknown) => e,
      );
      expect((error as AppError).code).toBe('INVALID_INPUT');
    }
  });
});

describe('exportSegment', () => {
  it('streams CSV with a header and NDJSON, across pages, with a few member fields', async () => {
    const programId = await newProgram();
    const ids = await seedMembers(deps, programId, 5);
    await seedMemberships(deps, programId, 'lifecycle', 'active', ids);
    const csv = await exportSegment(deps, { programId, name: 'active', format: 'csv', pageRows: 2 });
    const rows = parse(await text(csv.chunks), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(5);
    expect(rows[0]).toEqual({
      memberId: 'm1',
      since: '2024-05-01T00:00:00.000Z',
      explanation: `active: because ${ids[0]}`,
      joinedAt: '2024-01-01T00:00:00.000Z',
      tier: 'gold',
      region: 'north',
      locale: 'en-GB',
    });
    expect(rows[1]?.tier).toBe('');

    const ndjson = await exportSegment(deps, {
      programId,
      name: 'lifecycle/active',
      format: 'ndjson',
      pageRows: 5,
    });
    const lines = (await text(ndjson.chunks))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((l) => l.memberId)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(lines[1]).toMatchObject({ tier: null, region: 'north' });
  });

  it('exports only a header for an empty segment', async () => {
    const programId = await newProgram();
    const csv = await exportSegment(deps, { programId, name: 'churned', format: 'csv' });
    expect(await text(csv.chunks)).toBe('memberId,since,explanation,joinedAt,tier,region,locale\n');
  });
});

describe('segmentMigration', () => {
  it('counts moves between two dates from the transitions, with "none" for no segment', async () => {
    const programId = await newProgram();
    const [a, b, c, d] = (await seedMembers(deps, programId, 4)) as [number, number, number, number];
    const t = (memberId: number, segment: string, change: 'entered' | 'left', at: Date): SeedTransition => ({
      memberId,
      scheme: 'lifecycle',
      segment,
      change,
      at,
    });
    await seedTransitions(deps, programId, [
      // a: active -> at_risk
      t(a, 'active', 'entered', day(0)),
      t(a, 'active', 'left', day(5)),
      t(a, 'at_risk', 'entered', day(5)),
      // b: active all along
      t(b, 'active', 'entered', day(1)),
      // c: joins after the first date
      t(c, 'new', 'entered', day(7)),
      // d: leaves everything, on the second date exactly
      t(d, 'active', 'entered', day(0)),
      t(d, 'active', 'left', day(10)),
      // another scheme
      { memberId: a, scheme: 'loyalty', segment: 'vips', change: 'entered', at: day(0) },
    ]);
    const other = await newProgram();
    const [x] = (await seedMembers(deps, other, 1)) as [number];
    await seedTransitions(deps, other, [t(x, 'active', 'entered', day(0))]);

    const migration = await segmentMigration(deps, {
      programId,
      from: day(2),
      to: day(10),
      scheme: 'lifecycle',
    });
    expect(migration.schemes).toHaveLength(1);
    expect(migration.schemes[0]).toEqual({
      scheme: 'lifecycle',
      segments: ['active', 'at_risk', 'new', 'none'],
      cells: [
        { from: 'active', to: 'active', members: 1 },
        { from: 'active', to: 'at_risk', members: 1 },
        { from: 'active', to: 'none', members: 1 },
        { from: 'none', to: 'new', members: 1 },
      ],
    });
    const all = await segmentMigration(deps, { programId, from: day(2), to: day(10) });
    expect(all.schemes.map((s) => s.scheme)).toEqual(['lifecycle', 'loyalty']);
  });

  it('refuses a "from" after "to"', async () => {
    const programId = await newProgram();
    const error = await segmentMigration(deps, { programId, from: day(3), to: day(1) }).catch(
      (e: unknown) => e,
    );
    expect((error as AppError).code).toBe('INVALID_INPUT');
  });

  it('equals a replay of the transitions in memory, for random histories', async () => {
    const segments = ['a', 'b', 'c'];
    // A member's history: a sequence of (day, segment) moves in a first-match scheme; null leaves.
    const history = fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.constantFrom(null, ...segments)), {
      maxLength: 8,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(history, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 20 }),
        async (histories, d1, d2) => {
          const [from, to] = d1 <= d2 ? [d1, d2] : [d2, d1];
          const programId = await newProgram();
          const ids = await seedMembers(deps, programId, histories.length);
          const transitions: SeedTransition[] = [];
          const expected = new Map<string, number>();
          histories.forEach((moves, i) => {
            const memberId = ids[i] as number;
            const sorted = [...moves].sort((x, y) => x[0] - y[0]);
            let current: string | null = null;
            let atFrom: string | null = null;
            let atTo: string | null = null;
            const settle = (dayNumber: number) => {
              if (dayNumber <= from) atFrom = current;
              if (dayNumber <= to) atTo = current;
            };
            for (const [dayNumber, segment] of sorted) {
              if (segment === current) continue;
              if (current !== null)
                transitions.push({
                  memberId,
                  scheme: 's',
                  segment: current,
                  change: 'left',
                  at: day(dayNumber),
                });
              if (segment !== null)
                transitions.push({ memberId, scheme: 's', segment, change: 'entered', at: day(dayNumber) });
              current = segment;
              settle(dayNumber);
            }
            if (atFrom !== null || atTo !== null) {
              const key = `${atFrom ?? 'none'}>${atTo ?? 'none'}`;
              expected.set(key, (expected.get(key) ?? 0) + 1);
            }
          });
          await seedTransitions(deps, programId, transitions);
          const migration = await segmentMigration(deps, { programId, from: day(from), to: day(to) });
          const actual = new Map(
            (migration.schemes[0]?.cells ?? []).map((cell) => [`${cell.from}>${cell.to}`, cell.members]),
          );
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('segmentOverlap', () => {
  it('gives both sizes, the intersection and the Jaccard index', async () => {
    const programId = await newProgram();
    const ids = await seedMembers(deps, programId, 6);
    await seedMemberships(deps, programId, 'loyalty', 'vips', ids.slice(0, 4));
    await seedMemberships(deps, programId, 'declared', 'eco_allies', ids.slice(2, 6));
    const overlap = await segmentOverlap(deps, {
      programId,
      a: { name: 'vips' },
      b: { name: 'declared/eco_allies' },
    });
    expect(overlap).toMatchObject({
      a: { scheme: 'loyalty', segment: 'vips', size: 4 },
      b: { scheme: 'declared', segment: 'eco_allies', size: 4 },
      intersection: 2,
      union: 6,
    });
    expect(overlap.jaccard).toBeCloseTo(2 / 6, 12);
    const empty = await segmentOverlap(deps, {
      programId,
      a: { name: 'champions' },
      b: { name: 'hibernating' },
    });
    expect(empty).toMatchObject({ intersection: 0, union: 0, jaccard: 0 });
  });
});

describe('segmentSizeHistory', () => {
  it('returns one series per segment, oldest first, filtered by scheme and dates', async () => {
    const programId = await newProgram();
    await deps.db
      .insertInto('segment_sizes')
      .values([
        { program_id: programId, scheme: 'loyalty', segment: 'vips', as_of: day(2), size: 12 },
        { program_id: programId, scheme: 'loyalty', segment: 'vips', as_of: day(1), size: 10 },
        { program_id: programId, scheme: 'rfm', segment: 'champions', as_of: day(1), size: 7 },
        { program_id: programId, scheme: 'loyalty', segment: 'vips', as_of: day(9), size: 30 },
      ])
      .execute();
    const history = await segmentSizeHistory(deps, { programId, scheme: 'loyalty', to: day(5) });
    expect(history.series).toEqual([
      {
        scheme: 'loyalty',
        segment: 'vips',
        points: [
          { asOf: day(1).toISOString(), size: 10 },
          { asOf: day(2).toISOString(), size: 12 },
        ],
      },
    ]);
    expect((await segmentSizeHistory(deps, { programId })).series).toHaveLength(2);
  });
});
