import type { EngagementKind } from '../../contracts/records.ts';
import { decimalToUnits, unitsToDecimal } from '../../contracts/scalars.ts';
import { WINDOW_DAYS } from './feature-catalog.ts';
import type {
  HistoryDeclaration,
  HistoryEngagement,
  HistoryPoints,
  HistoryPurchase,
  HistorySurvey,
  MemberEvent,
  MemberHistory,
} from './member-history.ts';
import { NO_ORDER_AMOUNTS, type OrderAmounts, withOrderAmount } from './order-amounts.ts';
import { epochMs, utcDay } from './utc-days.ts';

// The stored half of a member's features: a fold over events that a new event updates in O(1)
// (or O(days) for the day lists) and that never needs the clock. Every update is commutative, so
// events may arrive in any order and the result equals a fold over the sorted history.
// The shape is plain JSON (money as decimal strings) so it can be stored as one row or document.

/** Days of per-day buckets kept: two windows, so both the last 90 days and the 90 before are exact. */
export const BUCKET_RETENTION_DAYS = 2 * WINDOW_DAYS;

/** One UTC day's activity, kept while it can still fall in a window. */
export interface DayBucket {
  day: number;
  orders: number;
  /** Net merchandise spend of the day: orders less refunds made that day. */
  spend: string;
  pointsEarned: number;
  engagement: Partial<Record<EngagementKind, number>>;
}

/** A survey answer with what orders it among answers of its kind: time, then id. */
export interface LatestAnswer {
  score: number;
  occurredAt: string;
  id: string;
}

/** Suffix of a withdrawal marker: `interest.cleared` withdraws every `interest` declared before it. */
export const CLEARED_SUFFIX = '.cleared';

/**
 * Everything declared under one key. A declaration adds a value; a `<key>.cleared` declaration
 * withdraws every value of the key declared before it (strictly earlier), so a form that saves a
 * set writes the marker and the kept values at one moment, while declarations from other sources
 * at other times still accumulate. Every part is a maximum, so the fold stays order-independent.
 */
export interface DeclaredKey {
  /** The values held now: declared at or after the latest withdrawal, sorted (the set of a multi-valued key). */
  values: string[];
  /** The latest declaration time of each value ever declared (held or withdrawn). */
  added?: Record<string, string>;
  /** The latest declaration: the value of single-valued keys such as `channel_pref` (null: only withdrawn). */
  latest: { value: string; occurredAt: string; id: string } | null;
  /** The latest withdrawal, or null. */
  clearedAt?: string | null;
}

/** When a key's held values were last confirmed: the latest declaration of a held value. */
export function confirmedAt(declared: DeclaredKey): string | null {
  let at: string | null = null;
  for (const value of declared.values) {
    const added = addedTimes(declared)[value];
    if (added !== undefined && (at === null || epochMs(added) > epochMs(at))) at = added;
  }
  return at;
}

/** The single value a single-valued key holds: its latest declaration, unless withdrawn since. */
export function latestHeld(declared: DeclaredKey): DeclaredKey['latest'] {
  const { latest, clearedAt = null } = declared;
  if (latest === null) return null;
  return clearedAt === null || epochMs(latest.occurredAt) >= epochMs(clearedAt) ? latest : null;
}

// Aggregates stored before withdrawals existed hold no `added`: their values count as declared at
// the latest declaration, which is what their freshness already said.
function addedTimes(declared: DeclaredKey): Record<string, string> {
  if (declared.added !== undefined) return declared.added;
  const at = declared.latest?.occurredAt;
  return at === undefined ? {} : Object.fromEntries(declared.values.map((v) => [v, at]));
}

export interface MemberAggregates {
  joinedAt: string | null;
  orders: number;
  /** Distinct UTC days with an order, ascending. */
  purchaseDays: number[];
  /** Merchandise of orders less merchandise of refunds, all time. */
  netMerchandise: string;
  firstPurchaseAt: string | null;
  lastPurchaseAt: string | null;
  pointsEarned: number;
  pointsRedeemed: number;
  pointsExpired: number;
  pointsAdjusted: number;
  /** Earned points not tied to an order. */
  nonPurchasePointsEarned: number;
  lastRedemptionAt: string | null;
  engagement: Partial<Record<EngagementKind, number>>;
  latestCsat: LatestAnswer | null;
  latestNps: LatestAnswer | null;
  declarations: Record<string, DeclaredKey>;
  /** Per-day activity, ascending by day; `pruneBuckets` drops days no window can reach. */
  buckets: DayBucket[];
  /** Order totals for the CLV summaries (order-amounts.ts); absent in state stored before they were kept. */
  orderAmounts?: OrderAmounts;
}

