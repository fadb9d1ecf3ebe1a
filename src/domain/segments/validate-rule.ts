import { Decimal, Timestamp } from '../../contracts/scalars.ts';
import { type RuleIssue, type RuleLeaf, RuleOp, type SegmentRule } from '../../contracts/segments.ts';
import { type FeatureDefinition, featureDefinition } from '../features/feature-catalog.ts';

/** Deepest nesting of all/any/not a rule may have: deep enough for any real rule, bounded for safety. */
export const MAX_RULE_DEPTH = 12;
/** Most leaves in one rule. */
export const MAX_RULE_LEAVES = 200;
/** Most values in an `in` list. */
export const MAX_IN_VALUES = 1000;

export type RuleValidation = { ok: true; rule: SegmentRule } | { ok: false; issues: RuleIssue[] };

type Value = RuleLeaf['value'];

const NUMERIC = new Set(['number', 'integer', 'money']);

/** Which ops each feature type allows (`exists` is allowed on all). */
const OPS_BY_TYPE: Record<FeatureDefinition['type'], readonly string[]> = {
  number: ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'between', 'top_percent', 'exists'],
  integer: ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'between', 'top_percent', 'exists'],
  money: ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'between', 'top_percent', 'exists'],
  boolean: ['eq', 'ne', 'exists'],
  date: ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'between', 'within_days', 'exists'],
  string: ['eq', 'ne', 'in', 'exists'],
  'string[]': ['contains', 'in', 'exists'],
};

const join = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A scalar of the feature's type, normalised (money to a 4-decimal string, dates to ISO UTC),
 * or an error message.
 */
function scalar(
  def: FeatureDefinition,
  value: unknown,
): { value: number | string | boolean } | { error: string } {
  switch (def.type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? { value } : { error: 'must be a number' };
    case 'integer':
      return Number.isSafeInteger(value) ? { value: value as number } : { error: 'must be an integer' };
    case 'money': {
      const parsed = Decimal.safeParse(value);
      return parsed.success ? { value: parsed.data } : { error: 'must be an amount such as 250 or "99.95"' };
    }
    case 'boolean':
      return typeof value === 'boolean' ? { value } : { error: 'must be true or false' };
    case 'date': {
      const parsed = typeof value === 'string' ? Timestamp.safeParse(value) : undefined;
      return parsed?.success ? { value: parsed.data } : { error: 'must be an ISO date such as 2024-05-01' };
    }
    case 'string':
    case 'string[]':
      return typeof value === 'string' && value.length > 0
        ? { value }
        : { error: 'must be a non-empty string' };
  }
}

function leafValue(def: FeatureDefinition, op: string, value: unknown): { value: Value } | { error: string } {
  switch (op) {
    case 'exists':
      return typeof value === 'boolean' ? { value } : { error: 'must be true or false for exists' };
    case 'within_days':
      return Number.isSafeInteger(value) && (value as number) >= 0
        ? { value: value as number }
        : { error: 'must be a whole number of days, 0 or more' };
    case 'top_percent':
      return typeof value === 'number' && value > 0 && value <= 100
        ? { value }
        : { error: 'must be a percentage above 0 and at most 100' };
    case 'between': {
      if (!Array.isArray(value) || value.length !== 2) return { error: 'must be [low, high]' };
      const low = scalar(def, value[0]);
      const high = scalar(def, value[1]);
      if ('error' in low) return { error: `low ${low.error}` };
      if ('error' in high) return { error: `high ${high.error}` };
      if (compareScalars(def, low.value, high.value) > 0) return { error: 'low must not be above high' };
      return { value: [low.value, high.value] as Value };
    }
    case 'in': {
      if (!Array.isArray(value) || value.length === 0) return { error: 'must be a non-empty list' };
      if (value.length > MAX_IN_VALUES) return { error: `must have at most ${MAX_IN_VALUES} values` };
      const items: (number | string)[] = [];
      for (const [i, item] of value.entries()) {
        const parsed = scalar(def, item);
        if ('error' in parsed) return { error: `item ${i} ${parsed.error}` };
        items.push(parsed.value as number | string);
      }
      return { value: items };
    }
    default: {
      const parsed = scalar(def, value);
      return 'error' in parsed ? parsed : { value: parsed.value };
    }
  }
}

