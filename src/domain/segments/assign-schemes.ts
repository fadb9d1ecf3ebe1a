import type { SchemeAssignment, SchemeDefinition, SegmentMembership } from '../../contracts/segments.ts';
import { evaluateRule, explain, type Features, matchRule } from './evaluate-rule.ts';
import type { ProgramContext } from './program-context.ts';

function membership(
  segment: SchemeDefinition['segments'][number],
  features: Features,
  context: ProgramContext,
): SegmentMembership {
  const result = evaluateRule(segment.rule, features, context);
  return {
    segment: segment.name,
    label: segment.label,
    explanation: explain(segment.label, result),
    reasons: result.reasons,
  };
}

/**
 * A member's memberships in each scheme, in scheme order: for a `first_match` scheme the first
 * segment whose rule matches (or none), for an `overlapping` one every segment that matches.
 * Only the memberships found are explained, so the cost of text is paid once per membership.
 */
export function assignSchemes(
  features: Features,
  context: ProgramContext,
  schemes: readonly SchemeDefinition[],
): SchemeAssignment[] {
  return schemes.map((scheme) => {
    const memberships: SegmentMembership[] = [];
    for (const segment of scheme.segments) {
      if (!matchRule(segment.rule, features, context)) continue;
      memberships.push(membership(segment, features, context));
      if (scheme.mode === 'first_match') break;
    }
    return { scheme: scheme.name, mode: scheme.mode, memberships };
  });
}
