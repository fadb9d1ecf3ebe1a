import { describe, expect, it } from 'vitest';
import { CampaignReport } from '../../contracts/measurement.ts';
import type { Assignment, CampaignMessageEvent, MeasuredCampaign } from './attribution.ts';
import { type CellTotals, emptyTotals } from './campaign-cells.ts';
import { campaignReport, revenueMoments } from './campaign-report.ts';
import { measureCampaign } from './measure-campaign.ts';

// A campaign small enough to follow by hand. 'spring' sends variant 'a' on 1 March at 10:00 and
// holds out four members assigned at 09:00; the offer SPRING costs 5.00 a redemption; an email
// costs 0.0020 and an SMS 0.0500. Scheme 'loyalty' has segments gold and silver.
//
//   member arm     loyalty  messages                          attributed
//   m1     a       gold     email: delivered, opened, clicked  order 40.00; redeems SPRING
//   m2     a       gold     sms: delivered                     order 10.00; 25.00 at 8 Mar 10:00:01 (1 s late)
//   m3     a       silver   email: bounced                     -
//   m4     a       (none)   email: delivered, opened           -
//   m5     a       silver   not sent (suppressed)              order 20.00 less a 5.00 refund (window from assignment)
//   h1     holdout gold     -                                  order 30.00
//   h2     holdout silver   -                                  -
//   h3     holdout gold     -                                  order at 8 Mar 09:00:01 (1 s late)
//   h4     holdout silver   -                                  redeems SPRING

const SPRING: MeasuredCampaign = {
  campaignId: 'spring',
  offer: { code: 'SPRING', unitCost: '5.00' },
  messageCost: { email: '0.0020', sms: '0.0500' },
};

const ASSIGNED_AT = '2026-03-01T09:00:00Z';
const SENT_AT = '2026-03-01T10:00:00Z';

const assignment = (memberId: string, holdout: boolean, segment: string | null): Assignment => ({
  campaignId: 'spring',
  memberId,
  arm: holdout ? 'holdout' : 'a',
  holdout,
  assignedAt: ASSIGNED_AT,
  segments: segment === null ? [] : [{ scheme: 'loyalty', segment }],
});

const events = (memberId: string, channel: 'email' | 'sms', types: CampaignMessageEvent['type'][]) =>
  types.map((type) => ({ campaignId: 'spring', memberId, channel, type, occurredAt: SENT_AT }));

const order = (id: string, memberId: string, occurredAt: string, amount: string) => ({
  id,
  memberId,
  occurredAt,
  kind: 'order' as const,
  refundOf: null,
  amount,
});

const INPUT = {
  campaignId: 'spring',
  currency: 'GBP',
  arms: [
    { arm: 'a', holdout: false },
    { arm: 'holdout', holdout: true },
  ],
  schemes: ['loyalty'],
  campaigns: [SPRING],
  assignments: [
    assignment('m1', false, 'gold'),
    assignment('m2', false, 'gold'),
    assignment('m3', false, 'silver'),
    assignment('m4', false, null),
    assignment('m5', false, 'silver'),
    assignment('h1', true, 'gold'),
    assignment('h2', true, 'silver'),
    assignment('h3', true, 'gold'),
    assignment('h4', true, 'silver'),
  ],
  messageEvents: [
    ...events('m1', 'email', ['sent', 'delivered', 'opened', 'clicked']),
    ...events('m2', 'sms', ['sent', 'delivered']),
    ...events('m3', 'email', ['sent', 'bounced']),
    ...events('m4', 'email', ['sent', 'delivered', 'opened']),
  ],
  purchases: [
    order('o1', 'm1', '2026-03-03T12:00:00Z', '40.00'),
    order('o2', 'm2', '2026-03-02T12:00:00Z', '10.00'),
    order('o2-late', 'm2', '2026-03-08T10:00:01Z', '25.00'),
    order('o5', 'm5', '2026-03-02T12:00:00Z', '20.00'),
    { ...order('o5-refund', 'm5', '2026-03-04T12:00:00Z', '5.00'), kind: 'refund' as const, refundOf: 'o5' },
    order('oh1', 'h1', '2026-03-05T12:00:00Z', '30.00'),
    order('oh3-late', 'h3', '2026-03-08T09:00:01Z', '30.00'),
  ],
  redemptions: [
    { id: 'r1', memberId: 'm1', occurredAt: '2026-03-02T12:00:00Z', offerCode: 'SPRING' },
    { id: 'r4', memberId: 'h4', occurredAt: '2026-03-04T12:00:00Z', offerCode: 'SPRING' },
  ],
};

