import { describe, expect, it } from 'vitest';
import { assignSchemes } from './assign-schemes.ts';
import { AS_OF, daysAgo, inSegment, member, PROGRAM, scheme } from './scheme-fixtures.ts';

const loyalty = scheme('loyalty');
const is = (segment: string, overrides: Parameters<typeof member>[0], context = PROGRAM) =>
  inSegment(loyalty, segment, member(overrides), context);

describe('VIPs', () => {
  const vip = { clv_percentile: 80, engagements_90d: 6 };

  it('takes a member at CLV percentile 80 with 6 engagements in 90 days', () => {
    expect(is('vips', vip)).toBe(true);
  });

  it('leaves out a member just below either threshold', () => {
    expect(is('vips', { ...vip, clv_percentile: 79.9 })).toBe(false);
    expect(is('vips', { ...vip, engagements_90d: 5 })).toBe(false);
  });

  it('falls back to the top 20% by total spend when the member has no CLV outputs', () => {
    expect(is('vips', { ...vip, clv_percentile: null, monetary_total: '81.0000' })).toBe(true);
    expect(is('vips', { ...vip, clv_percentile: null, monetary_total: '80.9999' })).toBe(false);
  });

  it('does not fall back to spend when a CLV percentile exists but is low', () => {
    expect(is('vips', { ...vip, clv_percentile: 10, monetary_total: '100.0000' })).toBe(false);
  });

  it('explains the membership with the values and thresholds', () => {
    const [assignment] = assignSchemes(member({ ...vip, clv_percentile: 93, engagements_90d: 14 }), PROGRAM, [
      loyalty,
    ]);
    expect(assignment?.memberships[0]?.explanation).toBe(
      'VIPs: CLV percentile 93 ≥ 80 and engagements in 90 days 14 ≥ 6',
    );
  });
});

describe('At-Risk Loyals', () => {
  const valuable = { clv_percentile: 70, p_alive: 0.9 };

  it('takes a valuable member whose engagement halved', () => {
    expect(is('at_risk_loyals', { ...valuable, engagement_trend: -0.5 })).toBe(true);
    expect(is('at_risk_loyals', { ...valuable, engagement_trend: -0.49 })).toBe(false);
  });

  it('takes a valuable member whose P(alive) is below 0.5', () => {
    expect(is('at_risk_loyals', { ...valuable, p_alive: 0.49 })).toBe(true);
    expect(is('at_risk_loyals', { ...valuable, p_alive: 0.5 })).toBe(false);
  });

  it('needs CLV percentile 70', () => {
    expect(is('at_risk_loyals', { clv_percentile: 69.9, p_alive: 0.1 })).toBe(false);
  });

  it('without model outputs, reads value from the top 30% of spend and falling away from 120 days without a purchase', () => {
    const unscored = { clv_percentile: null, p_alive: null, monetary_total: '71.0000' };
    expect(is('at_risk_loyals', { ...unscored, recency_days: 120 })).toBe(true);
    expect(is('at_risk_loyals', { ...unscored, recency_days: 119 })).toBe(false);
    expect(is('at_risk_loyals', { ...unscored, monetary_total: '70.9999', recency_days: 400 })).toBe(false);
  });
});

describe('Points Savers', () => {
  const saver = { points_balance: 8100, redemption_ratio: 0.1 };

  it('takes a balance in the top 20% with redemption ratio at most 0.10', () => {
    expect(is('points_savers', saver)).toBe(true);
  });

  it('leaves out a balance just below the top 20% or a ratio just above 0.10', () => {
    expect(is('points_savers', { ...saver, points_balance: 8099 })).toBe(false);
    expect(is('points_savers', { ...saver, redemption_ratio: 0.1001 })).toBe(false);
  });

  it('needs a balance of 500 even where the top 20% starts lower', () => {
    const smallBalances = {
      asOf: AS_OF,
      distributions: { points_balance: [0, 0, 0, 0, 0, 0, 0, 0, 100, 600] },
    };
    expect(is('points_savers', { ...saver, points_balance: 500 }, smallBalances)).toBe(true);
    expect(is('points_savers', { ...saver, points_balance: 499 }, smallBalances)).toBe(false);
  });

  it('explains itself in the words of the issue', () => {
    const context = {
      asOf: AS_OF,
      distributions: { points_balance: [100, 900, 1500, 2000, 2500, 2800, 3000, 3050, 3100, 5000] },
    };
    const [assignment] = assignSchemes(member({ points_balance: 4210, redemption_ratio: 0.02 }), context, [
      loyalty,
    ]);
    expect(assignment?.memberships).toEqual([
      expect.objectContaining({
        segment: 'points_savers',
        explanation:
          'Points Savers: points balance 4,210 is in the top 20% (≥ 3,100) and points balance 4,210 ≥ 500 and redemption ratio 0.02 ≤ 0.10',
      }),
    ]);
  });

  it('follows the program overrides', () => {
    const strict = scheme('loyalty', { loyalty: { pointsSaverMaxRedemptionRatio: 0.05 } });
    expect(inSegment(strict, 'points_savers', member({ ...saver, redemption_ratio: 0.06 }))).toBe(false);
  });
});

describe('New Enthusiasts', () => {
  const fresh = { joined_at: daysAgo(89), frequency_orders: 1 };

  it('takes a member who joined 89 days ago and made a first purchase', () => {
    expect(is('new_enthusiasts', fresh)).toBe(true);
    expect(is('new_enthusiasts', { ...fresh, frequency_orders: 2 })).toBe(true);
  });

  it('leaves out a member who joined 90 days ago, has not bought, or has made a third order', () => {
    expect(is('new_enthusiasts', { ...fresh, joined_at: daysAgo(90) })).toBe(false);
    expect(is('new_enthusiasts', { ...fresh, frequency_orders: 0 })).toBe(false);
    expect(is('new_enthusiasts', { ...fresh, frequency_orders: 3 })).toBe(false);
  });
});

describe('Engaged Advocates', () => {
  const advocate = { advocacy_90d: 3, monetary_total: '90.9999' };

  it('takes 3 advocacy actions in 90 days from a member outside the top 10% of spend', () => {
    expect(is('engaged_advocates', advocate)).toBe(true);
  });

  it('leaves out 2 actions, or a top-10% spender', () => {
    expect(is('engaged_advocates', { ...advocate, advocacy_90d: 2 })).toBe(false);
    expect(is('engaged_advocates', { ...advocate, monetary_total: '91.0000' })).toBe(false);
  });

  it('takes a 30% share of points from non-purchase activity with at least one action', () => {
    const sharer = { advocacy_90d: 1, non_purchase_points_share: 0.3, monetary_total: '5.0000' };
    expect(is('engaged_advocates', sharer)).toBe(true);
    expect(is('engaged_advocates', { ...sharer, non_purchase_points_share: 0.2999 })).toBe(false);
    expect(is('engaged_advocates', { ...sharer, advocacy_90d: 0 })).toBe(false);
  });
});

describe('the loyalty scheme', () => {
  it('gives the first matching segment only: a VIP who also saves points is a VIP', () => {
    const both = member({
      clv_percentile: 95,
      engagements_90d: 10,
      points_balance: 9000,
      redemption_ratio: 0,
    });
    const [assignment] = assignSchemes(both, PROGRAM, [loyalty]);
    expect(assignment?.memberships.map((m) => m.segment)).toEqual(['vips']);
  });

  it('gives no segment to an unremarkable member', () => {
    expect(assignSchemes(member(), PROGRAM, [loyalty])[0]?.memberships).toEqual([]);
  });
});
