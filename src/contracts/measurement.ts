import { z } from 'zod';

// The measurement reports as JSON (docs/measurement.md). Every list is an array of flat rows with
// explicit keys, so a chart can filter and plot them without reshaping. Money totals are exact decimal
// strings with 4 decimals; rates, statistical estimates and their intervals are JSON numbers.
// A value that would be noise (a low-count cell) or has no meaning (a ratio over zero) is null, and
// the row's `status` says why.

const Money = z.string().regex(/^-?\d+\.\d{4}$/, 'must be a decimal with 4 places');
const Count = z.number().int().nonnegative();

/** null scheme = all members of the arm; null segment = members with no segment in that scheme. */
const CellKey = {
  scheme: z.string().nullable(),
  segment: z.string().nullable(),
};

export const AttributionRule = z.enum(['last_touch', 'first_touch']);
export type AttributionRule = z.infer<typeof AttributionRule>;

/** How a report was computed, echoed so a reader can defend the numbers. */
export const MeasurementSettings = z.object({
  attributionRule: AttributionRule,
  /** A purchase counts when it is after the touch and at most this many seconds after it. */
  windowSeconds: z.number().int().positive(),
  confidenceLevel: z.number().gt(0).lt(1),
  /** An arm with fewer members is low-count. */
  minMembers: Count,
  /** An arm with fewer conversions (or fewer non-converting members) is low-count. */
  minConversions: Count,
});
export type MeasurementSettings = z.infer<typeof MeasurementSettings>;

/** Why a row's figures are (or are not) shown. */
export const RowStatus = z.enum(['ok', 'low_count', 'not_estimable']);
export type RowStatus = z.infer<typeof RowStatus>;

/** One campaign x scheme x segment x arm: what happened to its assigned members. */
export const CampaignCellRow = z.object({
  ...CellKey,
  arm: z.string(),
  holdout: z.boolean(),
  assigned: Count,
  /** Members with at least one message of each kind. */
  sent: Count,
  delivered: Count,
  opened: Count,
  clicked: Count,
  /** Members with at least one attributed order. */
  converted: Count,
  orders: Count,
  /** Members with at least one attributed redemption of the offer, and the redemptions. */
  redeemed: Count,
  redemptions: Count,
  messages: Count,
  revenue: Money,
  offerCost: Money,
  messageCost: Money,
  totalCost: Money,
  /** Ratios; null when the cell is low-count (status) or the denominator is 0. */
  conversionRate: z.number().nullable(),
  revenuePerMember: Money.nullable(),
  costPerAcquisition: Money.nullable(),
  status: RowStatus,
});
export type CampaignCellRow = z.infer<typeof CampaignCellRow>;

export const LiftMetric = z.enum(['conversion_rate', 'revenue_per_member']);
export type LiftMetric = z.infer<typeof LiftMetric>;

/** `absolute`: variant - holdout (a rate difference, or money per member); `relative`: variant / holdout - 1. */
export const LiftScale = z.enum(['absolute', 'relative']);
export type LiftScale = z.infer<typeof LiftScale>;

export const LiftMethod = z.enum(['newcombe_wilson', 'katz_log', 'welch_t', 'delta_log_ratio']);
export type LiftMethod = z.infer<typeof LiftMethod>;

/** One variant against the holdout, in one cell, for one metric on one scale. */
export const LiftRow = z.object({
  ...CellKey,
  variant: z.string(),
  metric: LiftMetric,
  scale: LiftScale,
  method: LiftMethod,
  status: RowStatus,
  /** Why the figures are null, in words; null when status is ok. */
  reason: z.string().nullable(),
  variantMembers: Count,
  holdoutMembers: Count,
  /** The metric in each arm (rate, or revenue per member in currency units). */
  variantValue: z.number().nullable(),
  holdoutValue: z.number().nullable(),
  estimate: z.number().nullable(),
  lower: z.number().nullable(),
  upper: z.number().nullable(),
  pValue: z.number().min(0).max(1).nullable(),
  /** The interval excludes 0. */
  significant: z.boolean().nullable(),
  /** Absolute scale only: estimate x variant members (incremental conversions, or incremental revenue). */
  incremental: z.number().nullable(),
  /** Absolute scale only, when `incremental` > 0: the variant's total cost / incremental. */
  costPerIncremental: z.number().nullable(),
});
export type LiftRow = z.infer<typeof LiftRow>;

export const ArmRow = z.object({ arm: z.string(), holdout: z.boolean() });

/** `narrowcast reports campaign ID --json`. */
export const CampaignReport = z.object({
  campaignId: z.string(),
  currency: z.string().nullable(),
  settings: MeasurementSettings,
  arms: z.array(ArmRow),
  /** Schemes broken down by, in order; cells and lifts also carry scheme null for all members. */
  schemes: z.array(z.string()),
  cells: z.array(CampaignCellRow),
  lifts: z.array(LiftRow),
});
export type CampaignReport = z.infer<typeof CampaignReport>;

export const ComparisonSide = z.enum(['targeted', 'broadcast']);

