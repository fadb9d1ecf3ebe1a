import type { FeatureValue, SegmentRule } from '../../contracts/segments.ts';
import { evaluateLeaf } from './evaluate-leaf.ts';
import type { ProgramContext } from './program-context.ts';

/** Features by name, as `evaluateRule` reads them; a missing name is null. */
export type Features = Readonly<Record<string, FeatureValue | null | undefined>>;

/**
 * Whether a rule matched, and the facts that decided it. Each reason is a true statement about the
 * member ("redemption ratio 0.02 ≤ 0.10", or when it failed "redemption ratio 0.32 > 0.10"), so the
 * reasons of a `not` are its child's reasons unchanged.
 */
export interface RuleResult {
  match: boolean;
  reasons: string[];
}

/**
 * Evaluates a (validated) rule. `all` gives every child's reason when it matches and the failing
 * children's when it does not; `any` gives the first matching child's reasons, or every child's
 * when none matched.
 */
export function evaluateRule(rule: SegmentRule, features: Features, context: ProgramContext): RuleResult {
  if ('all' in rule) {
    const results = rule.all.map((child) => evaluateRule(child, features, context));
    const failed = results.filter((r) => !r.match);
    return failed.length === 0
      ? { match: true, reasons: results.flatMap((r) => r.reasons) }
      : { match: false, reasons: failed.flatMap((r) => r.reasons) };
  }
  if ('any' in rule) {
    const results = rule.any.map((child) => evaluateRule(child, features, context));
    const first = results.find((r) => r.match);
    return first !== undefined
      ? { match: true, reasons: first.reasons }
      : { match: false, reasons: results.flatMap((r) => r.reasons) };
  }
  if ('not' in rule) {
    const inner = evaluateRule(rule.not, features, context);
    return { match: !inner.match, reasons: inner.reasons };
  }
  const leaf = evaluateLeaf(rule, features, context);
  return { match: leaf.match, reasons: [leaf.describe()] };
}

/**
 * Whether a rule matches, short-circuiting and building no text: for deciding membership of many
 * members, with `evaluateRule` run only for the memberships that need an explanation.
 */
export function matchRule(rule: SegmentRule, features: Features, context: ProgramContext): boolean {
  if ('all' in rule) return rule.all.every((child) => matchRule(child, features, context));
  if ('any' in rule) return rule.any.some((child) => matchRule(child, features, context));
  if ('not' in rule) return !matchRule(rule.not, features, context);
  return evaluateLeaf(rule, features, context).match;
}

/** "Points Savers: points balance 4,210 is in the top 20% (≥ 3,100) and redemption ratio 0.02 ≤ 0.10". */
export function explain(label: string, result: RuleResult): string {
  return `${label}: ${result.reasons.join(' and ')}`;
}
