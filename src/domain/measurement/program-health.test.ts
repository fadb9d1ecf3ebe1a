import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EngagementRow, MigrationRow, PointsLiability } from '../../contracts/measurement.ts';
import {
  cohortOf,
  engagementWithDips,
  isDip,
  migrationMatrix,
  pointsLiability,
  segmentSizes,
} from './program-health.ts';

describe('isDip', () => {
  it('flags a drop beyond the threshold, deciding the boundary exactly', () => {
    // 45% -> 36% is a drop of exactly 20%: not beyond a 20% threshold. In floating point
    // (0.36 - 0.45) / 0.45 = -0.2000000000000001, which would wrongly flag it.
    expect(isDip({ active: 45, members: 100 }, { active: 36, members: 100 }, 0.2)).toBe(false);
    expect(isDip({ active: 45, members: 100 }, { active: 35, members: 100 }, 0.2)).toBe(true);
    // Different group sizes: 50/200 = 25% -> 59/300 = 19.67%, a drop of 21.3%.
    expect(isDip({ active: 50, members: 200 }, { active: 59, members: 300 }, 0.2)).toBe(true);
    expect(isDip({ active: 50, members: 200 }, { active: 60, members: 300 }, 0.2)).toBe(false);
  });

  it('never flags from nothing, or a rise', () => {
    expect(isDip({ active: 0, members: 100 }, { active: 0, members: 100 }, 0.2)).toBe(false);
    expect(isDip({ active: 10, members: 100 }, { active: 20, members: 100 }, 0.2)).toBe(false);
  });

  it('agrees with the exact rational comparison', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 99 }),
        (pm, cm, pa, ca, thresholdPercent) => {
          const previous = { active: Math.min(pa, pm), members: pm };
          const current = { active: Math.min(ca, cm), members: cm };
          // current/cm < previous/pm * (100 - t)/100  <=>  100 * ca * pm < (100 - t) * pa * cm
          const expected =
            previous.active > 0 &&
            100 * current.active * previous.members <
              (100 - thresholdPercent) * previous.active * current.members;
          expect(isDip(previous, current, thresholdPercent / 100)).toBe(expected);
        },
      ),
    );
  });
});

describe('engagementWithDips', () => {
  const periods = ['2026-01', '2026-02', '2026-03'];
  const rows = engagementWithDips(
    [
      { group: '2025-01', period: '2026-01', members: 100, active: 50 },
      { group: '2025-01', period: '2026-02', members: 100, active: 40 }, // -20%: not beyond
      { group: '2025-01', period: '2026-03', members: 100, active: 30 }, // -25%: dip
      { group: '2025-02', period: '2026-01', members: 20, active: 10 },
      { group: '2025-02', period: '2026-02', members: 20, active: 2 }, // -80%, but 20 members: not flagged
      { group: '2025-03', period: '2026-03', members: 80, active: 8 }, // first period seen
    ],
    periods,
    'cohort',
  );

  it('matches its contract', () => {
    for (const row of rows) expect(EngagementRow.parse(row)).toEqual(row);
  });

  it('flags a drop beyond the threshold against the previous period', () => {
    expect(rows.map((r) => [r.group, r.period, r.status, r.dip])).toEqual([
      ['2025-01', '2026-01', 'no_previous', false],
      ['2025-01', '2026-02', 'ok', false],
      ['2025-01', '2026-03', 'ok', true],
      ['2025-02', '2026-01', 'no_previous', false],
      ['2025-02', '2026-02', 'low_count', false],
      ['2025-03', '2026-03', 'no_previous', false],
    ]);
    // 0.3 against 0.4: (0.3 - 0.4) / 0.4 = -0.25
    expect(rows[2]).toMatchObject({ rate: 0.3, previousRate: 0.4, groupBy: 'cohort' });
    expect(rows[2]?.change).toBeCloseTo(-0.25, 12);
  });

  it('takes the threshold and the minimum group size as options', () => {
    const loose = engagementWithDips(
      [
        { group: 'g', period: '2026-01', members: 20, active: 10 },
        { group: 'g', period: '2026-02', members: 20, active: 6 },
      ],
      periods,
      'segment',
      { threshold: 0.5, minMembers: 10 },
    );
    // 0.5 -> 0.3 is a 40% drop: not beyond 50%.
    expect(loose[1]).toMatchObject({ status: 'ok', dip: false });
  });

  it('rejects counts that cannot be', () => {
    expect(() =>
      engagementWithDips([{ group: 'g', period: '2027-01', members: 1, active: 0 }], periods, 'segment'),
    ).toThrow(/not among the periods/);
    expect(() =>
      engagementWithDips([{ group: 'g', period: '2026-01', members: 1, active: 2 }], periods, 'segment'),
    ).toThrow(/more active than members/);
  });
});

describe('segmentSizes', () => {
  it('gives each segment its share of the program', () => {
    // 2026-01: 1,000 members; champions 150 -> 0.15, in no segment 100 -> 0.1
    expect(
      segmentSizes(
        [
          { period: '2026-01', scheme: 'apostle', segment: 'champions', members: 150 },
          { period: '2026-01', scheme: 'apostle', segment: null, members: 100 },
          { period: '2026-02', scheme: 'apostle', segment: 'champions', members: 0 },
        ],
        new Map([
          ['2026-01', 1000],
          ['2026-02', 0],
        ]),
      ).map((r) => r.share),
    ).toEqual([0.15, 0.1, 0]);
  });
});

