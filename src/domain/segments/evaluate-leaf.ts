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
  return {
    match,
    describe: () => `${def.label} ${formatValue(def, actual)} ${relation} ${formatValue(def, expected)}`,
  };
}

function withinDays(def: FeatureDefinition, actual: string, days: number, asOf: Date): LeafOutcome {
  const ago = utcDay(asOf) - utcDay(actual);
  const when = () => `${def.label} ${formatValue(def, actual)}`;
  if (ago < 0)
    return {
      match: false,
      describe: () => `${when()} is after the as-of day, not within the last ${days} days`,
    };
  // The last N days end on the as-of day, like the 90-day windows: 0 to N - 1 days ago.
  const match = ago < days;
  const agoText = ago === 0 ? 'is on the as-of day' : ago === 1 ? 'is 1 day ago' : `is ${ago} days ago`;
  return {
    match,
    describe: () => `${when()} ${agoText}, ${match ? 'within' : 'not within'} the last ${days} days`,
  };
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
  const shown = () => formatValue(def, actual);
  if (threshold === null || value === null) {
    return { match: false, describe: () => `${def.label} ${shown()}: no program distribution to rank it in` };
  }
  const t = () => formatValue(def, threshold);
  return value >= threshold
    ? { match: true, describe: () => `${def.label} ${shown()} is in the top ${percent}% (≥ ${t()})` }
    : { match: false, describe: () => `${def.label} ${shown()} is not in the top ${percent}% (< ${t()})` };
}

function inList(def: FeatureDefinition, actual: FeatureValue, values: readonly Scalar[]): LeafOutcome {
  const list = () => values.map((v) => formatValue(def, v)).join(', ');
  if (Array.isArray(actual)) {
    const found = values.filter((v) => actual.includes(String(v)));
    return found.length > 0
      ? { match: true, describe: () => `${def.label} includes ${found.map(String).join(', ')}` }
      : {
          match: false,
          describe: () => `${def.label} (${formatValue(def, actual)}) includes none of ${list()}`,
        };
  }
  const match = values.some((v) => compare(def, actual as Scalar, v) === 0);
  return {
    match,
    describe: () => `${def.label} ${formatValue(def, actual)} is ${match ? '' : 'not '}one of ${list()}`,
  };
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
    return {
      match: present === leaf.value,
      describe: () => `${def.label} ${present ? 'is known' : 'is unknown'}`,
    };
  }
  if (actual === null) return { match: false, describe: () => `${def.label} is unknown` };
  const v = leaf.value;
  const shown = () => formatValue(def, actual);
  switch (leaf.op) {
    case 'eq':
    case 'ne': {
      const equal = compare(def, actual as Scalar, v as Scalar) === 0;
      const describe = () =>
        equal
          ? `${def.label} is ${shown()}`
          : `${def.label} is ${shown()}, not ${formatValue(def, v as Scalar)}`;
      return { match: leaf.op === 'eq' ? equal : !equal, describe };
    }
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return comparison(def, leaf.op, actual as Scalar, v as Scalar);
    case 'between': {
      const [low, high] = v as [Scalar, Scalar];
      const match = compare(def, actual as Scalar, low) >= 0 && compare(def, actual as Scalar, high) <= 0;
      const range = () => `${formatValue(def, low)} and ${formatValue(def, high)}`;
      return { match, describe: () => `${def.label} ${shown()} is ${match ? '' : 'not '}between ${range()}` };
    }
    case 'in':
      return inList(def, actual, v as Scalar[]);
    case 'contains': {
      const match = Array.isArray(actual) && actual.includes(String(v));
      return {
        match,
        describe: () => `${def.label} ${match ? 'includes' : `(${shown()}) does not include`} ${String(v)}`,
      };
    }
    case 'within_days':
      return withinDays(def, String(actual), v as number, ctx.asOf);
    case 'top_percent':
      return topPercent(def, actual, v as number, ctx);
  }
}
