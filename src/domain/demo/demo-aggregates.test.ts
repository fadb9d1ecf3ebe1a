import { describe, expect, it } from 'vitest';
import type { DemoMember } from './demo-member.ts';
import { demoMember } from './demo-member.ts';

const NOW = new Date('2025-06-01T00:00:00Z');
const MEMBERS = 2000;
const DAY_MS = 86_400_000;

// Rough stand-ins for the built-in segments (DESIGN.md §3): the demo is only useful if each of
// them finds somebody. The real rules live with the segment engine; these only check the data.
type Summary = {
  orders: number;
  spend: number;
  daysSinceLastOrder: number | undefined;
  daysSinceJoined: number;
  balance: number;
  redeemedLast180Days: boolean;
  everRedeemed: boolean;
  activityLast90Days: number;
  nonPurchasePointShare: number;
  latestNps: number | undefined;
  declared: Set<string>;
};

function summarise({ member, purchases, points, engagement, surveys, declarations }: DemoMember): Summary {
  const now = NOW.getTime();
  const daysAgo = (iso: string) => (now - Date.parse(iso)) / DAY_MS;
  const orders = purchases.filter((p) => p.kind === 'order');
  const last = orders.at(-1);
  let balance = 0;
  let earned = 0;
  let earnedOutsidePurchases = 0;
  for (const entry of points) {
    balance += entry.type === 'earn' || entry.type === 'adjust' ? entry.points : -entry.points;
    if (entry.type === 'earn') earned += entry.points;
    if (entry.type === 'earn' && entry.reason !== 'purchase') earnedOutsidePurchases += entry.points;
  }
  const redemptions = points.filter((p) => p.type === 'redeem');
  return {
    orders: orders.length,
    spend: orders.reduce((sum, p) => sum + Number(p.amount), 0),
    daysSinceLastOrder: last ? daysAgo(last.occurredAt) : undefined,
    daysSinceJoined: daysAgo(member.joinedAt ?? ''),
    balance,
    redeemedLast180Days: redemptions.some((r) => daysAgo(r.occurredAt) <= 180),
    everRedeemed: redemptions.length > 0,
    activityLast90Days: engagement.filter((e) => e.kind !== 'app_open' && daysAgo(e.occurredAt) <= 90).length,
    nonPurchasePointShare: earned > 0 ? earnedOutsidePurchases / earned : 0,
    latestNps: surveys.filter((s) => s.kind === 'nps').at(-1)?.score,
    declared: new Set(declarations.map((d) => `${d.key}=${d.value}`)),
  };
}

const summaries = Array.from({ length: MEMBERS }, (_, i) =>
  summarise(demoMember({ seed: 42, index: i + 1, now: NOW })),
);
const share = (test: (s: Summary) => boolean) => summaries.filter(test).length / MEMBERS;
const spendRanked = summaries.map((s) => s.spend).sort((a, b) => a - b);
const topSpend = spendRanked[Math.floor(MEMBERS * 0.9)] ?? 0;
const highSpend = spendRanked[Math.floor(MEMBERS * 0.8)] ?? 0;

describe('a demo program of 2,000 members', () => {
  it('has churn: a good share of buyers have not ordered for six months', () => {
    const buyers = summaries.filter((s) => s.orders > 0);
    const lapsed = buyers.filter((s) => (s.daysSinceLastOrder ?? 0) > 180).length / buyers.length;
    expect(lapsed).toBeGreaterThan(0.25);
    expect(lapsed).toBeLessThan(0.6);
  });

  it('has prospects and one-time buyers next to repeat customers', () => {
    expect(share((s) => s.orders === 0)).toBeGreaterThan(0.05);
    expect(share((s) => s.orders === 1)).toBeGreaterThan(0.15);
    expect(share((s) => s.orders >= 5)).toBeGreaterThan(0.2);
  });

  it('finds somebody for every behavioural segment', () => {
    const groups = {
      vips: share((s) => s.spend >= topSpend && s.activityLast90Days >= 3),
      atRiskLoyals: share(
        (s) => s.orders >= 5 && (s.daysSinceLastOrder ?? 0) > 60 && (s.daysSinceLastOrder ?? 0) < 365,
      ),
      pointsSavers: share((s) => s.balance >= 1000 && !s.redeemedLast180Days),
      newEnthusiasts: share((s) => s.daysSinceJoined <= 60 && s.orders >= 1),
      engagedAdvocates: share(
        (s) => s.activityLast90Days >= 6 && s.spend < highSpend && s.nonPurchasePointShare > 0.5,
      ),
      hostages: share((s) => s.orders >= 8 && !s.everRedeemed && (s.latestNps ?? 10) <= 6),
      ecoAllies: share((s) => s.declared.has('value=sustainability')),
      routineSeekers: share((s) => s.declared.has('quiz.coffee_style=same_favourite_every_time')),
      flavorInnovators: share((s) => s.declared.has('quiz.coffee_style=always_trying_new_flavours')),
    };
    for (const [group, size] of Object.entries(groups)) {
      expect({ group, nonEmpty: size > 0.005 }).toStrictEqual({ group, nonEmpty: true });
    }
  });

  it('has a skewed spend: the top tenth spends far more than the median member', () => {
    expect(topSpend).toBeGreaterThan(5 * (spendRanked[MEMBERS / 2] ?? 0));
  });
});
