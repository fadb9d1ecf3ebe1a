import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Assignment,
  type AttributionPurchase,
  attribute,
  type CampaignMessageEvent,
  DEFAULT_WINDOW_SECONDS,
  firstSends,
  type MeasuredCampaign,
  type Touch,
  touchesByMember,
} from './attribution.ts';
import type { AttributionInput } from './member-outcomes.ts';

const campaign = (campaignId: string, extra: Partial<MeasuredCampaign> = {}): MeasuredCampaign => ({
  campaignId,
  offer: null,
  messageCost: {},
  ...extra,
});

const assign = (campaignId: string, memberId: string, assignedAt: string, holdout = false): Assignment => ({
  campaignId,
  memberId,
  arm: holdout ? 'holdout' : 'a',
  holdout,
  assignedAt,
  segments: [],
});

const sent = (campaignId: string, memberId: string, occurredAt: string): CampaignMessageEvent => ({
  campaignId,
  memberId,
  type: 'sent',
  channel: 'email',
  occurredAt,
});

const order = (id: string, memberId: string, occurredAt: string, amount = '10'): AttributionPurchase => ({
  id,
  memberId,
  occurredAt,
  kind: 'order',
  refundOf: null,
  amount,
});

function attributed(
  input: Omit<AttributionInput, 'redemptions'> & Partial<AttributionInput>,
  rule?: 'first_touch',
) {
  const touches = touchesByMember(input.campaigns, input.assignments, firstSends(input.messageEvents));
  return attribute(touches, input.purchases, input.redemptions ?? [], rule);
}

describe('the attribution window', () => {
  it('is seven days by default', () => {
    expect(DEFAULT_WINDOW_SECONDS).toBe(604_800);
  });

  it('runs from just after the send to exactly seven days after it, for a sent member', () => {
    // Assigned 09:00, sent 10:00 on 1 March: the window is (1 Mar 10:00:00, 8 Mar 10:00:00].
    const result = attributed({
      campaigns: [campaign('spring')],
      assignments: [assign('spring', 'm1', '2026-03-01T09:00:00Z')],
      messageEvents: [sent('spring', 'm1', '2026-03-01T10:00:00Z')],
      purchases: [
        order('before-send', 'm1', '2026-03-01T09:30:00Z'), // after assignment, before the send: out
        order('at-send', 'm1', '2026-03-01T10:00:00Z'), // at the send itself: out (not after it)
        order('just-after', 'm1', '2026-03-01T10:00:00.001Z'), // in
        order('last-second', 'm1', '2026-03-08T10:00:00Z'), // 7 days to the second: in
        order('one-second-late', 'm1', '2026-03-08T10:00:01Z'), // 7 days + 1 s: out
      ],
    });
    expect([...result.orders.keys()].sort()).toEqual(['just-after', 'last-second']);
  });

  it('runs from the assignment for a holdout member', () => {
    // Holdout assigned 1 March 09:00: the window is (1 Mar 09:00, 8 Mar 09:00].
    const result = attributed({
      campaigns: [campaign('spring')],
      assignments: [assign('spring', 'h1', '2026-03-01T09:00:00Z', true)],
      messageEvents: [],
      purchases: [
        order('in', 'h1', '2026-03-08T09:00:00Z'),
        order('one-second-late', 'h1', '2026-03-08T09:00:01Z'),
      ],
    });
    expect([...result.orders.entries()]).toEqual([['in', 'spring']]);
  });

  it('runs from the assignment for a variant member the campaign never reached', () => {
    const result = attributed({
      campaigns: [campaign('spring')],
      assignments: [assign('spring', 'm5', '2026-03-01T09:00:00Z')],
      messageEvents: [],
      purchases: [order('in', 'm5', '2026-03-01T09:30:00Z')],
    });
    expect(result.orders.get('in')).toBe('spring');
  });

  it('follows a campaign-specific window and the first of several sends', () => {
    const result = attributed({
      campaigns: [campaign('flash', { windowSeconds: 3600 })],
      assignments: [assign('flash', 'm1', '2026-03-01T09:00:00Z')],
      messageEvents: [
        sent('flash', 'm1', '2026-03-01T12:00:00Z'),
        sent('flash', 'm1', '2026-03-01T10:00:00Z'),
      ],
      purchases: [order('in', 'm1', '2026-03-01T11:00:00Z'), order('late', 'm1', '2026-03-01T11:00:01Z')],
    });
    expect([...result.orders.keys()]).toEqual(['in']);
  });

  it('ignores purchases of members no campaign assigned, and refunds', () => {
    const result = attributed({
      campaigns: [campaign('spring')],
      assignments: [assign('spring', 'm1', '2026-03-01T09:00:00Z')],
      messageEvents: [],
      purchases: [
        order('stranger', 'm9', '2026-03-02T09:00:00Z'),
        { ...order('refund', 'm1', '2026-03-02T09:00:00Z'), kind: 'refund' },
      ],
    });
    expect(result.orders.size).toBe(0);
  });
});

