import type { FeatureValue } from '../../contracts/segments.ts';

/**
 * What a rule needs beyond one member's features: the as-of time (for `within_days`) and the
 * program's distribution of each feature a `top_percent` leaf uses. A distribution is ascending and
 * is either every member's value or an evenly spaced summary of them (`summariseDistribution`),
 * so it can be stored and loaded once per refresh rather than recomputed per member.
 */
export interface ProgramContext {
  asOf: Date;
  distributions: Readonly<Record<string, readonly number[]>>;
}

const CEIL_TOLERANCE = 1e-9;

/** Points kept per feature by default when a distribution is summarised: 0.01% resolution. */
export const DEFAULT_DISTRIBUTION_POINTS = 10_001;

/** A feature value as a number for ranking: money's decimal string through Number, which keeps order. */
export function rankableNumber(value: FeatureValue | null | undefined): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^-?\d+(?:\.\d+)?$/.test(value)) return Number(value);
  return null;
}

/**
 * At most `maxPoints` evenly spaced order statistics of an ascending list, first and last always
 * kept. A top-percent threshold read from the summary is off by at most one summary step.
 */
export function summariseDistribution(sortedAscending: readonly number[], maxPoints: number): number[] {
  const n = sortedAscending.length;
  if (n <= maxPoints) return [...sortedAscending];
  if (maxPoints < 2) throw new RangeError('maxPoints must be at least 2');
  return Array.from(
    { length: maxPoints },
    (_, i) => sortedAscending[Math.round((i * (n - 1)) / (maxPoints - 1))] as number,
  );
}

/**
 * A context from every member's values of the features that `top_percent` rules use. Members
 * without a value (null) are left out of the distribution: "top 20% by CLV" is among the scored.
 */
export function createProgramContext(
  asOf: Date,
  valuesByFeature: Readonly<Record<string, readonly (FeatureValue | null | undefined)[]>>,
  maxPoints = DEFAULT_DISTRIBUTION_POINTS,
): ProgramContext {
  const distributions: Record<string, number[]> = {};
  for (const [feature, values] of Object.entries(valuesByFeature)) {
    const numbers = values.map(rankableNumber).filter((v): v is number => v !== null);
    numbers.sort((a, b) => a - b);
    distributions[feature] = summariseDistribution(numbers, maxPoints);
  }
  return { asOf, distributions };
}

/**
 * The smallest value in the top `percent`% of a distribution: with n values, the top group is the
 * ceil(n * percent / 100) highest, and the threshold is the lowest of them. A member at or above
 * it is in the top group, so members tied with the threshold all count and the group can exceed
 * the percentage when values tie. Null for an empty distribution.
 */
export function topPercentThreshold(sortedAscending: readonly number[], percent: number): number | null {
  const n = sortedAscending.length;
  if (n === 0) return null;
  // The tolerance keeps float noise (1000 * 0.7 / 100) from adding a member to the group.
  const k = Math.max(1, Math.min(n, Math.ceil((n * percent) / 100 - CEIL_TOLERANCE)));
  return sortedAscending[n - k] ?? null;
}