// Thresholds of 1 so that a fixture this small shows its numbers.
const SMALL = { minMembers: 1, minConversions: 1 };

describe('the campaign report, by hand', () => {
  const report = measureCampaign(INPUT, SMALL);
  const cell = (scheme: string | null, segment: string | null, arm: string) =>
    report.cells.find((c) => c.scheme === scheme && c.segment === segment && c.arm === arm);
  const lift = (scheme: string | null, segment: string | null, metric: string, scale: string) =>
    report.lifts.find(
      (l) => l.scheme === scheme && l.segment === segment && l.metric === metric && l.scale === scale,
    );

  it('matches its contract', () => {
    expect(CampaignReport.parse(report)).toEqual(report);
    expect(report.settings).toEqual({
      attributionRule: 'last_touch',
      windowSeconds: 604_800,
      confidenceLevel: 0.95,
      minMembers: 1,
      minConversions: 1,
    });
  });

  it('counts the variant, with exact money', () => {
    // sent m1-m4 = 4; delivered m1, m2, m4 = 3; opened m1, m4 = 2; clicked m1 = 1
    // converted m1, m2, m5 = 3 (m2's 25.00 is one second late; m5 counts though never sent)
    // revenue 40.00 + 10.00 + (20.00 - 5.00) = 65.0000; offer 1 x 5.00; messages 3 x 0.0020 + 0.0500 = 0.0560
    // cost per acquisition (5.0000 + 0.0560) / 3 = 1.68533 -> 1.6853
    expect(cell(null, null, 'a')).toEqual({
      scheme: null,
      segment: null,
      arm: 'a',
      holdout: false,
      assigned: 5,
      sent: 4,
      delivered: 3,
      opened: 2,
      clicked: 1,
      converted: 3,
      orders: 3,
      redeemed: 1,
      redemptions: 1,
      messages: 4,
      revenue: '65.0000',
      offerCost: '5.0000',
      messageCost: '0.0560',
      totalCost: '5.0560',
      conversionRate: 0.6,
      revenuePerMember: '13.0000',
      costPerAcquisition: '1.6853',
      status: 'ok',
    });
  });

  it('counts the holdout, leaving out the purchase one second outside its window', () => {
    // converted h1 = 1 (h3's order is at 7 days + 1 s after assignment); revenue 30.00
    // h4 redeemed the offer: 5.00; nothing sent. Rate 1/4; 30.00/4 = 7.5000; CPA 5.0000/1.
    expect(cell(null, null, 'holdout')).toMatchObject({
      assigned: 4,
      sent: 0,
      converted: 1,
      orders: 1,
      redeemed: 1,
      revenue: '30.0000',
      offerCost: '5.0000',
      messageCost: '0.0000',
      totalCost: '5.0000',
      conversionRate: 0.25,
      revenuePerMember: '7.5000',
      costPerAcquisition: '5.0000',
      status: 'ok',
    });
  });

  it('breaks cells down by the segment at assignment, with a cell for members in none', () => {
    // gold/a: m1, m2 both converted: 50.00 over 2; cost 5.00 + 0.0020 + 0.0500 = 5.0520 over 2 = 2.5260
    expect(cell('loyalty', 'gold', 'a')).toMatchObject({
      assigned: 2,
      converted: 2,
      revenue: '50.0000',
      totalCost: '5.0520',
      conversionRate: 1,
      revenuePerMember: '25.0000',
      costPerAcquisition: '2.5260',
    });
    // silver/holdout: h2, h4; no conversion, so its ratios are noise and not shown.
    expect(cell('loyalty', 'silver', 'holdout')).toMatchObject({
      assigned: 2,
      converted: 0,
      offerCost: '5.0000',
      conversionRate: null,
      revenuePerMember: null,
      costPerAcquisition: null,
      status: 'low_count',
    });
    // m4 had no loyalty segment; no holdout member was in none, so that cell is there with zeros.
    expect(cell('loyalty', null, 'a')).toMatchObject({ assigned: 1, sent: 1, opened: 1, converted: 0 });
    expect(cell('loyalty', null, 'holdout')).toMatchObject({
      assigned: 0,
      revenue: '0.0000',
      status: 'low_count',
    });
    expect(report.cells.map((c) => [c.scheme, c.segment, c.arm])).toEqual([
      [null, null, 'a'],
      [null, null, 'holdout'],
      ['loyalty', 'gold', 'a'],
      ['loyalty', 'gold', 'holdout'],
      ['loyalty', 'silver', 'a'],
      ['loyalty', 'silver', 'holdout'],
      ['loyalty', null, 'a'],
      ['loyalty', null, 'holdout'],
    ]);
  });

  it('gives the absolute conversion lift by Newcombe-Wilson', () => {
    // a: 3/5 = 0.6, Wilson (0.230724, 0.882379); holdout: 1/4 = 0.25, Wilson (0.045587, 0.699358)
    // d = 0.35; lower = 0.35 - sqrt((0.6 - 0.230724)^2 + (0.699358 - 0.25)^2) = 0.35 - 0.581625 = -0.231625
    //           upper = 0.35 + sqrt((0.882379 - 0.6)^2 + (0.25 - 0.045587)^2) = 0.35 + 0.348601 = 0.698601
    // pooled p = 4/9; se = sqrt(4/9 * 5/9 * (1/5 + 1/4)) = 1/3; z = 1.05; p = 2 * Phi(-1.05) = 0.293718
    // incremental conversions 0.35 x 5 = 1.75; cost per incremental 5.056 / 1.75 = 2.889143
    const row = lift(null, null, 'conversion_rate', 'absolute');
    expect(row).toMatchObject({ variant: 'a', method: 'newcombe_wilson', status: 'ok', reason: null });
    expect(row?.variantValue).toBe(0.6);
    expect(row?.holdoutValue).toBe(0.25);
    expect(row?.estimate).toBeCloseTo(0.35, 12);
    expect(row?.lower).toBeCloseTo(-0.23162471584076982, 10);
    expect(row?.upper).toBeCloseTo(0.6986009109113895, 10);
    expect(row?.pValue).toBeCloseTo(0.2937181127517918, 10);
    expect(row?.significant).toBe(false);
    expect(row?.incremental).toBeCloseTo(1.75, 12);
    expect(row?.costPerIncremental).toBeCloseTo(5.056 / 1.75, 10);
  });

  it('gives the relative conversion lift by the Katz log interval', () => {
    // RR = 0.6 / 0.25 = 2.4; log 2.4 = 0.875469; se = sqrt(1/3 - 1/5 + 1/1 - 1/4) = sqrt(0.883333) = 0.939858
    // exp(0.875469 -+ 1.959964 * 0.939858) - 1 = (-0.619633, 14.143280); p = 2 * Phi(-0.931490) = 0.351600
    const row = lift(null, null, 'conversion_rate', 'relative');
    expect(row?.method).toBe('katz_log');
    expect(row?.estimate).toBeCloseTo(1.4, 12);
    expect(row?.lower).toBeCloseTo(-0.6196332568224437, 10);
    expect(row?.upper).toBeCloseTo(14.143279751224767, 8);
    expect(row?.pValue).toBeCloseTo(0.3516000045121702, 10);
    expect(row?.incremental).toBeNull();
  });

  it('gives the absolute revenue lift by Welch', () => {
    // a: [40, 10, 0, 0, 15], mean 13, variance (27^2 + 3^2 + 13^2 + 13^2 + 2^2) / 4 = 1080 / 4 = 270
    // holdout: [30, 0, 0, 0], mean 7.5, variance (22.5^2 + 3 * 7.5^2) / 3 = 675 / 3 = 225
    // se^2 = 270/5 + 225/4 = 54 + 56.25 = 110.25, se = 10.5; df = 110.25^2 / (54^2/4 + 56.25^2/3) = 6.814570
    // t(0.975, 6.814570) = 2.377731; 5.5 -+ 2.377731 * 10.5 = (-19.466171, 30.466171)
    // t = 5.5 / 10.5 = 0.523810; p = 0.617008 (scipy ttest_ind(equal_var=False) agrees)
    // incremental revenue 5.5 x 5 = 27.5; cost per unit of it 5.056 / 27.5 = 0.183855
    const row = lift(null, null, 'revenue_per_member', 'absolute');
    expect(row?.method).toBe('welch_t');
    expect(row?.variantValue).toBe(13);
    expect(row?.holdoutValue).toBe(7.5);
    expect(row?.estimate).toBeCloseTo(5.5, 12);
    expect(row?.lower).toBeCloseTo(-19.466171076846152, 8);
    expect(row?.upper).toBeCloseTo(30.466171076846152, 8);
    expect(row?.pValue).toBeCloseTo(0.6170082168761871, 8);
    expect(row?.incremental).toBeCloseTo(27.5, 12);
    expect(row?.costPerIncremental).toBeCloseTo(5.056 / 27.5, 10);
  });

  it('gives the relative revenue lift on the log scale', () => {
    // log(13 / 7.5) = 0.550046; se^2 = 270 / (5 * 13^2) + 225 / (4 * 7.5^2) = 0.319527 + 1 = 1.319527; se = 1.148707
    // exp(0.550046 -+ 1.959964 * 1.148707) - 1 = (-0.817568, 15.468833); p = 0.632053
    const row = lift(null, null, 'revenue_per_member', 'relative');
    expect(row?.method).toBe('delta_log_ratio');
    expect(row?.estimate).toBeCloseTo(13 / 7.5 - 1, 12);
    expect(row?.lower).toBeCloseTo(-0.8175678644954282, 10);
    expect(row?.upper).toBeCloseTo(15.468833389110623, 8);
    expect(row?.pValue).toBeCloseTo(0.6320526341298389, 10);
  });

  it('says why a segment lift is not shown instead of printing noise', () => {
    expect(lift('loyalty', 'gold', 'conversion_rate', 'absolute')).toMatchObject({
      status: 'low_count',
      reason: 'variant has 0 members without a conversion, fewer than 1',
      estimate: null,
      lower: null,
      upper: null,
      pValue: null,
      significant: null,
    });
    expect(lift('loyalty', 'silver', 'conversion_rate', 'absolute')).toMatchObject({
      status: 'low_count',
      reason: 'holdout has 0 conversions, fewer than 1',
    });
    expect(lift('loyalty', null, 'revenue_per_member', 'absolute')).toMatchObject({
      status: 'low_count',
      reason: 'variant has 0 members with revenue, fewer than 1',
      variantMembers: 1,
      holdoutMembers: 0,
    });
    // gold revenue: a [40, 10], holdout [30, 0] -> shown.
    expect(lift('loyalty', 'gold', 'revenue_per_member', 'absolute')?.estimate).toBeCloseTo(25 - 15, 12);
  });

  it('flags every lift of so small a campaign at the default thresholds', () => {
    const strict = measureCampaign(INPUT);
    expect(new Set(strict.lifts.map((l) => l.status))).toEqual(new Set(['low_count']));
    expect(strict.lifts[0]?.reason).toBe('variant has 5 members, fewer than 100');
    expect(strict.cells.every((c) => c.conversionRate === null && c.status === 'low_count')).toBe(true);
    expect(strict.lifts).toHaveLength(4 * 4); // (all, gold, silver, none) x 2 metrics x 2 scales
  });

  it('does not change when the attribution rule does and no other campaign competes', () => {
    expect(measureCampaign(INPUT, { ...SMALL, attributionRule: 'first_touch' }).lifts).toEqual(report.lifts);
  });
});