describe('one campaign per purchase', () => {
  // m1 is sent 'spring' on 1 March and 'vip' on 3 March, both with 7-day windows.
  const input = {
    campaigns: [campaign('spring'), campaign('vip')],
    assignments: [
      assign('spring', 'm1', '2026-03-01T08:00:00Z'),
      assign('vip', 'm1', '2026-03-03T08:00:00Z'),
    ],
    messageEvents: [sent('spring', 'm1', '2026-03-01T10:00:00Z'), sent('vip', 'm1', '2026-03-03T10:00:00Z')],
    purchases: [
      order('both', 'm1', '2026-03-04T10:00:00Z'), // in both windows
      order('vip-only', 'm1', '2026-03-09T10:00:00Z'), // spring's window closed on 8 March
      order('spring-only', 'm1', '2026-03-02T10:00:00Z'), // before the vip send
    ],
  };

  it('goes to the latest touch by default (last touch)', () => {
    const result = attributed(input);
    expect(Object.fromEntries(result.orders)).toEqual({
      both: 'vip',
      'vip-only': 'vip',
      'spring-only': 'spring',
    });
  });

  it('goes to the earliest touch under first touch', () => {
    const result = attributed(input, 'first_touch');
    expect(Object.fromEntries(result.orders)).toEqual({
      both: 'spring',
      'vip-only': 'vip',
      'spring-only': 'spring',
    });
  });

  it('counts a holdout assignment as a touch, so a holdout member is measured like a sent one', () => {
    // m2 is sent 'spring' on 1 March and held out of 'vip' on 2 March.
    const result = attributed({
      campaigns: [campaign('spring'), campaign('vip')],
      assignments: [
        assign('spring', 'm2', '2026-03-01T10:00:00Z'),
        assign('vip', 'm2', '2026-03-02T10:00:00Z', true),
      ],
      messageEvents: [],
      purchases: [order('p', 'm2', '2026-03-03T10:00:00Z')],
    });
    expect(result.orders.get('p')).toBe('vip');
  });

  it('breaks a tie of touch times by the smaller campaign id, whatever the input order', () => {
    const tie = {
      campaigns: [campaign('zeta'), campaign('alpha')],
      assignments: [
        assign('zeta', 'm1', '2026-03-01T10:00:00Z'),
        assign('alpha', 'm1', '2026-03-01T10:00:00Z'),
      ],
      messageEvents: [],
      purchases: [order('p', 'm1', '2026-03-02T10:00:00Z')],
    };
    expect(attributed(tie).orders.get('p')).toBe('alpha');
    expect(attributed({ ...tie, assignments: [...tie.assignments].reverse() }).orders.get('p')).toBe('alpha');
  });

  it('credits a redemption only to a campaign whose offer carries its code', () => {
    const result = attributed({
      campaigns: [
        campaign('spring', { offer: { code: 'SPRING10', unitCost: '2' } }),
        campaign('vip', { offer: { code: 'VIPDAY', unitCost: '5' } }),
      ],
      assignments: [
        assign('spring', 'm1', '2026-03-01T10:00:00Z'),
        assign('vip', 'm1', '2026-03-03T10:00:00Z'),
      ],
      messageEvents: [],
      purchases: [],
      redemptions: [
        { id: 'r1', memberId: 'm1', occurredAt: '2026-03-04T10:00:00Z', offerCode: 'SPRING10' }, // spring, though vip is later
        { id: 'r2', memberId: 'm1', occurredAt: '2026-03-04T10:00:00Z', offerCode: 'VIPDAY' },
        { id: 'r3', memberId: 'm1', occurredAt: '2026-03-08T10:00:01Z', offerCode: 'SPRING10' }, // 1 s after spring's window
        { id: 'r4', memberId: 'm1', occurredAt: '2026-03-04T10:00:00Z', offerCode: 'OTHER' },
      ],
    });
    expect(Object.fromEntries(result.redemptions)).toEqual({ r1: 'spring', r2: 'vip' });
  });

  it('rejects a member assigned twice in one campaign', () => {
    expect(() =>
      attributed({
        campaigns: [campaign('spring')],
        assignments: [
          assign('spring', 'm1', '2026-03-01T10:00:00Z'),
          assign('spring', 'm1', '2026-03-02T10:00:00Z'),
        ],
        messageEvents: [],
        purchases: [],
      }),
    ).toThrow(/assigned twice/);
  });
});

