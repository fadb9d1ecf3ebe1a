import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asOfTime, memberHistory } from '../../../test/fixtures/member-histories.ts';
import { deriveFeatures } from '../features/derive-features.ts';
import { aggregateHistory } from '../features/member-aggregates.ts';
import { utcDay } from '../features/utc-days.ts';
import { assignSchemes } from './assign-schemes.ts';
import { builtInSchemes } from './built-in-schemes.ts';
import { nextReviewDay, schemeLeaves } from './next-review-day.ts';
import type { ProgramContext } from './program-context.ts';

const DAY_MS = 86_400_000;
const SCHEMES = builtInSchemes({ interests: ['coffee', 'tea'] });
const LEAVES = schemeLeaves(SCHEMES);
const DISTRIBUTIONS = {
  points_balance: [0, 100, 500, 1000, 4000],
  monetary_total: [0, 10, 100, 1000],
  spend_90d: [0, 50, 500],
  clv_12m: [0, 100],
};
const contextAt = (asOf: Date): ProgramContext => ({ asOf, distributions: DISTRIBUTIONS });

/** Which segments a member is in, scheme by scheme: what a refresh must keep exact. */
function memberships(history: Parameters<typeof aggregateHistory>[0], storedAsOf: Date, asOf: Date) {
  const agg = aggregateHistory(history, storedAsOf);
  const features = deriveFeatures(agg, asOf, { rfm: { r: 3, f: 2, m: 4 } });
  return assignSchemes(features, contextAt(asOf), SCHEMES).map(
    (a) => `${a.scheme}:${a.memberships.map((m) => m.segment).join(',')}`,
  );
}

describe('nextReviewDay', () => {
  it('promises no membership change before the review day, for any member and any later day', () => {
    fc.assert(
      fc.property(memberHistory, asOfTime, fc.integer({ min: 1, max: 500 }), (history, asOf, laterDays) => {
        const agg = aggregateHistory(history, asOf);
        const features = deriveFeatures(agg, asOf, { rfm: { r: 3, f: 2, m: 4 } });
        const review = nextReviewDay(agg, features, LEAVES, contextAt(asOf));
        const later = new Date(asOf.getTime() + laterDays * DAY_MS);
        if (review !== null && utcDay(later) >= review) return; // due: the refresh re-evaluates
        expect(memberships(history, asOf, later)).toEqual(memberships(history, asOf, asOf));
      }),
      { numRuns: 400 },
    );
  });

  it('falls on the day a recency threshold is crossed', () => {
    const asOf = new Date('2024-06-30T12:00:00Z');
    const lastPurchase = '2024-06-20T09:00:00Z'; // 10 days before
    const history = {
      joinedAt: '2020-01-01T00:00:00Z',
      purchases: [
        { id: 'p1', kind: 'order' as const, occurredAt: lastPurchase, amount: '10', merchandiseAmount: '10' },
      ],
      points: [],
      engagement: [],
      surveys: [],
      declarations: [],
    };
    const agg = aggregateHistory(history, asOf);
    const features = deriveFeatures(agg, asOf);
    const leaves = [{ feature: 'recency_days', op: 'lte' as const, value: 30 }];
    // Its day of activity leaves the recent window 90 days after it, but recency > 30 comes first.
    expect(nextReviewDay(agg, features, leaves, contextAt(asOf))).toBe(utcDay(lastPurchase) + 31);
  });

  it('is null for a member with nothing that can change with time', () => {
    const asOf = new Date('2024-06-30T12:00:00Z');
    const empty = {
      joinedAt: null,
      purchases: [],
      points: [],
      engagement: [],
      surveys: [],
      declarations: [],
    };
    const agg = aggregateHistory(empty, asOf);
    expect(nextReviewDay(agg, deriveFeatures(agg, asOf), LEAVES, contextAt(asOf))).toBeNull();
  });
});
