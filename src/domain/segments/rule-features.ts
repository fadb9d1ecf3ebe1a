import type { RuleLeaf, SchemeDefinition, SegmentRule } from '../../contracts/segments.ts';

/** Every leaf of a rule, depth first. */
export function ruleLeaves(rule: SegmentRule): RuleLeaf[] {
  if ('all' in rule) return rule.all.flatMap(ruleLeaves);
  if ('any' in rule) return rule.any.flatMap(ruleLeaves);
  if ('not' in rule) return ruleLeaves(rule.not);
  return [rule];
}

/**
 * The features whose program distribution the schemes' `top_percent` leaves read: what a refresh
 * must put in the ProgramContext (and recompute when the distribution moves).
 */
export function topPercentFeatures(schemes: readonly SchemeDefinition[]): string[] {
  const names = schemes.flatMap((scheme) =>
    scheme.segments.flatMap((segment) =>
      ruleLeaves(segment.rule)
        .filter((leaf) => leaf.op === 'top_percent')
        .map((leaf) => leaf.feature),
    ),
  );
  return [...new Set(names)].sort();
}

/** Every feature a scheme reads: when none of them changed for a member, its memberships cannot change. */
export function schemeFeatures(scheme: SchemeDefinition): string[] {
  const names = scheme.segments.flatMap((segment) => ruleLeaves(segment.rule).map((leaf) => leaf.feature));
  return [...new Set(names)].sort();
}
