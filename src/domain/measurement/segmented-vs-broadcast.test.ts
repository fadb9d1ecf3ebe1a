import { describe, expect, it } from 'vitest';
import { SegmentedVsBroadcastReport } from '../../contracts/measurement.ts';
import { type Cell, type CellTotals, emptyTotals } from './campaign-cells.ts';
import { comparedCampaign, segmentedVsBroadcast } from './segmented-vs-broadcast.ts';
import { differenceOfMeans, differenceOfProportions } from './statistics.ts';

// Sums of squares in units for n members with mean m and sample variance v (currency units):
// sum(x^2) = (n - 1) v + n m^2, times 10^8 for units^2.
const squares = (n: number, mean: number, variance: number) =>
  BigInt(Math.round(((n - 1) * variance + n * mean * mean) * 1e4)) * 10_000n;

const totals = (t: Partial<CellTotals>): CellTotals => ({ ...emptyTotals(), ...t });

// Targeted (Lapsed gold, tailored offer): 1,000 sent, 150 converted, revenue 3,000.00 (mean 3, variance 400);
// holdout 200, 20 converted, 400.00 (mean 2, variance 300). Cost: 1,000 emails at 0.0020 + 50 redemptions at 1.00.
const TARGETED = {
  campaignId: 'lapsed-gold',
  label: 'Lapsed gold, tailored offer',
  treated: totals({
    assigned: 1000,
    converted: 150,
    revenueMembers: 150,
    revenueUnits: 30_000_000n,
    revenueSquaresUnits: squares(1000, 3, 400),
    messageCostUnits: 20_000n,
    offerCostUnits: 500_000n,
  }),
  holdout: totals({
    assigned: 200,
    converted: 20,
    revenueMembers: 20,
    revenueUnits: 4_000_000n,
    revenueSquaresUnits: squares(200, 2, 300),
  }),
};

// Broadcast: 5,000 sent, 500 converted, 11,000.00 (mean 2.2, variance 350); holdout 1,000, 90 converted,
// 2,100.00 (mean 2.1, variance 340). Cost: 5,000 emails at 0.0020 + 200 redemptions at 1.00.
const BROADCAST = {
  campaignId: 'spring-all',
  label: 'Spring, everyone',
  treated: totals({
    assigned: 5000,
    converted: 500,
    revenueMembers: 500,
    revenueUnits: 110_000_000n,
    revenueSquaresUnits: squares(5000, 2.2, 350),
    messageCostUnits: 100_000n,
    offerCostUnits: 2_000_000n,
  }),
  holdout: totals({
    assigned: 1000,
    converted: 90,
    revenueMembers: 90,
    revenueUnits: 21_000_000n,
    revenueSquaresUnits: squares(1000, 2.1, 340),
  }),
};

