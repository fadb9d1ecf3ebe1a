import type { EngagementKind } from '../../contracts/records.ts';
import { decimalToUnits, unitsToDecimal } from '../../contracts/scalars.ts';
import type { FeatureValue, FeatureVector } from '../../contracts/segments.ts';
import {
  ADVOCACY_KINDS,
  DECLARED_AT_PREFIX,
  DECLARED_PREFIX,
  ENGAGEMENT_FEATURE_STEMS,
  WINDOW_DAYS,
} from './feature-catalog.ts';
import {
  confirmedAt,
  type DayBucket,
  type LatestAnswer,
  latestHeld,
  type MemberAggregates,
} from './member-aggregates.ts';
import { epochMs, utcDay } from './utc-days.ts';

/** The CLV scorer's outputs for a member (contracts/clv.ts MemberPredictions), as features. */
export interface ModelFeatures {
  expectedPurchases12m: number;
  pAlive: number;
  expectedSpend: string | null;
  clv12m: string | null;
  clvPercentile: number | null;
}

/** A member's 1-5 quintile scores within the program (see rfm-scores.ts). */
export interface RfmScores {
  r: number;
  f: number;
  m: number;
}

export interface DeriveOptions {
  /**
   * Declaration keys whose values accumulate (a member has several interests); every other key
   * is single-valued and its latest declaration wins (a member changes their channel preference).
   */
  multiValuedKeys?: readonly string[];
  /** Program-relative scores, from the program's distribution; null until scored. */
  rfm?: RfmScores | null;
  /** CLV model outputs; null until the program is scored or for a non-customer. */
  model?: ModelFeatures | null;
}

/** Declaration keys that collect several values by default: product interests and personal values. */
export const DEFAULT_MULTI_VALUED_KEYS: readonly string[] = ['interest', 'value'];

/** NPS 0-10 onto the 1-5 CSAT scale: detractors 0-6 fall on 1-3, passives 7-8 on 4, promoters 9-10 on 5. */
export function npsToFivePoint(nps: number): number {
  return Math.min(5, Math.floor(nps / 2) + 1);
}

interface Windows {
  recent: DayBucket[];
  previous: DayBucket[];
}

// Windows are whole UTC days so that per-day buckets compute them exactly: the last window is the
// 90 days ending on the as-of day, so an event exactly 90 days before as-of is in the window before.
function windows(buckets: readonly DayBucket[], asOfDay: number): Windows {
  const recentStart = asOfDay - WINDOW_DAYS + 1;
  const previousStart = recentStart - WINDOW_DAYS;
  return {
    recent: buckets.filter((b) => b.day >= recentStart && b.day <= asOfDay),
    previous: buckets.filter((b) => b.day >= previousStart && b.day < recentStart),
  };
}

const sum = (buckets: readonly DayBucket[], pick: (b: DayBucket) => number) =>
  buckets.reduce((total, b) => total + pick(b), 0);
const spendOf = (buckets: readonly DayBucket[]) =>
  unitsToDecimal(buckets.reduce((total, b) => total + decimalToUnits(b.spend), 0n));
const engagementOf = (b: DayBucket, kinds: readonly EngagementKind[]) =>
  kinds.reduce((total, kind) => total + (b.engagement[kind] ?? 0), 0);

/** `units / divisor` rounded half away from zero, exact. */
function divideUnits(units: bigint, divisor: bigint): bigint {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const rounded = (2n * abs + divisor) / (2n * divisor);
  return negative ? -rounded : rounded;
}

function latestOf(a: LatestAnswer | null, b: LatestAnswer | null): LatestAnswer | null {
  if (a === null || b === null) return a ?? b;
  const diff = epochMs(b.occurredAt) - epochMs(a.occurredAt);
  return diff > 0 || (diff === 0 && b.id > a.id) ? b : a;
}

function satisfaction(agg: MemberAggregates): number | null {
  const nps =
    agg.latestNps === null ? null : { ...agg.latestNps, score: npsToFivePoint(agg.latestNps.score) };
  return latestOf(agg.latestCsat, nps)?.score ?? null;
}

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : null);

