import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asOfTime, memberHistory } from '../../../test/fixtures/member-histories.ts';
import { computeFeatures } from './compute-features.ts';
import { deriveFeatures } from './derive-features.ts';
import { featureDefinition } from './feature-catalog.ts';
import {
  aggregateHistory,
  applyEvent,
  emptyAggregates,
  historyEvents,
  pruneBuckets,
} from './member-aggregates.ts';
import type { MemberHistory } from './member-history.ts';

const AS_OF = new Date('2024-06-30T12:00:00Z');

const order = (id: string, occurredAt: string, merchandiseAmount: string, amount = merchandiseAmount) => ({
  id,
  kind: 'order' as const,
  occurredAt,
  amount,
  merchandiseAmount,
});

// Hand-computed below. The as-of day is 2024-06-30: the last 90 days are 2024-04-02..06-30 and the
// 90 before are 2024-01-03..04-01, so 2024-04-01 (exactly 90 days before) is in the earlier window.
const HISTORY: MemberHistory = {
  joinedAt: '2023-12-01T00:00:00.000Z',
  purchases: [
    order('o1', '2024-01-10T10:00:00.000Z', '100.0000', '105.0000'),
    order('o2', '2024-04-01T09:00:00.000Z', '50.0000'),
    order('o3', '2024-04-02T09:00:00.000Z', '30.0000'),
    order('o4', '2024-04-02T18:00:00.000Z', '20.0000'),
    {
      id: 'r1',
      kind: 'refund',
      occurredAt: '2024-05-15T08:00:00.000Z',
      amount: '30.0000',
      merchandiseAmount: '30.0000',
    },
    order('o5', '2024-07-05T10:00:00.000Z', '999.0000'),
  ],
  points: [
    { id: 'p1', occurredAt: '2024-01-10T10:00:00.000Z', type: 'earn', points: 100, orderId: 'o1' },
    { id: 'p2', occurredAt: '2024-04-02T09:00:00.000Z', type: 'earn', points: 30, reason: 'purchase' },
    { id: 'p3', occurredAt: '2024-06-01T12:00:00.000Z', type: 'earn', points: 50, reason: 'review' },
    { id: 'p4', occurredAt: '2024-06-10T12:00:00.000Z', type: 'redeem', points: 60 },
    { id: 'p5', occurredAt: '2024-06-20T12:00:00.000Z', type: 'expire', points: 10 },
    { id: 'p6', occurredAt: '2024-06-21T12:00:00.000Z', type: 'adjust', points: -5 },
  ],
  engagement: [
    { id: 'e1', occurredAt: '2024-06-01T12:00:00.000Z', kind: 'review' },
    { id: 'e2', occurredAt: '2024-03-15T12:00:00.000Z', kind: 'share' },
    { id: 'e3', occurredAt: '2024-06-29T12:00:00.000Z', kind: 'app_open' },
    { id: 'e4', occurredAt: '2024-01-03T12:00:00.000Z', kind: 'app_open' },
    { id: 'e5', occurredAt: '2024-01-02T12:00:00.000Z', kind: 'app_open' },
  ],
  surveys: [
    { id: 's1', occurredAt: '2024-05-01T12:00:00.000Z', kind: 'csat', score: 4 },
    { id: 's2', occurredAt: '2024-02-01T12:00:00.000Z', kind: 'csat', score: 2 },
    { id: 's3', occurredAt: '2024-06-15T12:00:00.000Z', kind: 'nps', score: 9 },
  ],
  declarations: [
    { id: 'd1', occurredAt: '2024-02-01T12:00:00.000Z', key: 'interest', value: 'skincare' },
    { id: 'd2', occurredAt: '2024-05-01T12:00:00.000Z', key: 'interest', value: 'coffee' },
    { id: 'd3', occurredAt: '2024-02-01T12:00:00.000Z', key: 'channel_pref', value: 'email' },
    { id: 'd4', occurredAt: '2024-05-02T12:00:00.000Z', key: 'channel_pref', value: 'sms' },
  ],
};