/** A member with no events yet. */
export function emptyAggregates(joinedAt: string | null): MemberAggregates {
  return {
    joinedAt,
    orders: 0,
    purchaseDays: [],
    netMerchandise: '0.0000',
    firstPurchaseAt: null,
    lastPurchaseAt: null,
    pointsEarned: 0,
    pointsRedeemed: 0,
    pointsExpired: 0,
    pointsAdjusted: 0,
    nonPurchasePointsEarned: 0,
    lastRedemptionAt: null,
    engagement: {},
    latestCsat: null,
    latestNps: null,
    declarations: {},
    buckets: [],
    orderAmounts: NO_ORDER_AMOUNTS,
  };
}

const addMoney = (a: string, b: bigint) => unitsToDecimal(decimalToUnits(a) + b);
const earlier = (a: string | null, b: string) => (a === null || epochMs(b) < epochMs(a) ? b : a);
const later = (a: string | null, b: string) => (a === null || epochMs(b) > epochMs(a) ? b : a);

/** Whether (at, id) sorts after the current latest: ties in time go to the larger id, for order independence. */
function isLater(current: { occurredAt: string; id: string } | null, at: string, id: string): boolean {
  if (current === null) return true;
  const diff = epochMs(at) - epochMs(current.occurredAt);
  return diff > 0 || (diff === 0 && id > current.id);
}

/** Where `day` is or would go in an ascending list of days (binary search). */
function dayPosition<T>(list: readonly T[], day: number, dayOf: (item: T) => number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (dayOf(list[middle] as T) < day) low = middle + 1;
    else high = middle;
  }
  return low;
}

// The appliers below change the aggregates they are given: they write its fields and its own
// containers (the day lists, the count maps) but never edit an element another value may share:
// a changed bucket or declared key is replaced by a new object. applyEvent copies the containers
// first, so it stays pure; aggregateHistory folds into one value of its own, which spares the
// copy of every container at every event (the first pass of a rebuild spent its time there).

function insertDay(days: number[], day: number): void {
  const at = dayPosition(days, day, (d) => d);
  if (days[at] !== day) days.splice(at, 0, day);
}

function changeBucket(buckets: DayBucket[], day: number, change: (bucket: DayBucket) => DayBucket): void {
  const at = dayPosition(buckets, day, (b) => b.day);
  const found = buckets[at];
  if (found !== undefined && found.day === day) buckets[at] = change(found);
  else buckets.splice(at, 0, change({ day, orders: 0, spend: '0.0000', pointsEarned: 0, engagement: {} }));
}

/**
 * An earn counts as from a purchase when its reason is `purchase` or it names an order; anything
 * else (review, referral, profile, quiz, or no reason at all) is non-purchase activity.
 */
export function isPurchaseEarn(entry: Pick<HistoryPoints, 'reason' | 'orderId'>): boolean {
  return entry.reason === 'purchase' || entry.orderId !== undefined;
}

function applyPurchase(agg: MemberAggregates, p: HistoryPurchase): void {
  const day = utcDay(p.occurredAt);
  const merchandise = decimalToUnits(p.merchandiseAmount);
  if (p.kind === 'refund') {
    agg.netMerchandise = addMoney(agg.netMerchandise, -merchandise);
    changeBucket(agg.buckets, day, (b) => ({ ...b, spend: addMoney(b.spend, -merchandise) }));
    return;
  }
  // The order sums read the order count and first day as they were before this order.
  Object.assign(agg, withOrderAmount(agg, day, p.amount));
  agg.orders += 1;
  insertDay(agg.purchaseDays, day);
  agg.netMerchandise = addMoney(agg.netMerchandise, merchandise);
  agg.firstPurchaseAt = earlier(agg.firstPurchaseAt, p.occurredAt);
  agg.lastPurchaseAt = later(agg.lastPurchaseAt, p.occurredAt);
  changeBucket(agg.buckets, day, (b) => ({
    ...b,
    orders: b.orders + 1,
    spend: addMoney(b.spend, merchandise),
  }));
}

function applyPoints(agg: MemberAggregates, p: HistoryPoints): void {
  switch (p.type) {
    case 'earn':
      agg.pointsEarned += p.points;
      if (!isPurchaseEarn(p)) agg.nonPurchasePointsEarned += p.points;
      changeBucket(agg.buckets, utcDay(p.occurredAt), (b) => ({
        ...b,
        pointsEarned: b.pointsEarned + p.points,
      }));
      return;
    case 'redeem':
      agg.pointsRedeemed += p.points;
      agg.lastRedemptionAt = later(agg.lastRedemptionAt, p.occurredAt);
      return;
    case 'expire':
      agg.pointsExpired += p.points;
      return;
    case 'adjust':
      agg.pointsAdjusted += p.points;
      return;
  }
}

