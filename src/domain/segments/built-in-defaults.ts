// Every threshold of the built-in schemes, named, with its default and why. A program overrides
// any of them (`BuiltInOverrides`); the schemes are then rebuilt from the merged values, so a stored
// explanation always shows the threshold that was in force.

export interface LoyaltyThresholds {
  /** VIPs: CLV percentile at least this (top fifth of predicted value). */
  vipMinClvPercentile: number;
  /** VIPs: engagement events in the last 90 days at least this (about one every two weeks). */
  vipMinEngagements90d: number;
  /** VIPs, when the member has no CLV outputs yet: total spend in the program's top this percent. */
  vipFallbackTopSpendPercent: number;
  /** At-Risk Loyals: CLV percentile at least this; lower than VIPs because value is already slipping. */
  atRiskMinClvPercentile: number;
  /** At-Risk Loyals without CLV outputs: total spend in the top this percent. */
  atRiskFallbackTopSpendPercent: number;
  /** At-Risk Loyals: engagement trend at most this (-0.5 = the last 90 days have half the 90 before). */
  atRiskMaxEngagementTrend: number;
  /** At-Risk Loyals: P(alive) below this. */
  atRiskMaxPAlive: number;
  /** At-Risk Loyals without P(alive): days since the last purchase at least this. */
  atRiskFallbackMinRecencyDays: number;
  /** Points Savers: balance in the program's top this percent. */
  pointsSaverTopBalancePercent: number;
  /** Points Savers: balance at least this too, so a program of near-empty balances has no savers. */
  pointsSaverMinBalance: number;
  /** Points Savers: redeemed / earned at most this. */
  pointsSaverMaxRedemptionRatio: number;
  /** New Enthusiasts: joined within this many days. */
  newWithinDays: number;
  /** New Enthusiasts: at least one order and at most this many (the "second purchase" moment). */
  newMaxOrders: number;
  /** Engaged Advocates: reviews, shares, referrals, UGC and challenges in 90 days at least this. */
  advocateMinActions90d: number;
  /** Engaged Advocates, alternatively: share of points from non-purchase activity at least this... */
  advocateMinNonPurchaseShare: number;
  /** ...with at least this many advocacy actions in 90 days, so one profile bonus is not advocacy. */
  advocateMinActionsWithShare: number;
  /** Engaged Advocates are not the top spenders: total spend outside the top this percent. */
  advocateExcludeTopSpendPercent: number;
}

export interface LifecycleThresholds {
  /** New: first purchase within this many days. */
  newWithinDays: number;
  /** Active: last purchase within this many days. */
  activeWithinDays: number;
  /** At risk: last purchase within this many days (and not active). */
  atRiskWithinDays: number;
  /** Lapsed: last purchase within this many days; churned beyond it. */
  lapsedWithinDays: number;
}

export interface ApostleThresholds {
  /** Apostles: satisfaction (1-5) at least this; CSAT 5 or NPS 9-10. */
  apostleMinSatisfaction: number;
  /** Satisfied (loyalists, mercenaries): at least this; below it is dissatisfied (hostages, defectors). */
  satisfiedMinSatisfaction: number;
  /** Behaviourally loyal: at least this many orders in all... */
  loyalMinOrders: number;
  /** ...and still active: an order, or at least this many points earned, in the last 90 days. */
  loyalMinPointsEarned90d: number;
}

/** An inclusive 1-5 range of R, F and M scores naming one RFM segment. */
export interface RfmRange {
  name: string;
  label: string;
  r: [number, number];
  f: [number, number];
  m: [number, number];
}

/** A declared segment: members who declared any of `values` under `key`. */
export interface DeclaredSelector {
  key: string;
  values: string[];
}

export interface DeclaredThresholds {
  /** A declaration older than this many days no longer places a member (tastes change). */
  maxAgeDays: number;
  ecoAllies: DeclaredSelector;
  routineSeekers: DeclaredSelector;
  flavorInnovators: DeclaredSelector;
  /** The key whose values each get a product-interest segment. */
  interestKey: string;
}

export interface BuiltInThresholds {
  loyalty: LoyaltyThresholds;
  lifecycle: LifecycleThresholds;
  apostle: ApostleThresholds;
  /** First match wins, in this order. */
  rfm: RfmRange[];
  declared: DeclaredThresholds;
}