describe('computeFeatures', () => {
  const features = computeFeatures(HISTORY, AS_OF);

  it('computes purchase features, ignoring events after as-of and netting refunds exactly', () => {
    expect(features).toMatchObject({
      joined_at: '2023-12-01T00:00:00.000Z',
      tenure_days: 212,
      first_purchase_at: '2024-01-10T10:00:00.000Z',
      last_purchase_at: '2024-04-02T18:00:00.000Z',
      recency_days: 89,
      frequency_orders: 4,
      frequency_days: 3,
      monetary_total: '170.0000',
      monetary_avg: '42.5000',
    });
  });

  it('puts an order exactly 90 days before as-of in the earlier window, and a refund on its own day', () => {
    expect(features).toMatchObject({
      orders_90d: 2,
      spend_90d: '20.0000',
      orders_prev_90d: 2,
      spend_prev_90d: '150.0000',
    });
  });

  it('computes points features', () => {
    expect(features).toMatchObject({
      points_earned: 180,
      points_redeemed: 60,
      points_expired: 10,
      points_balance: 105,
      points_earned_90d: 80,
      last_redemption_at: '2024-06-10T12:00:00.000Z',
      days_since_redemption: 20,
    });
    expect(features.redemption_ratio).toBeCloseTo(60 / 180, 12);
    expect(features.non_purchase_points_share).toBeCloseTo(50 / 180, 12);
  });

  it('counts engagement by kind in both windows; 180 days back is outside both', () => {
    expect(features).toMatchObject({
      engagements: 5,
      engagements_90d: 2,
      engagements_prev_90d: 2,
      engagement_trend: 0,
      advocacy_90d: 1,
      reviews_90d: 1,
      shares_prev_90d: 1,
      app_opens: 3,
      app_opens_90d: 1,
      app_opens_prev_90d: 1,
    });
  });

  it('takes the latest survey answers, with satisfaction from the latest of either kind', () => {
    expect(features).toMatchObject({ latest_csat: 4, latest_nps: 9, satisfaction: 5 });
  });

  it('collects multi-valued declarations and keeps the latest single-valued one, with freshness', () => {
    expect(features).toMatchObject({
      'declared.interest': ['coffee', 'skincare'],
      'declared_at.interest': '2024-05-01T12:00:00.000Z',
      'declared.channel_pref': ['sms'],
      'declared_at.channel_pref': '2024-05-02T12:00:00.000Z',
    });
  });

  it('drops values withdrawn by a later clearing marker, keeping those declared with it', () => {
    const withdrawn = computeFeatures(
      {
        ...HISTORY,
        declarations: [
          ...HISTORY.declarations,
          { id: 'd5', occurredAt: '2024-05-10T12:00:00.000Z', key: 'interest.cleared', value: 'true' },
          { id: 'd6', occurredAt: '2024-05-10T12:00:00.000Z', key: 'interest', value: 'skincare' },
          { id: 'd7', occurredAt: '2024-05-11T12:00:00.000Z', key: 'channel_pref.cleared', value: 'true' },
        ],
      },
      AS_OF,
    );
    expect(withdrawn).toMatchObject({
      'declared.interest': ['skincare'],
      'declared_at.interest': '2024-05-10T12:00:00.000Z',
    });
    expect(withdrawn['declared.channel_pref']).toBeUndefined();
    expect(withdrawn['declared_at.channel_pref']).toBeUndefined();
  });

  it('leaves model and program-relative features null until they are supplied', () => {
    expect(features).toMatchObject({ r_score: null, clv_percentile: null, p_alive: null });
    const scored = computeFeatures(HISTORY, AS_OF, {
      rfm: { r: 5, f: 4, m: 3 },
      model: {
        expectedPurchases12m: 2.5,
        pAlive: 0.8,
        expectedSpend: '40.0000',
        clv12m: '90.0000',
        clvPercentile: 77,
      },
    });
    expect(scored).toMatchObject({ r_score: 5, f_score: 4, m_score: 3, p_alive: 0.8, clv_12m: '90.0000' });
  });

  it('gives a member without events zeros and nulls', () => {
    const none = computeFeatures(
      { joinedAt: null, purchases: [], points: [], engagement: [], surveys: [], declarations: [] },
      AS_OF,
    );
    expect(none).toMatchObject({
      joined_at: null,
      tenure_days: null,
      recency_days: null,
      frequency_orders: 0,
      monetary_total: '0.0000',
      monetary_avg: null,
      spend_90d: '0.0000',
      redemption_ratio: null,
      engagement_trend: null,
      satisfaction: null,
    });
  });

  it('rounds the average order half away from zero at 4 decimals', () => {
    const three = computeFeatures(
      {
        ...HISTORY,
        purchases: [
          order('a', '2024-06-01T00:00:00Z', '10.0000'),
          order('b', '2024-06-02T00:00:00Z', '0.0001'),
          order('c', '2024-06-03T00:00:00Z', '0.0001'),
        ],
      },
      AS_OF,
    );
    expect(three.monetary_avg).toBe('3.3334');
  });

  it('only produces catalogued features of the catalogued type', () => {
    for (const [name, value] of Object.entries(features)) {
      const def = featureDefinition(name);
      expect(def, name).toBeDefined();
      if (value === null || def === undefined) continue;
      const expected = {
        number: 'number',
        integer: 'number',
        money: 'string',
        boolean: 'boolean',
        date: 'string',
        string: 'string',
        'string[]': 'object',
      }[def.type];
      expect(typeof value, name).toBe(expected);
      if (def.type === 'integer') expect(Number.isInteger(value), name).toBe(true);
    }
  });
});

