import { decimalToUnits, normaliseDecimal } from '../../contracts/scalars.ts';
import type { FeatureValue, RuleLeaf } from '../../contracts/segments.ts';
import { type FeatureDefinition, featureDefinition } from '../features/feature-catalog.ts';
import { utcDay } from '../features/utc-days.ts';
import { formatValue } from './format-value.ts';
import { type ProgramContext, rankableNumber, topPercentThreshold } from './program-context.ts';

/**
 * One leaf's outcome, and a statement of fact about the member that is true either way. The text
 * is built only when asked for, so deciding membership costs no formatting.
 */
export interface LeafOutcome {
  match: boolean;
  describe: () => string;
}

type Scalar = number | string | boolean;

// Outcomes are built through this helper rather than as `{ match, describe: () => ... }` literals:
// the sources run through tsx, whose keepNames wraps every arrow written as a property or a const
// in a call that defines its name, and a leaf is evaluated for every member (that wrapping was a
// third of evaluating one). An arrow passed as an argument is left alone.
const outcome = (match: boolean, describe: () => string): LeafOutcome => ({ match, describe });

// A leaf on a feature with no value (null) does not match: "CLV percentile >= 80" is false for an
// unscored member, and so `not` of it is true. `exists` is how a rule asks about presence.

function definitionOf(feature: string): FeatureDefinition {
  const def = featureDefinition(feature);
  if (def === undefined)
    throw new RangeError(`unknown feature "${feature}"; validate rules with validateRule`);
  return def;
}

const toUnits = (value: Scalar) =>
  typeof value === 'number'
    ? decimalToUnits(normaliseDecimal(value.toFixed(4)))
    : decimalToUnits(String(value));

