import type { AttributionRule } from '../../contracts/measurement.ts';
import type { Channel } from '../../contracts/records.ts';

// Attribution (docs/measurement.md, ADR 0018): which campaign, if any, a purchase or an offer
// redemption counts for. Every assigned member has a touch: the first send of the campaign to them,
// or, for holdout members and members the campaign never reached, the moment of assignment. A
// purchase counts for a touch when it falls in (touch, touch + window]: strictly after the touch, and
// at most `windowSeconds` after it, to the millisecond. When several campaigns' windows hold the same
// purchase it goes to one of them: the latest touch (last touch, the default) or the earliest (first
// touch); equal touch times go to the smaller campaign id, so the answer never depends on input order.

/** Seven days, in seconds: the default attribution window. */
export const DEFAULT_WINDOW_SECONDS = 7 * 86_400;

export type { AttributionRule };

/** What measurement needs to know of a campaign. Money is a decimal string. */
export interface MeasuredCampaign {
  campaignId: string;
  /** The campaign's offer: redemptions carrying `code` count for it, each costing `unitCost`. */
  offer: { code: string; unitCost: string } | null;
  /** Cost of one sent message, per channel; a channel not listed costs nothing. */
  messageCost: Partial<Record<Channel, string>>;
  /** Attribution window after the touch; DEFAULT_WINDOW_SECONDS when absent. */
  windowSeconds?: number;
}

/** A member's segment in one scheme, as it was when the member was assigned. */
export interface SegmentAtAssignment {
  scheme: string;
  segment: string;
}

/** A member's arm in a campaign: a variant, or the holdout (never sent, the control). */
export interface Assignment {
  campaignId: string;
  memberId: string;
  arm: string;
  holdout: boolean;
  assignedAt: string;
  /** Memberships at assignment; a scheme the member had no segment in is simply absent. */
  segments: readonly SegmentAtAssignment[];
}

export type MessageEventType =
  | 'sent'
  | 'delivered'
  | 'opened'
  | 'clicked'
  | 'bounced'
  | 'complained'
  | 'unsubscribed';

export interface CampaignMessageEvent {
  campaignId: string;
  memberId: string;
  type: MessageEventType;
  channel: Channel;
  occurredAt: string;
}

/** A purchase as attribution reads it: an order, or a refund (of `refundOf` when known). */
export interface AttributionPurchase {
  id: string;
  memberId: string;
  occurredAt: string;
  kind: 'order' | 'refund';
  refundOf: string | null;
  amount: string;
}

/** A redemption of an offer (a points redemption or coupon use carrying the offer's code). */
export interface OfferRedemption {
  id: string;
  memberId: string;
  occurredAt: string;
  offerCode: string;
}

/** One member's touch by one campaign. Times in epoch milliseconds. */
export interface Touch {
  campaignId: string;
  memberId: string;
  /** First send to the member, else the assignment. */
  at: number;
  /** Last instant (inclusive) of the attribution window. */
  until: number;
  offerCode: string | null;
}

/** What was attributed: order id -> campaign, redemption id -> campaign. */
export interface Attribution {
  orders: Map<string, string>;
  redemptions: Map<string, string>;
}

export function parseTime(iso: string, what: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new RangeError(`${what}: not a timestamp: ${JSON.stringify(iso)}`);
  return ms;
}

export function windowOf(campaign: MeasuredCampaign): number {
  const seconds = campaign.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
  if (!(Number.isInteger(seconds) && seconds > 0)) {
    throw new RangeError(
      `campaign ${campaign.campaignId}: window must be a positive whole number of seconds`,
    );
  }
  return seconds * 1000;
}

/** The first 'sent' event of each (campaign, member), in epoch ms. */
export function firstSends(events: readonly CampaignMessageEvent[]): Map<string, number> {
  const first = new Map<string, number>();
  for (const event of events) {
    if (event.type !== 'sent') continue;
    const key = pairKey(event.campaignId, event.memberId);
    const at = parseTime(event.occurredAt, `message event for ${key}`);
    const seen = first.get(key);
    if (seen === undefined || at < seen) first.set(key, at);
  }
  return first;
}