/** One campaign of a segmented-vs-broadcast comparison: its variants pooled against its holdout. */
export const ComparisonSideRow = z.object({
  side: ComparisonSide,
  campaignId: z.string(),
  label: z.string(),
  metric: LiftMetric,
  method: LiftMethod,
  status: RowStatus,
  reason: z.string().nullable(),
  treatedMembers: Count,
  holdoutMembers: Count,
  treatedValue: z.number().nullable(),
  holdoutValue: z.number().nullable(),
  /** Absolute lift (treated - holdout), per member. */
  estimate: z.number().nullable(),
  lower: z.number().nullable(),
  upper: z.number().nullable(),
  pValue: z.number().min(0).max(1).nullable(),
  significant: z.boolean().nullable(),
});
export type ComparisonSideRow = z.infer<typeof ComparisonSideRow>;

/** Targeted lift minus broadcast lift, per member, for one metric. */
export const ComparisonDifferenceRow = z.object({
  metric: LiftMetric,
  status: RowStatus,
  reason: z.string().nullable(),
  estimate: z.number().nullable(),
  lower: z.number().nullable(),
  upper: z.number().nullable(),
  pValue: z.number().min(0).max(1).nullable(),
  significant: z.boolean().nullable(),
});
export type ComparisonDifferenceRow = z.infer<typeof ComparisonDifferenceRow>;

/** What each side cost and what it bought. */
export const ComparisonEconomicsRow = z.object({
  side: ComparisonSide,
  campaignId: z.string(),
  treatedMembers: Count,
  totalCost: Money,
  costPerTreatedMember: Money.nullable(),
  /** Lift estimates x treated members; null when the lift is not shown. */
  incrementalConversions: z.number().nullable(),
  incrementalRevenue: z.number().nullable(),
  /** Total cost / incremental conversions, when those are > 0. */
  costPerIncrementalConversion: z.number().nullable(),
  /** Incremental revenue / total cost, when the cost is > 0. */
  incrementalRevenuePerCost: z.number().nullable(),
});
export type ComparisonEconomicsRow = z.infer<typeof ComparisonEconomicsRow>;

/** A segment-targeted campaign set against a broadcast (or a random audience of the same size). */
export const SegmentedVsBroadcastReport = z.object({
  settings: MeasurementSettings,
  sides: z.array(ComparisonSideRow),
  differences: z.array(ComparisonDifferenceRow),
  economics: z.array(ComparisonEconomicsRow),
});
export type SegmentedVsBroadcastReport = z.infer<typeof SegmentedVsBroadcastReport>;

/** Members of each segment of a scheme at the end of each period, and their share of the scheme. */
export const SegmentSizeRow = z.object({
  period: z.string(),
  scheme: z.string(),
  segment: z.string().nullable(),
  members: Count,
  share: z.number().min(0).max(1),
});
export type SegmentSizeRow = z.infer<typeof SegmentSizeRow>;

/** Members in segment `from` at the start of a period and in `to` at its end (null: in none / not a member). */
export const MigrationRow = z.object({
  scheme: z.string(),
  fromPeriod: z.string(),
  toPeriod: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  members: Count,
  /** members / all members that started in `from`. */
  shareOfFrom: z.number().min(0).max(1),
});
export type MigrationRow = z.infer<typeof MigrationRow>;

export const EngagementGrouping = z.enum(['cohort', 'segment']);

/** Engagement of one group (a join-month cohort, or a segment) in one period, with its dip flag. */
export const EngagementRow = z.object({
  period: z.string(),
  groupBy: EngagementGrouping,
  group: z.string(),
  members: Count,
  /** Members with at least one engagement in the period (as the report defines it). */
  active: Count,
  rate: z.number().min(0).max(1).nullable(),
  previousRate: z.number().min(0).max(1).nullable(),
  /** (rate - previousRate) / previousRate. */
  change: z.number().nullable(),
  dip: z.boolean(),
  /** `no_previous`: first period or an empty previous one; `low_count`: too few members to flag. */
  status: z.enum(['ok', 'low_count', 'no_previous']),
});
export type EngagementRow = z.infer<typeof EngagementRow>;

/** Outstanding points and the part of them expected to be redeemed. */
export const PointsLiabilityRow = z.object({
  /** null for the whole program. */
  group: z.string().nullable(),
  membersWithBalance: Count,
  outstandingPoints: Count,
  outstandingValue: Money,
  expectedRedemptionPoints: z.number().nonnegative().nullable(),
  expectedRedemptionValue: Money.nullable(),
});
export type PointsLiabilityRow = z.infer<typeof PointsLiabilityRow>;

export const PointsLiability = z.object({
  /** Money value of one point. */
  pointValue: Money,
  redeemedPoints: Count,
  expiredPoints: Count,
  /** Share of points expected to be redeemed rather than expire; null when unknown. */
  redemptionRate: z.number().min(0).max(1).nullable(),
  /** `history`: redeemed / (redeemed + expired) so far; `configured`: given; `none`: no history. */
  redemptionRateSource: z.enum(['history', 'configured', 'none']),
  rows: z.array(PointsLiabilityRow),
});
export type PointsLiability = z.infer<typeof PointsLiability>;

/** `narrowcast reports health --json`. */
export const HealthReport = z.object({
  programId: z.string(),
  periods: z.array(z.string()),
  settings: z.object({ dipThreshold: z.number().positive(), minMembers: Count }),
  segmentSizes: z.array(SegmentSizeRow),
  migration: z.array(MigrationRow),
  engagement: z.array(EngagementRow),
  liability: PointsLiability,
  /** The Apostle scheme's sizes over time (the same rows as segmentSizes, for that scheme). */
  apostle: z.array(SegmentSizeRow),
});
export type HealthReport = z.infer<typeof HealthReport>;
