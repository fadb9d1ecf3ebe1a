import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { testDeps } from '../../../test/fixtures/programs.ts';
import { internalId } from '../campaigns/campaign-test-program.ts';
import { ingestBatch } from '../ingest-batch.ts';
import { monthPeriods, reportHealth } from './report-health.ts';
import { measuredProgram } from './report-test-program.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());

// Three months to 2024-06-15: 2024-04, 2024-05 and 2024-06 (cut at the 15th).
// Cohort 2024-01 (M0-M39): active 20 in April (0.5), 15 in May (0.375: -25%, a dip), 12 in June
// (0.3: exactly -20%, not a dip). Cohort 2024-05 (N0, N1): 1 active in May.
// Scheme "tiers": M0-M9 entered gold on 03-01; M5 left gold for silver on 05-10.
// Points: M0 earns 1000 and redeems 300; M1 earns 500, all expire; M2 earns 200, adjusted -50.
const until = new Date('2024-06-15T00:00:00Z');
const members = [
  ...Array.from({ length: 40 }, (_, i) => ({ id: `M${i}`, joinedAt: '2024-01-10' })),
  { id: 'N0', joinedAt: '2024-05-20' },
  { id: 'N1', joinedAt: '2024-05-20' },
];
const programId = await measuredProgram(deps, { members, campaigns: [], decisions: [] });
const engage = (prefix: string, count: number, day: string) =>
  Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i}`,
    memberId: `M${i}`,
    occurredAt: `${day}T12:00:00Z`,
    kind: 'review',
  }));
await ingestBatch(deps, {
  programId,
  kind: 'engagement',
  records: [
    ...engage('apr', 20, '2024-04-10'),
    ...engage('may', 14, '2024-05-10'),
    { id: 'n0', memberId: 'N0', occurredAt: '2024-05-25T12:00:00Z', kind: 'review' },
    ...engage('jun', 12, '2024-06-10'),
  ],
});
// The fifteenth active member of May is active by an order, not an engagement.
await ingestBatch(deps, {
  programId,
  kind: 'purchases',
  records: [
    { id: 'o-m14', memberId: 'M14', occurredAt: '2024-05-11T12:00:00Z', amount: '5.00', currency: 'GBP' },
  ],
});
await ingestBatch(deps, {
  programId,
  kind: 'points',
  records: [
    { id: 'p1', memberId: 'M0', occurredAt: '2024-03-01T00:00:00Z', type: 'earn', points: 1000 },
    { id: 'p2', memberId: 'M0', occurredAt: '2024-04-01T00:00:00Z', type: 'redeem', points: 300 },
    { id: 'p3', memberId: 'M1', occurredAt: '2024-03-01T00:00:00Z', type: 'earn', points: 500 },
    { id: 'p4', memberId: 'M1', occurredAt: '2024-05-01T00:00:00Z', type: 'expire', points: 500 },
    { id: 'p5', memberId: 'M2', occurredAt: '2024-03-01T00:00:00Z', type: 'earn', points: 200 },
    { id: 'p6', memberId: 'M2', occurredAt: '2024-03-02T00:00:00Z', type: 'adjust', points: -50 },
    { id: 'p7', memberId: 'M3', occurredAt: '2024-07-01T00:00:00Z', type: 'earn', points: 999 },
  ],
});
const ids = new Map<string, number>();
for (const m of members.slice(0, 10)) ids.set(m.id, await internalId(deps, programId, m.id));
const id = (member: string) => ids.get(member) as number;
await deps.db
  .insertInto('segment_transitions')
  .values([
    ...[...ids.values()].map((member_id) => ({
      program_id: programId,
      member_id,
      scheme: 'tiers',
      segment: 'gold',
      change: 'entered' as const,
      at: new Date('2024-03-01T00:00:00Z'),
      cause: 'event' as const,
    })),
    {
      program_id: programId,
      member_id: id('M5'),
      scheme: 'tiers',
      segment: 'gold',
      change: 'left',
      at: new Date('2024-05-10T00:00:00Z'),
      cause: 'event',
    },
    {
      program_id: programId,
      member_id: id('M5'),
      scheme: 'tiers',
      segment: 'silver',
      change: 'entered',
      at: new Date('2024-05-10T00:00:00Z'),
      cause: 'event',
    },
  ])
  .execute();
await deps.db
  .insertInto('segment_memberships')
  .values({
    program_id: programId,
    member_id: id('M0'),
    scheme: 'tiers',
    segment: 'gold',
    since: new Date('2024-03-01'),
    explanation: 'test',
  })
  .execute();
await deps.db
  .insertInto('segment_sizes')
  .values([
    {
      program_id: programId,
      scheme: 'apostle',
      segment: 'apostles',
      as_of: new Date('2024-04-15T00:00:00Z'),
      size: 10,
    },
    {
      program_id: programId,
      scheme: 'apostle',
      segment: 'apostles',
      as_of: new Date('2024-05-20T00:00:00Z'),
      size: 12,
    },
    {
      program_id: programId,
      scheme: 'apostle',
      segment: 'hostages',
      as_of: new Date('2024-04-15T00:00:00Z'),
      size: 5,
    },
    {
      program_id: programId,
      scheme: 'apostle',
      segment: 'hostages',
      as_of: new Date('2024-07-01T00:00:00Z'),
      size: 99,
    },
  ])
  .execute();

const report = await reportHealth(deps, { programId, until, months: 3, scheme: 'tiers' });

describe('reportHealth over the database', () => {
  it('covers calendar months ending with the one holding the end, cut at the end', () => {
    expect(report.periods).toEqual(['2024-04', '2024-05', '2024-06']);
    expect(monthPeriods(until, 3).at(-1)?.ends.toISOString()).toBe('2024-06-15T00:00:00.000Z');
    expect(() => monthPeriods(until, 0)).toThrow('months must be a whole number from 1 to 60');
  });

  it('flags a drop beyond the threshold in a cohort, and not an exact 20% drop', () => {
    const cohort = report.engagement.filter((r) => r.groupBy === 'cohort' && r.group === '2024-01');
    expect(cohort.map((r) => [r.period, r.members, r.active, r.dip, r.status])).toEqual([
      ['2024-04', 40, 20, false, 'no_previous'],
      ['2024-05', 40, 15, true, 'ok'],
      ['2024-06', 40, 12, false, 'ok'],
    ]);
    expect(cohort[1]?.change).toBeCloseTo(-0.25, 12);
    expect(cohort[2]?.change).toBeCloseTo(-0.2, 12);
    const joiners = report.engagement.filter((r) => r.groupBy === 'cohort' && r.group === '2024-05');
    expect(joiners.map((r) => [r.period, r.members, r.active, r.status])).toEqual([
      ['2024-05', 2, 1, 'no_previous'],
      ['2024-06', 2, 0, 'low_count'],
    ]);
  });

  it('counts engagement per segment as it was at each period end', () => {
    const tiers = report.engagement.filter((r) => r.groupBy === 'segment');
    expect(tiers.map((r) => [r.group, r.period, r.members, r.active])).toEqual([
      ['gold', '2024-04', 10, 10],
      ['gold', '2024-05', 9, 9],
      ['gold', '2024-06', 9, 9],
      ['silver', '2024-05', 1, 1],
      ['silver', '2024-06', 1, 1],
    ]);
  });

  it('gives the migration between segments over the range', () => {
    expect(report.migration.filter((r) => r.scheme === 'tiers')).toEqual([
      {
        scheme: 'tiers',
        fromPeriod: '2024-04-01T00:00:00.000Z',
        toPeriod: '2024-06-15T00:00:00.000Z',
        from: 'gold',
        to: 'gold',
        members: 9,
        shareOfFrom: 0.9,
      },
      {
        scheme: 'tiers',
        fromPeriod: '2024-04-01T00:00:00.000Z',
        toPeriod: '2024-06-15T00:00:00.000Z',
        from: 'gold',
        to: 'silver',
        members: 1,
        shareOfFrom: 0.1,
      },
    ]);
  });

  it('gives sizes from the latest snapshot before each period end, with the Apostle rows apart', () => {
    expect(report.apostle.map((r) => [r.period, r.segment, r.members, r.share])).toEqual([
      ['2024-04', 'apostles', 10, 10 / 40],
      ['2024-04', 'hostages', 5, 5 / 40],
      ['2024-05', 'apostles', 12, 12 / 42],
      ['2024-05', 'hostages', 5, 5 / 42],
      ['2024-06', 'apostles', 12, 12 / 42],
      ['2024-06', 'hostages', 5, 5 / 42],
    ]);
  });

  it('values outstanding points and their expected redemption from history', () => {
    const { liability } = report;
    expect(liability).toMatchObject({
      pointValue: '0.0100',
      redeemedPoints: 300,
      expiredPoints: 500,
      redemptionRate: 0.375,
      redemptionRateSource: 'history',
    });
    expect(liability.rows).toEqual([
      {
        group: null,
        membersWithBalance: 2,
        outstandingPoints: 850,
        outstandingValue: '8.5000',
        expectedRedemptionPoints: 318.75,
        expectedRedemptionValue: '3.1875',
      },
      {
        group: 'gold',
        membersWithBalance: 1,
        outstandingPoints: 700,
        outstandingValue: '7.0000',
        expectedRedemptionPoints: 262.5,
        expectedRedemptionValue: '2.6250',
      },
    ]);
  });

  it('refuses a bad point value and an unknown program by name', async () => {
    await expect(reportHealth(deps, { programId, until, pointValue: 'ten' })).rejects.toThrow(
      'point value must be a decimal',
    );
    await expect(reportHealth(deps, { programId: 'nope-program', until })).rejects.toThrow(
      'program "nope-program" does not exist',
    );
  });
});