function engagementFeatures(agg: MemberAggregates, w: Windows): Record<string, FeatureValue | null> {
  const out: Record<string, FeatureValue | null> = {};
  const kinds = Object.keys(ENGAGEMENT_FEATURE_STEMS) as EngagementKind[];
  for (const kind of kinds) {
    const stem = ENGAGEMENT_FEATURE_STEMS[kind];
    out[stem] = agg.engagement[kind] ?? 0;
    out[`${stem}_90d`] = sum(w.recent, (b) => b.engagement[kind] ?? 0);
    out[`${stem}_prev_90d`] = sum(w.previous, (b) => b.engagement[kind] ?? 0);
  }
  const recent = sum(w.recent, (b) => engagementOf(b, kinds));
  const previous = sum(w.previous, (b) => engagementOf(b, kinds));
  out.engagements = kinds.reduce((total, kind) => total + (agg.engagement[kind] ?? 0), 0);
  out.engagements_90d = recent;
  out.engagements_prev_90d = previous;
  out.engagement_trend = previous > 0 ? (recent - previous) / previous : null;
  out.advocacy_90d = sum(w.recent, (b) => engagementOf(b, ADVOCACY_KINDS));
  return out;
}

// A key with nothing held (every value withdrawn) has no features, like a key never declared.
function declaredFeatures(agg: MemberAggregates, multiValued: readonly string[]): FeatureVector {
  const out: FeatureVector = {};
  for (const [key, declared] of Object.entries(agg.declarations)) {
    if (multiValued.includes(key)) {
      const at = confirmedAt(declared);
      if (declared.values.length === 0 || at === null) continue;
      out[`${DECLARED_PREFIX}${key}`] = declared.values;
      out[`${DECLARED_AT_PREFIX}${key}`] = at;
    } else {
      const held = latestHeld(declared);
      if (held === null) continue;
      out[`${DECLARED_PREFIX}${key}`] = [held.value];
      out[`${DECLARED_AT_PREFIX}${key}`] = held.occurredAt;
    }
  }
  return out;
}

/**
 * A member's features as of `asOf`, from stored aggregates alone: this is what a scheduled refresh
 * runs for every member without reading history. `asOf` must not be earlier than the last
 * `pruneBuckets`. Features with no value (no purchase yet, no survey) are null.
 */
export function deriveFeatures(
  agg: MemberAggregates,
  asOf: Date,
  options: DeriveOptions = {},
): FeatureVector {
  const asOfDay = utcDay(asOf);
  const w = windows(agg.buckets, asOfDay);
  const joinedAt = agg.joinedAt ?? agg.firstPurchaseAt;
  const daysSince = (at: string | null) => (at === null ? null : asOfDay - utcDay(at));
  const net = decimalToUnits(agg.netMerchandise);
  const balance = agg.pointsEarned - agg.pointsRedeemed - agg.pointsExpired + agg.pointsAdjusted;
  const { rfm = null, model = null } = options;
  return {
    joined_at: joinedAt,
    tenure_days: daysSince(joinedAt),
    first_purchase_at: agg.firstPurchaseAt,
    last_purchase_at: agg.lastPurchaseAt,
    recency_days: daysSince(agg.lastPurchaseAt),
    frequency_orders: agg.orders,
    frequency_days: agg.purchaseDays.length,
    monetary_total: agg.netMerchandise,
    monetary_avg: agg.orders > 0 ? unitsToDecimal(divideUnits(net, BigInt(agg.orders))) : null,
    orders_90d: sum(w.recent, (b) => b.orders),
    orders_prev_90d: sum(w.previous, (b) => b.orders),
    spend_90d: spendOf(w.recent),
    spend_prev_90d: spendOf(w.previous),
    points_earned: agg.pointsEarned,
    points_redeemed: agg.pointsRedeemed,
    points_expired: agg.pointsExpired,
    points_balance: balance,
    points_earned_90d: sum(w.recent, (b) => b.pointsEarned),
    redemption_ratio: ratio(agg.pointsRedeemed, agg.pointsEarned),
    last_redemption_at: agg.lastRedemptionAt,
    days_since_redemption: daysSince(agg.lastRedemptionAt),
    non_purchase_points_share: ratio(agg.nonPurchasePointsEarned, agg.pointsEarned),
    ...engagementFeatures(agg, w),
    latest_csat: agg.latestCsat?.score ?? null,
    latest_nps: agg.latestNps?.score ?? null,
    satisfaction: satisfaction(agg),
    r_score: rfm?.r ?? null,
    f_score: rfm?.f ?? null,
    m_score: rfm?.m ?? null,
    expected_purchases_12m: model?.expectedPurchases12m ?? null,
    p_alive: model?.pAlive ?? null,
    expected_spend: model?.expectedSpend ?? null,
    clv_12m: model?.clv12m ?? null,
    clv_percentile: model?.clvPercentile ?? null,
    ...declaredFeatures(agg, options.multiValuedKeys ?? DEFAULT_MULTI_VALUED_KEYS),
  };
}