function compareScalars(def: FeatureDefinition, a: unknown, b: unknown): number {
  if (def.type === 'date') return Date.parse(a as string) - Date.parse(b as string);
  if (def.type === 'money') return Number(a) - Number(b);
  return NUMERIC.has(def.type) ? (a as number) - (b as number) : 0;
}

interface Walk {
  issues: RuleIssue[];
  leaves: number;
}

function validateLeaf(node: Record<string, unknown>, path: string, walk: Walk): SegmentRule | undefined {
  const issue = (key: string, message: string) => walk.issues.push({ path: join(path, key), message });
  for (const key of Object.keys(node)) {
    if (!['feature', 'op', 'value'].includes(key)) issue(key, 'is not a rule field (feature, op, value)');
  }
  walk.leaves += 1;
  const { feature, op, value } = node;
  if (typeof feature !== 'string') return void issue('feature', 'must be a feature name');
  const def = featureDefinition(feature);
  if (def === undefined) return void issue('feature', `unknown feature "${feature}"`);
  if (!RuleOp.safeParse(op).success) return void issue('op', `must be one of ${RuleOp.options.join(', ')}`);
  if (!OPS_BY_TYPE[def.type].includes(op as string)) {
    return void issue(
      'op',
      `${op} does not apply to ${feature} (${def.type}); use ${OPS_BY_TYPE[def.type].join(', ')}`,
    );
  }
  if (value === undefined) return void issue('value', 'is required');
  const checked = leafValue(def, op as string, value);
  if ('error' in checked) return void issue('value', `${checked.error} (${feature} is ${def.type})`);
  return { feature, op: op as RuleOp, value: checked.value };
}

function validateNode(node: unknown, path: string, depth: number, walk: Walk): SegmentRule | undefined {
  if (!isObject(node)) {
    walk.issues.push({
      path,
      message: 'must be an object: { all }, { any }, { not } or { feature, op, value }',
    });
    return undefined;
  }
  if (depth > MAX_RULE_DEPTH) {
    walk.issues.push({ path, message: `nests deeper than ${MAX_RULE_DEPTH} levels` });
    return undefined;
  }
  const combinator = (['all', 'any', 'not'] as const).find((key) => key in node);
  if (combinator === undefined) return validateLeaf(node, path, walk);
  const extra = Object.keys(node).filter((key) => key !== combinator);
  for (const key of extra)
    walk.issues.push({ path: join(path, key), message: `cannot sit beside ${combinator}` });
  if (combinator === 'not') {
    const child = validateNode(node.not, join(path, 'not'), depth + 1, walk);
    return child === undefined ? undefined : { not: child };
  }
  const list = node[combinator];
  if (!Array.isArray(list) || list.length === 0) {
    walk.issues.push({ path: join(path, combinator), message: 'must be a non-empty list of rules' });
    return undefined;
  }
  const children = list.map((child, i) =>
    validateNode(child, join(join(path, combinator), i), depth + 1, walk),
  );
  if (children.some((c) => c === undefined)) return undefined;
  return combinator === 'all' ? { all: children as SegmentRule[] } : { any: children as SegmentRule[] };
}

/**
 * Checks a rule as a marketer wrote it: its shape, that every feature exists, that each op applies
 * to its feature's type and each value fits both. Every problem is reported with its JSON path
 * (`all[2].value`; the empty path is the rule itself). On success the rule comes back with values
 * normalised: money as 4-decimal strings, dates as ISO UTC timestamps.
 */
export function validateRule(input: unknown): RuleValidation {
  const walk: Walk = { issues: [], leaves: 0 };
  const rule = validateNode(input, '', 0, walk);
  if (walk.leaves > MAX_RULE_LEAVES) {
    walk.issues.push({
      path: '',
      message: `has ${walk.leaves} conditions; at most ${MAX_RULE_LEAVES} are allowed`,
    });
  }
  if (walk.issues.length > 0 || rule === undefined) return { ok: false, issues: walk.issues };
  return { ok: true, rule };
}
