import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { testDeps } from '../../../test/fixtures/programs.ts';
import type { CampaignCellRow, LiftRow } from '../../contracts/measurement.ts';
import { reportCampaign } from './report-campaign.ts';
import { measuredProgram } from './report-test-program.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());

// The hand-computed fixture. Campaign "spring": assigned 2024-06-01 09:00, sent 10:00, window 7 days,
// offer SPRING costing 5.00 a redemption, email costing 0.01 a message. Campaign "later" sent A4 on
// 06-04, so under last touch it takes A4's order of 06-05.
//   A1 a  vips           sent, delivered, opened, clicked; order 06-03 50.00, refunded 10.00 -> 40
//   A2 a  points_savers  sent, delivered; order at exactly send + 7 d 30.00 (counts), one at send
//                        + 7 d + 1 s 99.00 (does not); redeems SPRING 06-02
//   A3 a  (no segment)   never sent (touch = assignment 09:00); order 09:30 20.00 (counts)
//   A4 a  vips           sent; order at the send instant 15.00 (does not count); order 06-05 12.00 (later's)
//   H1 holdout vips      order at assignment + 6 d 25.00
//   H2 holdout points_savers  order at assignment + 7 d + 1 s 18.00 (does not count)
//   X1 excluded by consent: in neither arm, its order counts nowhere
const SENT = '2024-06-01T10:00:00Z';
const ASSIGNED = '2024-06-01T09:00:00Z';
const order = (id: string, memberId: string, occurredAt: string, amount: string) => ({
  id,
  memberId,
  occurredAt,
  amount,
  currency: 'GBP',
});
const mail = (id: string, memberId: string, type: string, campaignId = 'spring', occurredAt = SENT) => ({
  id,
  memberId,
  occurredAt,
  type,
  channel: 'email',
  campaignId,
});

const programId = await measuredProgram(deps, {
  members: ['A1', 'A2', 'A3', 'A4', 'H1', 'H2', 'X1'].map((id) => ({ id })),
  campaigns: [
    {
      name: 'spring',
      offer: { kind: 'bonus_points', value: 100, unitCost: '5.00', code: 'SPRING' },
      measurement: { windowDays: 7, messageCost: { email: '0.01' } },
    },
    { name: 'later' },
  ],
  decisions: [
    { campaign: 'spring', member: 'A1', arm: 'a', decidedAt: ASSIGNED, segments: ['loyalty/vips'] },
    { campaign: 'spring', member: 'A2', arm: 'a', decidedAt: ASSIGNED, segments: ['loyalty/points_savers'] },
    { campaign: 'spring', member: 'A3', arm: 'a', decidedAt: ASSIGNED },
    { campaign: 'spring', member: 'A4', arm: 'a', decidedAt: ASSIGNED, segments: ['loyalty/vips'] },
    { campaign: 'spring', member: 'H1', arm: 'holdout', decidedAt: ASSIGNED, segments: ['loyalty/vips'] },
    {
      campaign: 'spring',
      member: 'H2',
      arm: 'holdout',
      decidedAt: ASSIGNED,
      segments: ['loyalty/points_savers'],
    },
    {
      campaign: 'spring',
      member: 'X1',
      arm: 'a',
      decidedAt: ASSIGNED,
      outcome: 'excluded',
      excludedBy: 'consent',
    },
    { campaign: 'later', member: 'A4', arm: 'a', decidedAt: '2024-06-03T23:00:00Z' },
  ],
  messageEvents: [
    mail('s1', 'A1', 'sent'),
    mail('d1', 'A1', 'delivered'),
    mail('o1', 'A1', 'opened'),
    mail('c1', 'A1', 'clicked'),
    mail('s2', 'A2', 'sent'),
    mail('d2', 'A2', 'delivered'),
    mail('s4', 'A4', 'sent'),
    mail('s4-later', 'A4', 'sent', 'later', '2024-06-04T00:00:00Z'),
  ],
  purchases: [
    order('o-a1', 'A1', '2024-06-03T12:00:00Z', '50.00'),
    {
      id: 'r-a1',
      memberId: 'A1',
      occurredAt: '2024-06-04T12:00:00Z',
      kind: 'refund',
      refundOf: 'o-a1',
      amount: '10.00',
      currency: 'GBP',
    },
    order('o-a2-edge', 'A2', '2024-06-08T10:00:00Z', '30.00'),
    order('o-a2-out', 'A2', '2024-06-08T10:00:01Z', '99.00'),
    order('o-a3', 'A3', '2024-06-01T09:30:00Z', '20.00'),
    order('o-a4-instant', 'A4', SENT, '15.00'),
    order('o-a4-later', 'A4', '2024-06-05T12:00:00Z', '12.00'),
    order('o-h1', 'H1', '2024-06-07T09:00:00Z', '25.00'),
    order('o-h2-out', 'H2', '2024-06-08T09:00:01Z', '18.00'),
    order('o-x1', 'X1', '2024-06-02T09:00:00Z', '70.00'),
  ],
  points: [
    {
      id: 'p-a2',
      memberId: 'A2',
      occurredAt: '2024-06-02T08:00:00Z',
      type: 'redeem',
      points: 100,
      reward: 'SPRING',
    },
    {
      id: 'p-h1',
      memberId: 'H1',
      occurredAt: '2024-06-02T08:00:00Z',
      type: 'redeem',
      points: 100,
      reward: 'OTHER',
    },
  ],
});

