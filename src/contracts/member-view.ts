import { z } from 'zod';
import { MemberPredictions } from './clv.ts';
import { FeatureVector } from './segments.ts';

/** A member as stored (contact points included: only keys with the read scope see this). */
export const MemberProfile = z.object({
  id: z.string(),
  joinedAt: z.string(),
  tier: z.string().nullable(),
  timezone: z.string().nullable(),
  locale: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  pushToken: z.string().nullable(),
  region: z.string().nullable(),
  gender: z.string().nullable(),
  birthday: z.string().nullable(),
  accountId: z.string().nullable(),
  businessCategory: z.string().nullable(),
  attributes: z.record(z.string(), z.unknown()),
});
export type MemberProfile = z.infer<typeof MemberProfile>;

/** Counts and totals of a member's history so far. Money is an exact decimal string. */
export const MemberTotals = z.object({
  orders: z.number().int(),
  /** Distinct UTC calendar days with at least one order. */
  purchaseDays: z.number().int(),
  /** Sum of order amounts, non-merchandise lines (postage, fees) included. */
  spend: z.string(),
  /** Sum of order merchandise amounts: goods only. */
  merchandiseSpend: z.string(),
  refunds: z.number().int(),
  refundedAmount: z.string(),
  refundedMerchandise: z.string(),
  /** Merchandise spend less refunded merchandise. */
  netMerchandiseSpend: z.string(),
  firstPurchaseAt: z.string().nullable(),
  lastPurchaseAt: z.string().nullable(),
  pointsEarned: z.number().int(),
  pointsRedeemed: z.number().int(),
  pointsExpired: z.number().int(),
  pointsAdjusted: z.number().int(),
  pointsBalance: z.number().int(),
  engagements: z.number().int(),
  surveys: z.number().int(),
  declarations: z.number().int(),
});
export type MemberTotals = z.infer<typeof MemberTotals>;

/** One current membership of a member. */
export const MemberSegment = z.object({
  scheme: z.string(),
  segment: z.string(),
  label: z.string(),
  /** When the member entered the segment. */
  since: z.string(),
  explanation: z.string(),
});
export type MemberSegment = z.infer<typeof MemberSegment>;

export const MemberView = z.object({
  programId: z.string(),
  member: MemberProfile,
  totals: MemberTotals,
  /** The latest CLV model outputs; null until `clv fit` has scored the program (or for a non-customer). */
  predictions: MemberPredictions.nullable(),
  /** The member's features as of `featuresAsOf` (DESIGN.md §2); null before the member's first evaluation. */
  features: FeatureVector.nullable(),
  featuresAsOf: z.string().nullable(),
  /** Current memberships in every scheme, each with why. */
  segments: z.array(MemberSegment),
});
export type MemberView = z.infer<typeof MemberView>;
