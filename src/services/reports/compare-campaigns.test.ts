import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { testDeps } from '../../../test/fixtures/programs.ts';
import { compareCampaigns } from './compare-campaigns.ts';
import { measuredProgram, type TestDecision } from './report-test-program.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());

// "vips" (targeted, variants a and b pooled): T1-T4 sent, T1 and T2 buy (10.00, 20.00), T3 redeems
// VIP (unit cost 4.00); holdout TH1, TH2 buy nothing. Conversion lift 2/4 - 0/2 = +0.5.
// "blast" (broadcast): B1-B4 sent, B1 buys 8.00; holdout BH1 buys 6.00, BH2 nothing. Lift 1/4 - 1/2 = -0.25.
// Messages cost 0.10 each on both sides.
const at = '2024-06-01T09:00:00Z';
const decision = (campaign: string, member: string, arm: string): TestDecision => ({
  campaign,
  member,
  arm,
  decidedAt: at,
});
const sent = (campaign: string, member: string) => ({
  id: `s-${campaign}-${member}`,
  memberId: member,
  occurredAt: at,
  type: 'sent',
  channel: 'email',
  campaignId: campaign,
});
const buy = (member: string, amount: string) => ({
  id: `o-${member}`,
  memberId: member,
  occurredAt: '2024-06-02T09:00:00Z',
  amount,
  currency: 'GBP',
});
const variants = ['a', 'b'].map((name) => ({ name, messages: { email: { subject: 'S', body: 'B' } } }));

const programId = await measuredProgram(deps, {
  members: ['T1', 'T2', 'T3', 'T4', 'TH1', 'TH2', 'B1', 'B2', 'B3', 'B4', 'BH1', 'BH2'].map((id) => ({ id })),
  campaigns: [
    {
      name: 'vips',
      label: 'VIP offer',
      variants,
      offer: { kind: 'bonus_points', value: 1, unitCost: '4.00', code: 'VIP' },
      measurement: { messageCost: { email: '0.10' } },
    },
    { name: 'blast', measurement: { messageCost: { email: '0.10' } } },
  ],
  decisions: [
    decision('vips', 'T1', 'a'),
    decision('vips', 'T2', 'b'),
    decision('vips', 'T3', 'a'),
    decision('vips', 'T4', 'b'),
    decision('vips', 'TH1', 'holdout'),
    decision('vips', 'TH2', 'holdout'),
    ...['B1', 'B2', 'B3', 'B4'].map((m) => decision('blast', m, 'a')),
    decision('blast', 'BH1', 'holdout'),
    decision('blast', 'BH2', 'holdout'),
  ],
  messageEvents: [
    ...['T1', 'T2', 'T3', 'T4'].map((m) => sent('vips', m)),
    ...['B1', 'B2', 'B3', 'B4'].map((m) => sent('blast', m)),
  ],
  purchases: [buy('T1', '10.00'), buy('T2', '20.00'), buy('B1', '8.00'), buy('BH1', '6.00')],
  points: [
    {
      id: 'p-T3',
      memberId: 'T3',
      occurredAt: '2024-06-02T10:00:00Z',
      type: 'redeem',
      points: 50,
      reward: 'VIP',
    },
  ],
});
const tiny = { minMembers: 1, minConversions: 0 };

describe('compareCampaigns', () => {
  it('sets the targeted lift against the broadcast lift, as computed by hand', async () => {
    const report = await compareCampaigns(deps, {
      programId,
      targeted: 'vips',
      broadcast: 'blast',
      settings: tiny,
    });
    const rate = report.sides.filter((s) => s.metric === 'conversion_rate');
    expect(
      rate.map((s) => [
        s.side,
        s.campaignId,
        s.label,
        s.treatedMembers,
        s.holdoutMembers,
        s.treatedValue,
        s.holdoutValue,
      ]),
    ).toEqual([
      ['targeted', 'vips', 'VIP offer', 4, 2, 0.5, 0],
      ['broadcast', 'blast', 'blast', 4, 2, 0.25, 0.5],
    ]);
    expect(rate[0]?.estimate).toBeCloseTo(0.5, 12);
    expect(rate[1]?.estimate).toBeCloseTo(-0.25, 12);
    const difference = report.differences.find((d) => d.metric === 'conversion_rate');
    expect(difference?.estimate).toBeCloseTo(0.75, 12);
    // Revenue per member: targeted 30/4 - 0 = 7.5; broadcast 8/4 - 6/2 = -1; difference 8.5.
    expect(report.differences.find((d) => d.metric === 'revenue_per_member')?.estimate).toBeCloseTo(8.5, 12);
  });

  it('gives what each side cost and what it bought', async () => {
    const report = await compareCampaigns(deps, {
      programId,
      targeted: 'vips',
      broadcast: 'blast',
      settings: tiny,
    });
    const [targeted, broadcast] = report.economics;
    // Targeted: 4 messages x 0.10 + 1 redemption x 4.00 = 4.40, over 4 treated = 1.10 each.
    expect(targeted).toMatchObject({
      side: 'targeted',
      treatedMembers: 4,
      totalCost: '4.4000',
      costPerTreatedMember: '1.1000',
    });
    expect(targeted?.incrementalConversions).toBeCloseTo(2, 12);
    expect(targeted?.costPerIncrementalConversion).toBeCloseTo(2.2, 12);
    expect(targeted?.incrementalRevenue).toBeCloseTo(30, 12);
    expect(broadcast).toMatchObject({
      side: 'broadcast',
      treatedMembers: 4,
      totalCost: '0.4000',
      costPerTreatedMember: '0.1000',
    });
    expect(broadcast?.incrementalConversions).toBeCloseTo(-1, 12);
    expect(broadcast?.costPerIncrementalConversion).toBeNull();
  });

  it('refuses to compare a campaign with itself, or with one that does not exist', async () => {
    await expect(compareCampaigns(deps, { programId, targeted: 'vips', broadcast: 'vips' })).rejects.toThrow(
      'compare two different campaigns',
    );
    await expect(compareCampaigns(deps, { programId, targeted: 'vips', broadcast: 'nope' })).rejects.toThrow(
      'campaign "nope" does not exist',
    );
  });
});
