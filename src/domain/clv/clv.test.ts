import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAYS_PER_MONTH, discountedExpectedPurchases, predictMembers } from './clv.ts';
import { expectedPurchases, type PurchaseModel } from './purchase-model.ts';

const bgnbd: PurchaseModel = { model: 'bgnbd', params: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 } };
const pareto: PurchaseModel = {
  model: 'pareto-nbd',
  params: { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 },
};
const spend = { p: 6.25, q: 3.74, gamma: 15.44 };
const weeksPerYear = (12 * DAYS_PER_MONTH) / 7;

describe('discountedExpectedPurchases', () => {
  const history = { x: 2, tx: 30.43, T: 38.86 };

  it('equals the 12-month expected purchases when the discount rate is 0', () => {
    for (const model of [bgnbd, pareto]) {
      const discounted = discountedExpectedPurchases(model, history, {
        timeUnit: 'week',
        annualDiscountRate: 0,
      });
      expect(discounted).toBeCloseTo(expectedPurchases(model, history, weeksPerYear), 10);
    }
  });

  it('shrinks as the discount rate grows', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.001, max: 1, noNaN: true }),
        (d, step) => {
          const low = discountedExpectedPurchases(bgnbd, history, {
            timeUnit: 'week',
            annualDiscountRate: d,
          });
          const high = discountedExpectedPurchases(bgnbd, history, {
            timeUnit: 'week',
            annualDiscountRate: d + step,
          });
          expect(high).toBeLessThanOrEqual(low);
        },
      ),
    );
  });

  it('gives the same value whether time is counted in days or weeks', () => {
    const inDays = { x: 2, tx: 30.43 * 7, T: 38.86 * 7 };
    const daily: PurchaseModel = {
      model: 'pareto-nbd',
      params: { ...pareto.params, alpha: 10.578 * 7, beta: 11.669 * 7 },
    };
    expect(discountedExpectedPurchases(daily, inDays, { timeUnit: 'day' })).toBeCloseTo(
      discountedExpectedPurchases(pareto, history, { timeUnit: 'week' }),
      10,
    );
  });
});

describe('predictMembers', () => {
  const summaries = [
    { memberId: 'new', x: 0, tx: 0, T: 10, zbar: 0 },
    { memberId: 'loyal', x: 12, tx: 38, T: 39, zbar: 40 },
    { memberId: 'lapsed', x: 3, tx: 2, T: 39, zbar: 20 },
    { memberId: 'whale', x: 1000, tx: 9999, T: 10_000, zbar: 500 },
  ];

  it('scales CLV with margin and ranks members by it', () => {
    const full = predictMembers(summaries, { purchase: bgnbd, spend }, { timeUnit: 'week' });
    const half = predictMembers(summaries, { purchase: bgnbd, spend }, { timeUnit: 'week', margin: 0.5 });
    for (let i = 0; i < summaries.length; i++) {
      expect(half[i]?.clv).toBeCloseTo((full[i]?.clv ?? 0) / 2, 10);
    }
    const byId = new Map(full.map((p) => [p.memberId, p]));
    expect(byId.get('new')?.probabilityAlive).toBe(1);
    expect(byId.get('new')?.expectedSpend).toBeCloseTo((6.25 * 15.44) / 2.74, 10);
    expect(byId.get('whale')?.clvPercentile).toBe(100);
    expect(byId.get('loyal')?.clv).toBeGreaterThan(byId.get('lapsed')?.clv ?? Number.POSITIVE_INFINITY);
    for (const p of full) {
      expect(Number.isFinite(p.clv)).toBe(true);
      expect(Number.isFinite(p.expectedPurchases)).toBe(true);
    }
  });

  it('uses a custom purchase horizon for expectedPurchases only', () => {
    const [p] = predictMembers(
      summaries.slice(1, 2),
      { purchase: pareto, spend },
      { timeUnit: 'week', purchaseHorizon: 4 },
    );
    expect(p?.expectedPurchases).toBeCloseTo(
      expectedPurchases(pareto, summaries[1] as (typeof summaries)[1], 4),
      12,
    );
  });
});
