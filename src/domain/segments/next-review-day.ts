import type { FeatureValue, RuleLeaf, SchemeDefinition } from '../../contracts/segments.ts';
import { featureDefinition, WINDOW_DAYS } from '../features/feature-catalog.ts';
import type { MemberAggregates } from '../features/member-aggregates.ts';
import { utcDay } from '../features/utc-days.ts';
import { evaluateLeaf } from './evaluate-leaf.ts';
import type { ProgramContext } from './program-context.ts';
import { ruleLeaves } from './rule-features.ts';

// Between a member's events, only the passing of days changes their features: the day counts
// (recency, tenure, days since a redemption) grow by one a day, a day's activity leaves the recent
// window after 90 days and the window before after 180, and a `within_days` leaf stops matching N
// days after its date. Each of these happens on a day that can be computed from the member's own
// values, so a refresh need only look at members whose earliest such day has come: the review day.
// Program-relative values (R/F/M scores, top-percent thresholds) move with other members; the
// refresh finds those members separately.

type Features = Readonly<Record<string, FeatureValue | null | undefined>>;

/** Whether a feature is a count of days up to the as-of day, so that it grows by one a day. */
function isDayCount(feature: string): boolean {
  const def = featureDefinition(feature);
  return def !== undefined && def.source === 'as_of' && def.unit === 'days';
}

/** Numbers a leaf compares against: where a growing day count can change the leaf's outcome. */
function thresholds(leaf: RuleLeaf): number[] {
  const values = Array.isArray(leaf.value) ? leaf.value : [leaf.value];
  return values.filter((v): v is number => typeof v === 'number');
}

/** The first day after `asOfDay` on which a day-count leaf's outcome differs from today's, or null. */
function dayCountFlip(
  leaf: RuleLeaf,
  features: Features,
  context: ProgramContext,
  asOfDay: number,
): number | null {
  const now = features[leaf.feature];
  if (typeof now !== 'number' || leaf.op === 'exists' || leaf.op === 'top_percent') return null;
  const today = evaluateLeaf(leaf, features, context).match;
  // Comparisons change only where the count meets a threshold: check the days on each side of it.
  const steps = thresholds(leaf)
    .flatMap((t) => [
      Math.floor(t) - now,
      Math.floor(t) - now + 1,
      Math.ceil(t) - now,
      Math.ceil(t) - now + 1,
    ])
    .filter((k) => k >= 1)
    .sort((a, b) => a - b);
  for (const k of steps) {
    // A leaf reads only its own feature.
    const later = evaluateLeaf(leaf, { [leaf.feature]: now + k }, context).match;
    if (later !== today) return asOfDay + k;
  }
  return null;
}

/** The first day after `asOfDay` on which a `within_days` leaf's outcome changes, or null. */
function withinDaysFlip(leaf: RuleLeaf, features: Features, asOfDay: number): number | null {
  const at = features[leaf.feature];
  if (leaf.op !== 'within_days' || typeof at !== 'string' || typeof leaf.value !== 'number') return null;
  const day = utcDay(at);
  // A date after the as-of day starts matching on its own day; one within the window stops
  // matching on the day it is `value` days ago.
  const candidates = [day, day + leaf.value].filter((d) => d > asOfDay);
  return candidates.length === 0 ? null : Math.min(...candidates);
}

/** The first day after `asOfDay` on which some day of activity leaves the recent or the previous window. */
function windowExit(agg: MemberAggregates, asOfDay: number): number | null {
  let next: number | null = null;
  for (const bucket of agg.buckets) {
    for (const exit of [bucket.day + WINDOW_DAYS, bucket.day + 2 * WINDOW_DAYS]) {
      if (exit > asOfDay && (next === null || exit < next)) next = exit;
    }
  }
  return next;
}

/** Every leaf of every scheme, once. */
export function schemeLeaves(schemes: readonly SchemeDefinition[]): RuleLeaf[] {
  const seen = new Set<string>();
  const leaves: RuleLeaf[] = [];
  for (const scheme of schemes) {
    for (const segment of scheme.segments) {
      for (const leaf of ruleLeaves(segment.rule)) {
        const key = JSON.stringify(leaf);
        if (seen.has(key)) continue;
        seen.add(key);
        leaves.push(leaf);
      }
    }
  }
  return leaves;
}

/**
 * The earliest UTC day after `asOfDay` on which any of the member's time-based features changes in
 * a way a rule can see, or null when nothing will change until their next event. Until that day a
 * refresh can skip the member: their stored memberships are still exact.
 */
export function nextReviewDay(
  agg: MemberAggregates,
  features: Features,
  leaves: readonly RuleLeaf[],
  context: ProgramContext,
): number | null {
  const asOfDay = utcDay(context.asOf);
  let next = windowExit(agg, asOfDay);
  const consider = (day: number | null) => {
    if (day !== null && (next === null || day < next)) next = day;
  };
  for (const leaf of leaves) {
    if (isDayCount(leaf.feature)) consider(dayCountFlip(leaf, features, context, asOfDay));
    else if (leaf.op === 'within_days') consider(withinDaysFlip(leaf, features, asOfDay));
  }
  return next;
}