describe('migrationMatrix', () => {
  it('counts members by where they started and ended, with joiners and leavers as null', () => {
    const before = new Map<string, string | null>([
      ['m1', 'gold'],
      ['m2', 'gold'],
      ['m3', 'silver'],
      ['m4', null],
      ['m5', 'silver'],
    ]);
    const after = new Map<string, string | null>([
      ['m1', 'gold'],
      ['m2', 'silver'],
      ['m3', 'silver'],
      ['m4', 'silver'],
      ['m6', 'gold'], // joined during the period
    ]); // m5 left
    const rows = migrationMatrix('loyalty', '2026-01', '2026-02', before, after);
    for (const row of rows) expect(MigrationRow.parse(row)).toEqual(row);
    expect(rows.map((r) => [r.from, r.to, r.members, r.shareOfFrom])).toEqual([
      ['gold', 'gold', 1, 0.5],
      ['gold', 'silver', 1, 0.5],
      ['silver', 'silver', 1, 0.5],
      ['silver', null, 1, 0.5],
      [null, 'gold', 1, 0.5],
      [null, 'silver', 1, 0.5],
    ]);
  });

  it('accounts for every member once, and each from-row sums to 1', () => {
    const segment = fc.option(fc.constantFrom('a', 'b', 'c'), { nil: null });
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 3 }), segment),
        fc.dictionary(fc.string({ maxLength: 3 }), segment),
        (b, a) => {
          const before = new Map(Object.entries(b));
          const after = new Map(Object.entries(a));
          const rows = migrationMatrix('s', 'p1', 'p2', before, after);
          const everyone = new Set([...before.keys(), ...after.keys()]);
          expect(rows.reduce((sum, r) => sum + r.members, 0)).toBe(everyone.size);
          const shares = new Map<string | null, number>();
          for (const r of rows) shares.set(r.from, (shares.get(r.from) ?? 0) + r.shareOfFrom);
          for (const total of shares.values()) expect(total).toBeCloseTo(1, 12);
        },
      ),
    );
  });
});

describe('pointsLiability', () => {
  const balances = [
    { group: 'gold', points: 1000 },
    { group: 'gold', points: 500 },
    { group: 'silver', points: 300 },
    { group: 'silver', points: -50 }, // owed to the program: not a liability
    { group: 'silver', points: 0 },
    { group: null, points: 200 },
  ];

  it('values outstanding points and their expected redemption from history', () => {
    // rate = 6,000 redeemed / (6,000 + 2,000 expired) = 0.75
    // all: 1,000 + 500 + 300 + 200 = 2,000 points x 0.01 = 20.0000; expected 1,500 points, 15.0000
    // gold: 1,500 points = 15.0000, expected 1,125 = 11.2500; silver: 300 = 3.0000, expected 225 = 2.2500
    const liability = pointsLiability({
      balances,
      redeemedPoints: 6000,
      expiredPoints: 2000,
      pointValue: '0.01',
    });
    expect(PointsLiability.parse(liability)).toEqual(liability);
    expect(liability).toEqual({
      pointValue: '0.0100',
      redeemedPoints: 6000,
      expiredPoints: 2000,
      redemptionRate: 0.75,
      redemptionRateSource: 'history',
      rows: [
        {
          group: null,
          membersWithBalance: 4,
          outstandingPoints: 2000,
          outstandingValue: '20.0000',
          expectedRedemptionPoints: 1500,
          expectedRedemptionValue: '15.0000',
        },
        {
          group: 'gold',
          membersWithBalance: 2,
          outstandingPoints: 1500,
          outstandingValue: '15.0000',
          expectedRedemptionPoints: 1125,
          expectedRedemptionValue: '11.2500',
        },
        {
          group: 'silver',
          membersWithBalance: 1,
          outstandingPoints: 300,
          outstandingValue: '3.0000',
          expectedRedemptionPoints: 225,
          expectedRedemptionValue: '2.2500',
        },
      ],
    });
  });

  it('rounds the expected value to the nearest 1/10,000, exactly', () => {
    // 1,000 points at 0.0001 = 0.1000; rate 2/3 -> 1,000 units x 2/3 = 666.67 units -> 0.0667
    const liability = pointsLiability({
      balances: [{ group: null, points: 1000 }],
      redeemedPoints: 2,
      expiredPoints: 1,
      pointValue: '0.0001',
    });
    expect(liability.rows[0]?.expectedRedemptionValue).toBe('0.0667');
    expect(liability.rows[0]?.expectedRedemptionPoints).toBeCloseTo(2000 / 3, 9);
  });

  it('uses a configured rate, and says when it has none', () => {
    const configured = pointsLiability({
      balances,
      redeemedPoints: 6000,
      expiredPoints: 2000,
      pointValue: '0.01',
      redemptionRate: 0.6,
    });
    expect(configured).toMatchObject({ redemptionRate: 0.6, redemptionRateSource: 'configured' });
    expect(configured.rows[0]?.expectedRedemptionValue).toBe('12.0000');
    const none = pointsLiability({ balances, redeemedPoints: 0, expiredPoints: 0, pointValue: '0.01' });
    expect(none).toMatchObject({ redemptionRate: null, redemptionRateSource: 'none' });
    expect(none.rows[0]).toMatchObject({ expectedRedemptionPoints: null, expectedRedemptionValue: null });
  });
});

describe('cohortOf', () => {
  it('is the join month in UTC', () => {
    expect(cohortOf('2025-01-31T23:59:59.999Z')).toBe('2025-01');
    expect(cohortOf('2025-02-01T00:00:00.000Z')).toBe('2025-02');
    expect(cohortOf(null)).toBe('unknown');
  });
});
