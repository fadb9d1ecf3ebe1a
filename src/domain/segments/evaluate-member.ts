import type {
  FeatureVector,
  RuleLeaf,
  SchemeAssignment,
  SchemeDefinition,
} from '../../contracts/segments.ts';
import { deriveFeatures, type ModelFeatures, type RfmScores } from '../features/derive-features.ts';
import type { MemberAggregates } from '../features/member-aggregates.ts';
import { quintileScore } from '../features/rfm-scores.ts';
import { utcDay } from '../features/utc-days.ts';
import { assignSchemes } from './assign-schemes.ts';
import { nextReviewDay } from './next-review-day.ts';
import type { ProgramContext } from './program-context.ts';

/** Keys of the program context under which the R, F and M input distributions are kept. */
export const RFM_DISTRIBUTIONS = {
  r: 'rfm:last_purchase_day',
  f: 'rfm:frequency_orders',
  m: 'rfm:monetary_total',
} as const;

/** What ranks a member for R, F and M: null for a member who has not bought. */
export interface RfmInputs {
  lastPurchaseDay: number;
  frequencyOrders: number;
  monetaryTotal: string;
}

export function rfmInputs(agg: MemberAggregates): RfmInputs | null {
  if (agg.lastPurchaseAt === null) return null;
  return {
    lastPurchaseDay: utcDay(agg.lastPurchaseAt),
    frequencyOrders: agg.orders,
    monetaryTotal: agg.netMerchandise,
  };
}

/**
 * A member's R/F/M scores against the program's stored distributions: how an event scores a member
 * between refreshes (the refresh then ranks everyone exactly). Null without a purchase or before
 * the program's first refresh has stored distributions.
 */
export function scoreAgainst(inputs: RfmInputs | null, context: ProgramContext): RfmScores | null {
  if (inputs === null) return null;
  const r = context.distributions[RFM_DISTRIBUTIONS.r];
  const f = context.distributions[RFM_DISTRIBUTIONS.f];
  const m = context.distributions[RFM_DISTRIBUTIONS.m];
  if (!r?.length || !f?.length || !m?.length) return null;
  return {
    r: quintileScore(inputs.lastPurchaseDay, r, 'higher_is_better'),
    f: quintileScore(inputs.frequencyOrders, f, 'higher_is_better'),
    m: quintileScore(Number(inputs.monetaryTotal), m, 'higher_is_better'),
  };
}

export interface MemberEvaluation {
  features: FeatureVector;
  assignments: SchemeAssignment[];
  /** See nextReviewDay: the first day a refresh must look at this member again. */
  reviewDay: number | null;
}

export interface EvaluationInput {
  context: ProgramContext;
  /** The schemes for this member (built-ins with the member's declared interests, and custom ones). */
  schemes: readonly SchemeDefinition[];
  /** Every leaf of every scheme the program has (schemeLeaves). */
  leaves: readonly RuleLeaf[];
  rfm: RfmScores | null;
  model: ModelFeatures | null;
  /** Derive features and the review day only; `assignments` is then empty. */
  statesOnly?: boolean;
}

/** A member's features as of the context's as-of time, their memberships and their next review day. */
export function evaluateMember(agg: MemberAggregates, input: EvaluationInput): MemberEvaluation {
  const features = deriveFeatures(agg, input.context.asOf, { rfm: input.rfm, model: input.model });
  return {
    features,
    assignments: input.statesOnly ? [] : assignSchemes(features, input.context, input.schemes),
    reviewDay: nextReviewDay(agg, features, input.leaves, input.context),
  };
}

/** A membership as stored. */
export interface StoredMembership {
  scheme: string;
  segment: string;
  explanation: string;
}

export interface MembershipChanges {
  entered: StoredMembership[];
  left: StoredMembership[];
  /** Still a member; the explanation's values moved. */
  reworded: StoredMembership[];
}

/** What must change in storage to go from the stored memberships to the new assignments. */
export function diffMemberships(
  stored: readonly StoredMembership[],
  assignments: readonly SchemeAssignment[],
): MembershipChanges {
  const key = (m: { scheme: string; segment: string }) => `${m.scheme}\u0000${m.segment}`;
  const before = new Map(stored.map((m) => [key(m), m]));
  const changes: MembershipChanges = { entered: [], left: [], reworded: [] };
  const seen = new Set<string>();
  for (const assignment of assignments) {
    for (const m of assignment.memberships) {
      const now = { scheme: assignment.scheme, segment: m.segment, explanation: m.explanation };
      const k = key(now);
      seen.add(k);
      const old = before.get(k);
      if (old === undefined) changes.entered.push(now);
      else if (old.explanation !== now.explanation) changes.reworded.push(now);
    }
  }
  for (const [k, old] of before) if (!seen.has(k)) changes.left.push(old);
  return changes;
}