describe('incremental upkeep', () => {
  it('gives the same aggregates whatever order events arrive in', () => {
    fc.assert(
      fc.property(memberHistory, asOfTime, fc.integer(), (history, asOf, seed) => {
        const events = historyEvents(history).filter(
          (e) => Date.parse(e.record.occurredAt) <= asOf.getTime(),
        );
        const shuffled = [...events].sort(
          (a, b) => hash(a.record.id + a.event, seed) - hash(b.record.id + b.event, seed),
        );
        let agg = emptyAggregates(history.joinedAt);
        for (const event of shuffled) agg = applyEvent(agg, event);
        expect(deriveFeatures(pruneBuckets(agg, asOf), asOf)).toEqual(computeFeatures(history, asOf));
      }),
    );
  });

  it('never changes the aggregates it is given, nor anything they share with the result (property)', () => {
    // The appliers mutate containers the result owns (aggregateHistory folds in place): a frozen
    // input must come through untouched, and the result must equal the fold over the same events.
    fc.assert(
      fc.property(memberHistory, asOfTime, (history, asOf) => {
        const events = historyEvents(history).filter(
          (e) => Date.parse(e.record.occurredAt) <= asOf.getTime(),
        );
        let agg = emptyAggregates(history.joinedAt);
        for (const event of events) agg = applyEvent(deepFreeze(agg), event);
        expect(pruneBuckets(agg, asOf)).toEqual(aggregateHistory(history, asOf));
      }),
    );
  });

  it('refreshes to a later as-of from stored aggregates alone, equal to a recomputation', () => {
    fc.assert(
      fc.property(memberHistory, asOfTime, fc.integer({ min: 0, max: 400 }), (history, stored, laterDays) => {
        const later = new Date(stored.getTime() + laterDays * 86_400_000);
        const kept = history;
        const upTo = (h: MemberHistory, t: Date): MemberHistory => ({
          joinedAt: h.joinedAt,
          purchases: h.purchases.filter((e) => Date.parse(e.occurredAt) <= t.getTime()),
          points: h.points.filter((e) => Date.parse(e.occurredAt) <= t.getTime()),
          engagement: h.engagement.filter((e) => Date.parse(e.occurredAt) <= t.getTime()),
          surveys: h.surveys.filter((e) => Date.parse(e.occurredAt) <= t.getTime()),
          declarations: h.declarations.filter((e) => Date.parse(e.occurredAt) <= t.getTime()),
        });
        const agg = aggregateHistory(kept, stored);
        expect(deriveFeatures(agg, later)).toEqual(computeFeatures(upTo(kept, stored), later));
      }),
    );
  });
});

/** The value, frozen all the way down: writing to any part of it throws (modules are strict). */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const part of Object.values(value)) deepFreeze(part);
    Object.freeze(value);
  }
  return value;
}

/** A deterministic shuffle key. */
function hash(text: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x9e3779b1);
  return h;
}