/** Each assigned member's touch by each campaign, grouped by member. */
export function touchesByMember(
  campaigns: readonly MeasuredCampaign[],
  assignments: readonly Assignment[],
  sends: ReadonlyMap<string, number>,
): Map<string, Touch[]> {
  const byId = new Map(campaigns.map((c) => [c.campaignId, c]));
  const seen = new Set<string>();
  const touches = new Map<string, Touch[]>();
  for (const a of assignments) {
    const campaign = byId.get(a.campaignId);
    if (!campaign) throw new RangeError(`assignment to unknown campaign ${a.campaignId}`);
    const key = pairKey(a.campaignId, a.memberId);
    if (seen.has(key))
      throw new RangeError(`member ${a.memberId} is assigned twice in campaign ${a.campaignId}`);
    seen.add(key);
    const at = (a.holdout ? undefined : sends.get(key)) ?? parseTime(a.assignedAt, `assignment ${key}`);
    const touch: Touch = {
      campaignId: a.campaignId,
      memberId: a.memberId,
      at,
      until: at + windowOf(campaign),
      offerCode: campaign.offer?.code ?? null,
    };
    const list = touches.get(a.memberId);
    if (list) list.push(touch);
    else touches.set(a.memberId, [touch]);
  }
  return touches;
}

/** Whether an event at `t` (epoch ms) falls in the touch's window (touch, touch + window]. */
export function inWindow(touch: Touch, t: number): boolean {
  return t > touch.at && t <= touch.until;
}

/** The one touch an event at `t` is credited to among `touches`, by the rule; undefined when none holds it. */
export function creditedTouch(
  touches: readonly Touch[],
  t: number,
  rule: AttributionRule,
  accepts: (touch: Touch) => boolean = () => true,
): Touch | undefined {
  let best: Touch | undefined;
  for (const touch of touches) {
    if (!inWindow(touch, t) || !accepts(touch)) continue;
    if (best === undefined || preferred(touch, best, rule)) best = touch;
  }
  return best;
}

function preferred(candidate: Touch, current: Touch, rule: AttributionRule): boolean {
  if (candidate.at !== current.at)
    return rule === 'last_touch' ? candidate.at > current.at : candidate.at < current.at;
  return candidate.campaignId < current.campaignId;
}

/**
 * Credits each order and each offer redemption to at most one campaign. Refunds are not attributed
 * themselves: they follow the order they refund (`campaignOutcomes`, member-outcomes.ts). A
 * redemption can only be credited to a campaign whose offer has its code.
 */
export function attribute(
  touches: ReadonlyMap<string, readonly Touch[]>,
  purchases: readonly AttributionPurchase[],
  redemptions: readonly OfferRedemption[],
  rule: AttributionRule = 'last_touch',
): Attribution {
  const orders = new Map<string, string>();
  for (const purchase of purchases) {
    if (purchase.kind !== 'order') continue;
    const candidates = touches.get(purchase.memberId);
    if (!candidates) continue;
    const touch = creditedTouch(candidates, parseTime(purchase.occurredAt, `purchase ${purchase.id}`), rule);
    if (touch) orders.set(purchase.id, touch.campaignId);
  }
  const credited = new Map<string, string>();
  for (const redemption of redemptions) {
    const candidates = touches.get(redemption.memberId);
    if (!candidates) continue;
    const t = parseTime(redemption.occurredAt, `redemption ${redemption.id}`);
    const touch = creditedTouch(candidates, t, rule, (c) => c.offerCode === redemption.offerCode);
    if (touch) credited.set(redemption.id, touch.campaignId);
  }
  return { orders, redemptions: credited };
}

/** Key of a (campaign, member) pair in maps. */
export function pairKey(campaignId: string, memberId: string): string {
  return `${campaignId}\u0000${memberId}`;
}