describe('attribution properties', () => {
  const day = 86_400_000;
  const start = Date.parse('2026-03-01T00:00:00Z');
  const iso = (ms: number) => new Date(ms).toISOString();
  const scenario = fc.record({
    touches: fc.array(
      fc.record({
        campaign: fc.constantFrom('c1', 'c2', 'c3', 'c4'),
        member: fc.constantFrom('m1', 'm2', 'm3'),
        at: fc.integer({ min: 0, max: 20 * day }),
        holdout: fc.boolean(),
        window: fc.integer({ min: 1, max: 10 * 86_400 }),
      }),
      { maxLength: 12 },
    ),
    purchases: fc.array(
      fc.record({ member: fc.constantFrom('m1', 'm2', 'm3'), at: fc.integer({ min: 0, max: 32 * day }) }),
      { maxLength: 20 },
    ),
    rule: fc.constantFrom('last_touch' as const, 'first_touch' as const),
  });

  it('credits each order to at most one campaign, whose window holds it, chosen by the rule', () => {
    fc.assert(
      fc.property(scenario, ({ touches, purchases, rule }) => {
        // One assignment per (campaign, member), one window per campaign.
        const windows = new Map<string, number>();
        const seen = new Set<string>();
        const assignments: Assignment[] = [];
        for (const t of touches) {
          if (!windows.has(t.campaign)) windows.set(t.campaign, t.window);
          if (seen.has(`${t.campaign}/${t.member}`)) continue;
          seen.add(`${t.campaign}/${t.member}`);
          assignments.push(assign(t.campaign, t.member, iso(start + t.at), t.holdout));
        }
        const campaigns = [...windows].map(([id, w]) => campaign(id, { windowSeconds: w }));
        const orders = purchases.map((p, i) => order(`p${i}`, p.member, iso(start + p.at)));
        const byMember = touchesByMember(campaigns, assignments, new Map());
        const result = attribute(byMember, orders, [], rule);
        for (const o of orders) {
          const t = Date.parse(o.occurredAt);
          const holding = (byMember.get(o.memberId) ?? []).filter((c: Touch) => t > c.at && t <= c.until);
          const credited = result.orders.get(o.id);
          if (holding.length === 0) {
            expect(credited).toBeUndefined();
            continue;
          }
          const best =
            rule === 'last_touch'
              ? Math.max(...holding.map((c) => c.at))
              : Math.min(...holding.map((c) => c.at));
          const expected = holding
            .filter((c) => c.at === best)
            .map((c) => c.campaignId)
            .sort()[0];
          expect(credited).toBe(expected);
        }
      }),
    );
  });
});