/** Negative, zero or positive as `actual` is below, equal to or above `expected`, exact for money. */
function compare(def: FeatureDefinition, actual: Scalar, expected: Scalar): number {
  if (def.type === 'money') {
    const a = toUnits(actual);
    const b = toUnits(expected);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (def.type === 'date') return Date.parse(String(actual)) - Date.parse(String(expected));
  if (typeof actual === 'number' && typeof expected === 'number') return actual - expected;
  return actual === expected ? 0 : String(actual) < String(expected) ? -1 : 1;
}

const SYMBOLS = {
  lt: ['<', '≥'],
  lte: ['≤', '>'],
  gt: ['>', '≤'],
  gte: ['≥', '<'],
} as const;
const DATE_WORDS = {
  lt: ['is before', 'is not before'],
  lte: ['is on or before', 'is after'],
  gt: ['is after', 'is not after'],
  gte: ['is on or after', 'is before'],
} as const;
const HOLDS = {
  lt: (c: number) => c < 0,
  lte: (c: number) => c <= 0,
  gt: (c: number) => c > 0,
  gte: (c: number) => c >= 0,
};

function comparison(
  def: FeatureDefinition,
  op: keyof typeof SYMBOLS,
  actual: Scalar,
  expected: Scalar,
): LeafOutcome {
  const match = HOLDS[op](compare(def, actual, expected));
  const relation = (def.type === 'date' ? DATE_WORDS : SYMBOLS)[op][match ? 0 : 1];
  return outcome(
    match,
    () => `${def.label} ${formatValue(def, actual)} ${relation} ${formatValue(def, expected)}`,
  );
}

function withinDays(def: FeatureDefinition, actual: string, days: number, asOf: Date): LeafOutcome {
  const ago = utcDay(asOf) - utcDay(actual);
  if (ago < 0)
    return outcome(
      false,
      () =>
        `${def.label} ${formatValue(def, actual)} is after the as-of day, not within the last ${days} days`,
    );
  // The last N days end on the as-of day, like the 90-day windows: 0 to N - 1 days ago.
  const match = ago < days;
  const agoText = ago === 0 ? 'is on the as-of day' : ago === 1 ? 'is 1 day ago' : `is ${ago} days ago`;
  return outcome(
    match,
    () =>
      `${def.label} ${formatValue(def, actual)} ${agoText}, ${match ? 'within' : 'not within'} the last ${days} days`,
  );
}

function topPercent(
  def: FeatureDefinition,
  actual: FeatureValue,
  percent: number,
  ctx: ProgramContext,
): LeafOutcome {
  const distribution = ctx.distributions[def.name];
  const threshold = distribution === undefined ? null : topPercentThreshold(distribution, percent);
  const value = rankableNumber(actual);
  if (threshold === null || value === null) {
    return outcome(
      false,
      () => `${def.label} ${formatValue(def, actual)}: no program distribution to rank it in`,
    );
  }
  const match = value >= threshold;
  return outcome(
    match,
    () =>
      `${def.label} ${formatValue(def, actual)} is ${match ? '' : 'not '}in the top ${percent}% (${match ? '≥' : '<'} ${formatValue(def, threshold)})`,
  );
}

function listOf(def: FeatureDefinition, values: readonly Scalar[]): string {
  return values.map((v) => formatValue(def, v)).join(', ');
}

function inList(def: FeatureDefinition, actual: FeatureValue, values: readonly Scalar[]): LeafOutcome {
  if (Array.isArray(actual)) {
    const found = values.filter((v) => actual.includes(String(v)));
    return found.length > 0
      ? outcome(true, () => `${def.label} includes ${found.map(String).join(', ')}`)
      : outcome(
          false,
          () => `${def.label} (${formatValue(def, actual)}) includes none of ${listOf(def, values)}`,
        );
  }
  const match = values.some((v) => compare(def, actual as Scalar, v) === 0);
  return outcome(
    match,
    () => `${def.label} ${formatValue(def, actual)} is ${match ? '' : 'not '}one of ${listOf(def, values)}`,
  );
}

/** Evaluates one leaf against a member's features. Throws on an unknown feature (rules are validated first). */
export function evaluateLeaf(
  leaf: RuleLeaf,
  features: Readonly<Record<string, FeatureValue | null | undefined>>,
  ctx: ProgramContext,
): LeafOutcome {
  const def = definitionOf(leaf.feature);
  const actual = features[leaf.feature] ?? null;
  if (leaf.op === 'exists') {
    const present = actual !== null;
    return outcome(present === leaf.value, () => `${def.label} ${present ? 'is known' : 'is unknown'}`);
  }
  if (actual === null) return outcome(false, () => `${def.label} is unknown`);
  const v = leaf.value;
  switch (leaf.op) {
    case 'eq':
    case 'ne': {
      const equal = compare(def, actual as Scalar, v as Scalar) === 0;
      return outcome(leaf.op === 'eq' ? equal : !equal, () =>
        equal
          ? `${def.label} is ${formatValue(def, actual)}`
          : `${def.label} is ${formatValue(def, actual)}, not ${formatValue(def, v as Scalar)}`,
      );
    }
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return comparison(def, leaf.op, actual as Scalar, v as Scalar);
    case 'between': {
      const [low, high] = v as [Scalar, Scalar];
      const match = compare(def, actual as Scalar, low) >= 0 && compare(def, actual as Scalar, high) <= 0;
      return outcome(
        match,
        () =>
          `${def.label} ${formatValue(def, actual)} is ${match ? '' : 'not '}between ${formatValue(def, low)} and ${formatValue(def, high)}`,
      );
    }
    case 'in':
      return inList(def, actual, v as Scalar[]);
    case 'contains': {
      const match = Array.isArray(actual) && actual.includes(String(v));
      return outcome(
        match,
        () =>
          `${def.label} ${match ? 'includes' : `(${formatValue(def, actual)}) does not include`} ${String(v)}`,
      );
    }
    case 'within_days':
      return withinDays(def, String(actual), v as number, ctx.asOf);
    case 'top_percent':
      return topPercent(def, actual, v as number, ctx);
  }
}