const tiny = { minMembers: 1, minConversions: 1 };
const cell = (cells: CampaignCellRow[], scheme: string | null, segment: string | null, arm: string) => {
  const found = cells.find((c) => c.scheme === scheme && c.segment === segment && c.arm === arm);
  if (!found) throw new Error(`no cell ${scheme}/${segment}/${arm}`);
  return found;
};
const lift = (
  lifts: LiftRow[],
  metric: LiftRow['metric'],
  scale: LiftRow['scale'],
  segment: string | null = null,
) => {
  const scheme = segment === null ? null : 'loyalty';
  const found = lifts.find(
    (l) => l.scheme === scheme && l.segment === segment && l.metric === metric && l.scale === scale,
  );
  if (!found) throw new Error(`no lift ${metric} ${scale}`);
  return found;
};

describe('reportCampaign over the database', () => {
  it('counts every metric of the variant as computed by hand', async () => {
    const report = await reportCampaign(deps, {
      programId,
      campaign: 'spring',
      schemes: ['loyalty'],
      settings: tiny,
    });
    expect(report.settings.windowSeconds).toBe(7 * 86_400);
    expect(report.arms).toEqual([
      { arm: 'a', holdout: false },
      { arm: 'holdout', holdout: true },
    ]);
    expect(cell(report.cells, null, null, 'a')).toEqual({
      scheme: null,
      segment: null,
      arm: 'a',
      holdout: false,
      assigned: 4,
      sent: 3,
      delivered: 2,
      opened: 1,
      clicked: 1,
      converted: 3,
      orders: 3,
      redeemed: 1,
      redemptions: 1,
      messages: 3,
      revenue: '90.0000',
      offerCost: '5.0000',
      messageCost: '0.0300',
      totalCost: '5.0300',
      conversionRate: 0.75,
      revenuePerMember: '22.5000',
      costPerAcquisition: '1.6767',
      status: 'ok',
    });
  });

  it('counts a holdout purchase one second past the window out, and one inside it in', async () => {
    const report = await reportCampaign(deps, {
      programId,
      campaign: 'spring',
      schemes: ['loyalty'],
      settings: tiny,
    });
    const holdout = cell(report.cells, null, null, 'holdout');
    expect([holdout.assigned, holdout.converted, holdout.orders, holdout.revenue]).toEqual([
      2,
      1,
      1,
      '25.0000',
    ]);
    expect([holdout.sent, holdout.messages, holdout.redeemed, holdout.totalCost]).toEqual([
      0,
      0,
      0,
      '0.0000',
    ]);
    expect(cell(report.cells, 'loyalty', 'points_savers', 'holdout').converted).toBe(0);
  });

  it('breaks results down by the segment at assignment, with members in none under null', async () => {
    const report = await reportCampaign(deps, {
      programId,
      campaign: 'spring',
      schemes: ['loyalty'],
      settings: tiny,
    });
    const vips = cell(report.cells, 'loyalty', 'vips', 'a');
    expect([vips.assigned, vips.sent, vips.converted, vips.revenue, vips.messageCost]).toEqual([
      2,
      2,
      1,
      '40.0000',
      '0.0200',
    ]);
    const savers = cell(report.cells, 'loyalty', 'points_savers', 'a');
    expect([savers.assigned, savers.converted, savers.revenue, savers.redeemed, savers.offerCost]).toEqual([
      1,
      1,
      '30.0000',
      1,
      '5.0000',
    ]);
    const none = cell(report.cells, 'loyalty', null, 'a');
    expect([none.assigned, none.sent, none.converted, none.revenue]).toEqual([1, 0, 1, '20.0000']);
    // No holdout member is in no segment: the row is there with zeros.
    expect(cell(report.cells, 'loyalty', null, 'holdout').assigned).toBe(0);
    expect(report.cells.map((c) => `${c.scheme}/${c.segment}/${c.arm}`)).toEqual([
      'null/null/a',
      'null/null/holdout',
      'loyalty/points_savers/a',
      'loyalty/points_savers/holdout',
      'loyalty/vips/a',
      'loyalty/vips/holdout',
      'loyalty/null/a',
      'loyalty/null/holdout',
    ]);
  });

  it('gives lift against the holdout with hand-computed estimates', async () => {
    const report = await reportCampaign(deps, {
      programId,
      campaign: 'spring',
      schemes: ['loyalty'],
      settings: tiny,
    });
    const rate = lift(report.lifts, 'conversion_rate', 'absolute');
    expect(rate.variantValue).toBe(0.75);
    expect(rate.holdoutValue).toBe(0.5);
    expect(rate.estimate).toBeCloseTo(0.25, 12);
    expect(rate.incremental).toBeCloseTo(1, 12);
    // 5.03 of cost for 1 incremental conversion.
    expect(rate.costPerIncremental).toBeCloseTo(5.03, 12);
    expect(lift(report.lifts, 'conversion_rate', 'relative').estimate).toBeCloseTo(0.5, 12);
    const revenue = lift(report.lifts, 'revenue_per_member', 'absolute');
    // Variant revenues 40, 30, 20, 0 (mean 22.5, variance 875/3); holdout 25, 0 (mean 12.5, variance 312.5).
    expect(revenue.estimate).toBeCloseTo(10, 12);
    const se = Math.sqrt(875 / 3 / 4 + 312.5 / 2);
    const halfWidth = ((revenue.upper ?? 0) - (revenue.lower ?? 0)) / 2;
    // Welch-Satterthwaite df = 2.0055..., t(0.975) just under 4.303 (df 2).
    expect(halfWidth / se).toBeGreaterThan(4.25);
    expect(halfWidth / se).toBeLessThan(4.303);
    expect(lift(report.lifts, 'revenue_per_member', 'relative').estimate).toBeCloseTo(0.8, 12);
  });

  it('gives a purchase inside two windows to the later touch, or the earlier under first touch', async () => {
    const first = await reportCampaign(deps, {
      programId,
      campaign: 'spring',
      schemes: [],
      settings: { ...tiny, attributionRule: 'first_touch' },
    });
    const a = cell(first.cells, null, null, 'a');
    expect([a.converted, a.orders, a.revenue]).toEqual([4, 4, '102.0000']);
    const later = await reportCampaign(deps, { programId, campaign: 'later', schemes: [], settings: tiny });
    expect(cell(later.cells, null, null, 'a').revenue).toBe('12.0000');
    const laterFirst = await reportCampaign(deps, {
      programId,
      campaign: 'later',
      schemes: [],
      settings: { ...tiny, attributionRule: 'first_touch' },
    });
    expect(cell(laterFirst.cells, null, null, 'a').converted).toBe(0);
  });

  it('says low_count instead of printing noise at the default thresholds', async () => {
    const report = await reportCampaign(deps, { programId, campaign: 'spring', schemes: [] });
    expect(cell(report.cells, null, null, 'a')).toMatchObject({
      status: 'low_count',
      conversionRate: null,
      revenue: '90.0000',
    });
    expect(report.lifts.every((l) => l.status === 'low_count' && l.estimate === null)).toBe(true);
    expect(lift(report.lifts, 'conversion_rate', 'absolute').reason).toBe(
      'variant has 4 members, fewer than 100',
    );
  });

  it('refuses an unknown campaign and an unknown program by name', async () => {
    await expect(reportCampaign(deps, { programId, campaign: 'nope' })).rejects.toThrow(
      `campaign "nope" does not exist in program "${programId}"`,
    );
    await expect(reportCampaign(deps, { programId: 'no-such-program', campaign: 'spring' })).rejects.toThrow(
      'program "no-such-program" does not exist',
    );
  });

  it('never reads another program: the same campaign name elsewhere is not found', async () => {
    const other = await measuredProgram(deps, { members: [{ id: 'A1' }], campaigns: [], decisions: [] });
    await expect(reportCampaign(deps, { programId: other, campaign: 'spring' })).rejects.toThrow(
      'does not exist',
    );
  });
});
