import { z } from 'zod';
import { MemberPredictions } from './clv.ts';

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

export const MemberView = z.object({
  programId: z.string(),
  member: MemberProfile,
  totals: MemberTotals,
  /** The latest CLV model outputs; null until `clv fit` has scored the program (or for a non-customer). */
  predictions: MemberPredictions.nullable(),
});
export type MemberView = z.infer<typeof MemberView>;