describe('campaignReport from cell sums', () => {
  const totals = (t: Partial<CellTotals>): CellTotals => ({ ...emptyTotals(), ...t });

  it('computes revenue variance exactly from the sums of units and their squares', () => {
    // Members 0.1, 0.2, 0.3 -> units 1000, 2000, 3000; sum 6000, squares 14,000,000
    // variance = (3 * 14e6 - 6000^2) / (3 * 2) / 1e8 = 6e6 / 6 / 1e8 = 0.01 exactly
    const m = revenueMoments(totals({ assigned: 3, revenueUnits: 6000n, revenueSquaresUnits: 14_000_000n }));
    expect(m).toEqual({ n: 3, mean: 0.2, variance: 0.01 });
  });

  it('marks a relative lift over a holdout with no revenue as not estimable', () => {
    const variant = totals({
      assigned: 200,
      converted: 20,
      revenueMembers: 20,
      revenueUnits: 2_000_000n,
      revenueSquaresUnits: 2n * 10n ** 11n,
    });
    const holdout = totals({ assigned: 200, converted: 20, revenueMembers: 20 });
    const report = campaignReport({
      campaignId: 'c',
      currency: null,
      arms: [
        { arm: 'a', holdout: false },
        { arm: 'h', holdout: true },
      ],
      schemes: [],
      cells: [
        { scheme: null, segment: null, arm: 'a', holdout: false, totals: variant },
        { scheme: null, segment: null, arm: 'h', holdout: true, totals: holdout },
      ],
    });
    const relative = report.lifts.find((l) => l.metric === 'revenue_per_member' && l.scale === 'relative');
    expect(relative).toMatchObject({ status: 'not_estimable', estimate: null });
    expect(relative?.reason).toBe('a ratio needs a value above 0 in both arms');
  });

  it('has no lifts without a holdout, and rejects two holdouts', () => {
    const base = { campaignId: 'c', currency: null, schemes: [], cells: [] };
    expect(campaignReport({ ...base, arms: [{ arm: 'a', holdout: false }] }).lifts).toEqual([]);
    expect(() =>
      campaignReport({
        ...base,
        arms: [
          { arm: 'h1', holdout: true },
          { arm: 'h2', holdout: true },
        ],
      }),
    ).toThrow(/more than one holdout/);
  });
});
