import {
  type Assignment,
  type AttributionPurchase,
  type AttributionRule,
  attribute,
  type CampaignMessageEvent,
  firstSends,
  type MeasuredCampaign,
  type OfferRedemption,
  pairKey,
  type SegmentAtAssignment,
  touchesByMember,
} from './attribution.ts';
import { toUnits } from './money.ts';

// Per-member results of a campaign once attribution has spoken: what was sent to the member and
// what they did, in the campaign's name. The reference form of the rules of docs/measurement.md;
// a database can compute the same rows (or their sums per cell) in SQL.

/** One assigned member's results in one campaign. Money in 1/10,000ths. */
export interface MemberOutcome {
  memberId: string;
  arm: string;
  holdout: boolean;
  segments: readonly SegmentAtAssignment[];
  sent: boolean;
  delivered: boolean;
  opened: boolean;
  clicked: boolean;
  /** Messages sent to the member (a campaign may send more than one). */
  messages: number;
  messageCostUnits: bigint;
  /** Orders attributed to the campaign. */
  orders: number;
  /** Attributed orders' amounts less the refunds of those orders (an order never goes below 0). */
  revenueUnits: bigint;
  /** Redemptions of the campaign's offer attributed to it. */
  redemptions: number;
}

export interface AttributionInput {
  /** Every campaign whose windows may overlap the ones reported: attribution competes across them. */
  campaigns: readonly MeasuredCampaign[];
  assignments: readonly Assignment[];
  messageEvents: readonly CampaignMessageEvent[];
  purchases: readonly AttributionPurchase[];
  redemptions: readonly OfferRedemption[];
}

/**
 * Each campaign's assigned members with their attributed outcomes, in assignment order. This is the
 * reference form of the rules; a database can compute the same per-member rows in SQL.
 */
export function campaignOutcomes(
  input: AttributionInput,
  rule: AttributionRule = 'last_touch',
): Map<string, MemberOutcome[]> {
  const sends = firstSends(input.messageEvents);
  const touches = touchesByMember(input.campaigns, input.assignments, sends);
  const attribution = attribute(touches, input.purchases, input.redemptions, rule);

  const outcomes = new Map<string, MemberOutcome[]>(input.campaigns.map((c) => [c.campaignId, []]));
  const byPair = new Map<string, MemberOutcome>();
  for (const a of input.assignments) {
    const outcome: MemberOutcome = {
      memberId: a.memberId,
      arm: a.arm,
      holdout: a.holdout,
      segments: a.segments,
      sent: false,
      delivered: false,
      opened: false,
      clicked: false,
      messages: 0,
      messageCostUnits: 0n,
      orders: 0,
      revenueUnits: 0n,
      redemptions: 0,
    };
    outcomes.get(a.campaignId)?.push(outcome);
    byPair.set(pairKey(a.campaignId, a.memberId), outcome);
  }

  const costs = new Map(
    input.campaigns.map((c) => [
      c.campaignId,
      new Map(Object.entries(c.messageCost).map(([channel, cost]) => [channel, toUnits(cost)])),
    ]),
  );
  for (const event of input.messageEvents) {
    const outcome = byPair.get(pairKey(event.campaignId, event.memberId));
    if (!outcome) continue;
    switch (event.type) {
      case 'sent':
        outcome.sent = true;
        outcome.messages++;
        outcome.messageCostUnits += costs.get(event.campaignId)?.get(event.channel) ?? 0n;
        break;
      case 'delivered':
        outcome.delivered = true;
        break;
      case 'opened':
        outcome.opened = true;
        break;
      case 'clicked':
        outcome.clicked = true;
        break;
      default:
        break;
    }
  }

  // Net amount of each attributed order: refunds of it come off, never below 0.
  const net = new Map<string, { outcome: MemberOutcome; units: bigint }>();
  for (const purchase of input.purchases) {
    const campaignId = purchase.kind === 'order' ? attribution.orders.get(purchase.id) : undefined;
    const outcome = campaignId === undefined ? undefined : byPair.get(pairKey(campaignId, purchase.memberId));
    if (outcome) net.set(purchase.id, { outcome, units: toUnits(purchase.amount) });
  }
  for (const purchase of input.purchases) {
    if (purchase.kind !== 'refund' || purchase.refundOf === null) continue;
    const order = net.get(purchase.refundOf);
    if (order) order.units -= toUnits(purchase.amount);
  }
  for (const { outcome, units } of net.values()) {
    outcome.orders++;
    if (units > 0n) outcome.revenueUnits += units;
  }

  for (const redemption of input.redemptions) {
    const campaignId = attribution.redemptions.get(redemption.id);
    const outcome =
      campaignId === undefined ? undefined : byPair.get(pairKey(campaignId, redemption.memberId));
    if (outcome) outcome.redemptions++;
  }
  return outcomes;
}