function applyEngagement(agg: MemberAggregates, e: HistoryEngagement): void {
  agg.engagement[e.kind] = (agg.engagement[e.kind] ?? 0) + 1;
  changeBucket(agg.buckets, utcDay(e.occurredAt), (b) => ({
    ...b,
    engagement: { ...b.engagement, [e.kind]: (b.engagement[e.kind] ?? 0) + 1 },
  }));
}

function applySurvey(agg: MemberAggregates, s: HistorySurvey): void {
  const answer: LatestAnswer = { score: s.score, occurredAt: s.occurredAt, id: s.id };
  if (s.kind === 'csat') {
    if (isLater(agg.latestCsat, s.occurredAt, s.id)) agg.latestCsat = answer;
  } else if (isLater(agg.latestNps, s.occurredAt, s.id)) agg.latestNps = answer;
}

function applyDeclaration(agg: MemberAggregates, d: HistoryDeclaration): void {
  const withdrawal = d.key.endsWith(CLEARED_SUFFIX);
  const key = withdrawal ? d.key.slice(0, -CLEARED_SUFFIX.length) : d.key;
  const current = agg.declarations[key];
  const added = { ...(current === undefined ? {} : addedTimes(current)) };
  let latest = current?.latest ?? null;
  let clearedAt = current?.clearedAt ?? null;
  if (withdrawal) {
    clearedAt = later(clearedAt, d.occurredAt);
  } else {
    const seen = added[d.value];
    if (seen === undefined || epochMs(d.occurredAt) > epochMs(seen)) added[d.value] = d.occurredAt;
    if (isLater(latest, d.occurredAt, d.id)) latest = { value: d.value, occurredAt: d.occurredAt, id: d.id };
  }
  const cutoff = clearedAt === null ? null : epochMs(clearedAt);
  const values = Object.keys(added)
    .filter((value) => cutoff === null || epochMs(added[value] as string) >= cutoff)
    .sort();
  agg.declarations[key] = { values, added, latest, clearedAt };
}

function applyInPlace(agg: MemberAggregates, event: MemberEvent): void {
  switch (event.event) {
    case 'purchase':
      applyPurchase(agg, event.record);
      break;
    case 'points':
      applyPoints(agg, event.record);
      break;
    case 'engagement':
      applyEngagement(agg, event.record);
      break;
    case 'survey':
      applySurvey(agg, event.record);
      break;
    case 'declaration':
      applyDeclaration(agg, event.record);
      break;
  }
}

/** The aggregates after one more event. Pure: the input is not changed. */
export function applyEvent(agg: MemberAggregates, event: MemberEvent): MemberAggregates {
  const next: MemberAggregates = {
    ...agg,
    purchaseDays: [...agg.purchaseDays],
    engagement: { ...agg.engagement },
    declarations: { ...agg.declarations },
    buckets: [...agg.buckets],
  };
  applyInPlace(next, event);
  return next;
}

/**
 * Drops buckets no window can reach any more as of `asOf`. Call it on refresh; after it, features
 * can no longer be derived for an as-of earlier than this one.
 */
export function pruneBuckets(agg: MemberAggregates, asOf: Date): MemberAggregates {
  const oldest = utcDay(asOf) - BUCKET_RETENTION_DAYS + 1;
  const kept = agg.buckets.filter((b) => b.day >= oldest);
  return kept.length === agg.buckets.length ? agg : { ...agg, buckets: kept };
}

/** Every event of a history, tagged, in no particular order. */
export function historyEvents(history: MemberHistory): MemberEvent[] {
  return [
    ...history.purchases.map((record) => ({ event: 'purchase' as const, record })),
    ...history.points.map((record) => ({ event: 'points' as const, record })),
    ...history.engagement.map((record) => ({ event: 'engagement' as const, record })),
    ...history.surveys.map((record) => ({ event: 'survey' as const, record })),
    ...history.declarations.map((record) => ({ event: 'declaration' as const, record })),
  ];
}

/** Whether a history holds an event after `asOf`, which aggregateHistory leaves out. */
export function hasEventsAfter(history: MemberHistory, asOf: Date): boolean {
  const cutoff = asOf.getTime();
  const after = (list: readonly { occurredAt: string }[]) => list.some((e) => epochMs(e.occurredAt) > cutoff);
  return (
    after(history.purchases) ||
    after(history.points) ||
    after(history.engagement) ||
    after(history.surveys) ||
    after(history.declarations)
  );
}

/** The aggregates of a history's events up to and including `asOf` (later events are ignored), pruned to `asOf`. */
export function aggregateHistory(history: MemberHistory, asOf: Date): MemberAggregates {
  const cutoff = asOf.getTime();
  const agg = emptyAggregates(history.joinedAt);
  for (const event of historyEvents(history)) {
    if (epochMs(event.record.occurredAt) <= cutoff) applyInPlace(agg, event);
  }
  return pruneBuckets(agg, asOf);
}