/**
 * The 11 named RFM segments. Ranges are the widely used table of Putler's RFM guide
 * (https://www.putler.com/rfm-analysis/), as shipped in the R package `rfm` (Hebbali,
 * https://github.com/rsquaredacademy/rfm, vignette "RFM Analysis"). That table lists Hibernating
 * and Lost with the same ranges and puts wide segments before narrow ones, so in table order
 * New, Promising, Can't Lose Them and Lost can never match. We keep its ranges but order narrow
 * before wide, and read Lost as "lowest on all three" (R, F and M = 1). Scores outside every range
 * (e.g. R 5, F 1, M 4) get no RFM segment, as in the package ("Others").
 */
export const RFM_SEGMENT_RANGES: readonly RfmRange[] = [
  { name: 'champions', label: 'Champions', r: [4, 5], f: [4, 5], m: [4, 5] },
  { name: 'cant_lose_them', label: "Can't Lose Them", r: [1, 1], f: [4, 5], m: [4, 5] },
  { name: 'loyal', label: 'Loyal Customers', r: [2, 5], f: [3, 5], m: [3, 5] },
  { name: 'new', label: 'New Customers', r: [4, 5], f: [1, 1], m: [1, 1] },
  { name: 'promising', label: 'Promising', r: [3, 4], f: [1, 1], m: [1, 1] },
  { name: 'potential_loyalist', label: 'Potential Loyalists', r: [3, 5], f: [1, 3], m: [1, 3] },
  { name: 'need_attention', label: 'Need Attention', r: [2, 3], f: [2, 3], m: [2, 3] },
  { name: 'about_to_sleep', label: 'About to Sleep', r: [2, 3], f: [1, 2], m: [1, 2] },
  { name: 'at_risk', label: 'At Risk', r: [1, 2], f: [2, 5], m: [2, 5] },
  { name: 'lost', label: 'Lost', r: [1, 1], f: [1, 1], m: [1, 1] },
  { name: 'hibernating', label: 'Hibernating', r: [1, 2], f: [1, 2], m: [1, 2] },
];

export const BUILT_IN_DEFAULTS: BuiltInThresholds = {
  loyalty: {
    vipMinClvPercentile: 80,
    vipMinEngagements90d: 6,
    vipFallbackTopSpendPercent: 20,
    atRiskMinClvPercentile: 70,
    atRiskFallbackTopSpendPercent: 30,
    atRiskMaxEngagementTrend: -0.5,
    atRiskMaxPAlive: 0.5,
    atRiskFallbackMinRecencyDays: 120,
    pointsSaverTopBalancePercent: 20,
    pointsSaverMinBalance: 500,
    pointsSaverMaxRedemptionRatio: 0.1,
    newWithinDays: 90,
    newMaxOrders: 2,
    advocateMinActions90d: 3,
    advocateMinNonPurchaseShare: 0.3,
    advocateMinActionsWithShare: 1,
    advocateExcludeTopSpendPercent: 10,
  },
  lifecycle: { newWithinDays: 90, activeWithinDays: 90, atRiskWithinDays: 180, lapsedWithinDays: 365 },
  apostle: {
    apostleMinSatisfaction: 5,
    satisfiedMinSatisfaction: 4,
    loyalMinOrders: 2,
    loyalMinPointsEarned90d: 1,
  },
  rfm: RFM_SEGMENT_RANGES.map((range) => ({ ...range })),
  declared: {
    maxAgeDays: 730,
    // The demo program's pledge, quiz and poll answers (domain/demo/demo-preferences.ts).
    ecoAllies: { key: 'value', values: ['sustainability'] },
    routineSeekers: { key: 'quiz.coffee_style', values: ['same_favourite_every_time'] },
    flavorInnovators: { key: 'quiz.coffee_style', values: ['always_trying_new_flavours'] },
    interestKey: 'interest',
  },
};

/** What a program may override: any threshold of any group; the RFM table only as a whole. */
export interface BuiltInOverrides {
  loyalty?: Partial<LoyaltyThresholds>;
  lifecycle?: Partial<LifecycleThresholds>;
  apostle?: Partial<ApostleThresholds>;
  rfm?: RfmRange[];
  declared?: Partial<DeclaredThresholds>;
}

/** The defaults with a program's overrides applied. */
export function resolveThresholds(overrides: BuiltInOverrides = {}): BuiltInThresholds {
  const d = BUILT_IN_DEFAULTS;
  return {
    loyalty: { ...d.loyalty, ...overrides.loyalty },
    lifecycle: { ...d.lifecycle, ...overrides.lifecycle },
    apostle: { ...d.apostle, ...overrides.apostle },
    rfm: (overrides.rfm ?? d.rfm).map((range) => ({ ...range })),
    declared: { ...d.declared, ...overrides.declared },
  };
}
