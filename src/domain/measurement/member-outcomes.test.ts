import { describe, expect, it } from 'vitest';
import type {
  Assignment,
  AttributionPurchase,
  CampaignMessageEvent,
  MeasuredCampaign,
} from './attribution.ts';
import { campaignOutcomes } from './member-outcomes.ts';

const campaign = (campaignId: string, extra: Partial<MeasuredCampaign> = {}): MeasuredCampaign => ({
  campaignId,
  offer: null,
  messageCost: {},
  ...extra,
});

const assign = (campaignId: string, memberId: string, assignedAt: string): Assignment => ({
  campaignId,
  memberId,
  arm: 'a',
  holdout: false,
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

const order = (id: string, memberId: string, occurredAt: string, amount: string): AttributionPurchase => ({
  id,
  memberId,
  occurredAt,
  kind: 'order',
  refundOf: null,
  amount,
});

describe('campaignOutcomes', () => {
  it('nets refunds of attributed orders, counts messages and their cost, and redemptions', () => {
    const outcomes = campaignOutcomes({
      campaigns: [
        campaign('spring', {
          offer: { code: 'SPRING10', unitCost: '2.5' },
          messageCost: { email: '0.0020', sms: '0.05' },
        }),
      ],
      assignments: [assign('spring', 'm1', '2026-03-01T09:00:00Z')],
      messageEvents: [
        sent('spring', 'm1', '2026-03-01T10:00:00Z'),
        { ...sent('spring', 'm1', '2026-03-02T10:00:00Z'), channel: 'sms' },
        { ...sent('spring', 'm1', '2026-03-01T10:00:00Z'), type: 'delivered' },
        { ...sent('spring', 'm1', '2026-03-01T11:00:00Z'), type: 'clicked' },
        { ...sent('other', 'm1', '2026-03-01T11:00:00Z'), type: 'opened' }, // another campaign's
      ],
      purchases: [
        order('o1', 'm1', '2026-03-02T09:00:00Z', '40.10'),
        order('o2', 'm1', '2026-03-03T09:00:00Z', '10'),
        { ...order('r1', 'm1', '2026-03-05T09:00:00Z', '0.10'), kind: 'refund', refundOf: 'o1' },
        // A refund larger than its order takes the order to 0, not below.
        { ...order('r2', 'm1', '2026-03-20T09:00:00Z', '12'), kind: 'refund', refundOf: 'o2' },
        order('late', 'm1', '2026-03-08T10:00:01Z', '99'),
      ],
      redemptions: [{ id: 'x', memberId: 'm1', occurredAt: '2026-03-02T09:00:00Z', offerCode: 'SPRING10' }],
    });
    expect(outcomes.get('spring')).toEqual([
      {
        memberId: 'm1',
        arm: 'a',
        holdout: false,
        segments: [],
        sent: true,
        delivered: true,
        opened: false,
        clicked: true,
        messages: 2,
        // 0.0020 + 0.0500 = 0.0520 -> 520 units
        messageCostUnits: 520n,
        orders: 2,
        // (40.10 - 0.10) + max(0, 10 - 12) = 40.0000 -> 400000 units
        revenueUnits: 400_000n,
        redemptions: 1,
      },
    ]);
  });
});
