import { describe, expect, it } from 'vitest';
import { computeFeatures } from '../features/compute-features.ts';
import type { MemberHistory } from '../features/member-history.ts';
import { assignSchemes } from './assign-schemes.ts';
import { AS_OF, daysAgo, member, PROGRAM, scheme } from './scheme-fixtures.ts';

const apostle = scheme('apostle');
const loyal = { frequency_orders: 2, orders_90d: 1 };
const segmentOf = (overrides: Parameters<typeof member>[0]) =>
  assignSchemes(member(overrides), PROGRAM, [apostle])[0]?.memberships[0]?.segment ?? null;

describe('the Apostle scheme', () => {
  it('splits loyal members by satisfaction: 5 apostles, 4 loyalists, 3 hostages', () => {
    expect(segmentOf({ ...loyal, satisfaction: 5 })).toBe('apostles');
    expect(segmentOf({ ...loyal, satisfaction: 4 })).toBe('loyalists');
    expect(segmentOf({ ...loyal, satisfaction: 3 })).toBe('hostages');
  });

  it('splits members who are not loyal: 4 mercenaries, 3 defectors', () => {
    expect(segmentOf({ satisfaction: 5 })).toBe('mercenaries');
    expect(segmentOf({ satisfaction: 4 })).toBe('mercenaries');
    expect(segmentOf({ satisfaction: 3 })).toBe('defectors');
  });

  it('needs two orders for loyalty', () => {
    expect(segmentOf({ ...loyal, frequency_orders: 1, satisfaction: 5 })).toBe('mercenaries');
  });

  it('needs an order or points earned in the last 90 days for loyalty', () => {
    expect(segmentOf({ ...loyal, orders_90d: 0, satisfaction: 2 })).toBe('defectors');
    expect(segmentOf({ ...loyal, orders_90d: 0, points_earned_90d: 1, satisfaction: 2 })).toBe('hostages');
  });

  it('leaves members with no survey answer out', () => {
    expect(segmentOf({ ...loyal, satisfaction: null })).toBe(null);
  });

  it('makes a hostage of a member who keeps earning, never redeems and scores low satisfaction', () => {
    const order = (id: string, days: number) => ({
      id,
      kind: 'order' as const,
      occurredAt: daysAgo(days),
      amount: '20.0000',
      merchandiseAmount: '20.0000',
    });
    const earn = (id: string, days: number) => ({
      id,
      occurredAt: daysAgo(days),
      type: 'earn' as const,
      points: 200,
      reason: 'purchase',
      orderId: id,
    });
    const history: MemberHistory = {
      joinedAt: daysAgo(400),
      purchases: [order('o1', 300), order('o2', 120), order('o3', 20)],
      points: [earn('o1', 300), earn('o2', 120), earn('o3', 20)],
      engagement: [],
      surveys: [{ id: 's1', occurredAt: daysAgo(10), kind: 'csat', score: 2 }],
      declarations: [],
    };
    const features = computeFeatures(history, AS_OF);
    expect(features.redemption_ratio).toBe(0);
    const [a] = assignSchemes(features, PROGRAM, [apostle]);
    expect(a?.memberships[0]?.explanation).toBe(
      'Hostages: satisfaction 2 < 4 and orders 3 ≥ 2 and orders in 90 days 1 ≥ 1',
    );
  });
});