describe('segmentedVsBroadcast', () => {
  const report = segmentedVsBroadcast(TARGETED, BROADCAST);

  it('matches its contract', () => {
    expect(SegmentedVsBroadcastReport.parse(report)).toEqual(report);
  });

  it("gives each side's lift over its own holdout", () => {
    const side = (s: string, metric: string) => report.sides.find((r) => r.side === s && r.metric === metric);
    const conversion = differenceOfProportions(150, 1000, 20, 200);
    expect(side('targeted', 'conversion_rate')).toMatchObject({
      campaignId: 'lapsed-gold',
      method: 'newcombe_wilson',
      status: 'ok',
      treatedMembers: 1000,
      holdoutMembers: 200,
      treatedValue: 0.15,
      holdoutValue: 0.1,
      lower: conversion.lower,
      upper: conversion.upper,
    });
    expect(side('targeted', 'conversion_rate')?.estimate).toBeCloseTo(0.05, 12);
    const revenue = differenceOfMeans(
      { n: 5000, mean: 2.2, variance: 350 },
      { n: 1000, mean: 2.1, variance: 340 },
    );
    const broadcastRevenue = side('broadcast', 'revenue_per_member');
    expect(broadcastRevenue?.method).toBe('welch_t');
    expect(broadcastRevenue?.estimate).toBeCloseTo(0.1, 10);
    expect(broadcastRevenue?.lower).toBeCloseTo(revenue?.lower ?? Number.NaN, 8);
    expect(broadcastRevenue?.upper).toBeCloseTo(revenue?.upper ?? Number.NaN, 8);
  });

  it('sets the lifts against each other, adding the four arms’ variances', () => {
    // conversion: targeted 0.15 - 0.10 = 0.05, se^2 = 0.15*0.85/1000 + 0.1*0.9/200 = 0.0005775
    //             broadcast 0.10 - 0.09 = 0.01, se^2 = 0.1*0.9/5000 + 0.09*0.91/1000 = 0.0000999
    //   difference 0.04, se = sqrt(0.0006774) = 0.0260269; 0.04 -+ 1.959964 * 0.0260269 = (-0.0110118, 0.0910118)
    //   p = 2 * Phi(-0.04 / 0.0260269) = 0.1243249
    const conversion = report.differences.find((d) => d.metric === 'conversion_rate');
    expect(conversion?.status).toBe('ok');
    expect(conversion?.estimate).toBeCloseTo(0.04, 12);
    expect(conversion?.lower).toBeCloseTo(-0.011011804566572629, 10);
    expect(conversion?.upper).toBeCloseTo(0.09101180456657262, 10);
    expect(conversion?.pValue).toBeCloseTo(0.12432492021036604, 10);
    expect(conversion?.significant).toBe(false);
    // revenue: targeted 3 - 2 = 1, se^2 = 400/1000 + 300/200 = 1.9; broadcast 2.2 - 2.1 = 0.1, se^2 = 350/5000 + 340/1000 = 0.41
    //   difference 0.9, se = sqrt(2.31) = 1.5198684; 0.9 -+ 1.959964 * 1.5198684 = (-2.0788874, 3.8788874); p = 0.5537458
    const revenue = report.differences.find((d) => d.metric === 'revenue_per_member');
    expect(revenue?.estimate).toBeCloseTo(0.9, 10);
    expect(revenue?.lower).toBeCloseTo(-2.0788873553398135, 8);
    expect(revenue?.upper).toBeCloseTo(3.8788873553398133, 8);
    expect(revenue?.pValue).toBeCloseTo(0.5537457784120277, 8);
  });

  it('says what each side cost and bought', () => {
    // targeted: 2.0000 + 50.0000 = 52.0000 over 1,000 = 0.0520; 0.05 x 1,000 = 50 incremental conversions at 1.04;
    //           1 x 1,000 = 1,000 incremental revenue, 1,000 / 52 = 19.2308 per unit of cost
    // broadcast: 10.0000 + 200.0000 = 210.0000 over 5,000 = 0.0420; 0.01 x 5,000 = 50 at 4.20; 0.1 x 5,000 = 500, / 210
    const [targeted, broadcast] = report.economics;
    expect(targeted).toMatchObject({
      side: 'targeted',
      totalCost: '52.0000',
      costPerTreatedMember: '0.0520',
    });
    expect(targeted?.incrementalConversions).toBeCloseTo(50, 9);
    expect(targeted?.costPerIncrementalConversion).toBeCloseTo(1.04, 9);
    expect(targeted?.incrementalRevenue).toBeCloseTo(1000, 9);
    expect(targeted?.incrementalRevenuePerCost).toBeCloseTo(1000 / 52, 9);
    expect(broadcast).toMatchObject({
      side: 'broadcast',
      totalCost: '210.0000',
      costPerTreatedMember: '0.0420',
    });
    expect(broadcast?.incrementalConversions).toBeCloseTo(50, 9);
    expect(broadcast?.costPerIncrementalConversion).toBeCloseTo(4.2, 9);
    expect(broadcast?.incrementalRevenuePerCost).toBeCloseTo(500 / 210, 9);
  });

  it('flags the difference when either side is low-count', () => {
    const small = { ...TARGETED, holdout: totals({ assigned: 40, converted: 4, revenueMembers: 4 }) };
    const flagged = segmentedVsBroadcast(small, BROADCAST);
    expect(flagged.differences[0]).toMatchObject({
      status: 'low_count',
      reason: 'targeted: holdout has 40 members, fewer than 100',
      estimate: null,
    });
    expect(flagged.sides[0]).toMatchObject({ side: 'targeted', status: 'low_count', estimate: null });
    expect(flagged.economics[0]?.incrementalConversions).toBeNull();
  });

  it('pools a campaign’s variants against its holdout from its all-member cells', () => {
    const cells: Cell[] = [
      {
        scheme: null,
        segment: null,
        arm: 'a',
        holdout: false,
        totals: totals({ assigned: 10, converted: 2 }),
      },
      {
        scheme: null,
        segment: null,
        arm: 'b',
        holdout: false,
        totals: totals({ assigned: 5, converted: 1 }),
      },
      { scheme: null, segment: null, arm: 'h', holdout: true, totals: totals({ assigned: 3 }) },
      { scheme: 'rfm', segment: 'champions', arm: 'a', holdout: false, totals: totals({ assigned: 4 }) },
    ];
    const pooled = comparedCampaign('c', 'C', cells);
    expect(pooled.treated.assigned).toBe(15);
    expect(pooled.treated.converted).toBe(3);
    expect(pooled.holdout.assigned).toBe(3);
  });
});
