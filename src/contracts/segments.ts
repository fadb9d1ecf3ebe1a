import { z } from 'zod';

// Segment rules, definitions and memberships as they cross the API, the CLI and storage.
// The structural schema here documents the shape (and feeds OpenAPI); `validateRule` in
// domain/segments adds what a schema cannot: known features, and values that fit each feature's type.

/** The value types a feature can have. `money` is an exact decimal string; `date` an ISO timestamp. */
export const FeatureType = z.enum(['number', 'integer', 'money', 'boolean', 'date', 'string', 'string[]']);
export type FeatureType = z.infer<typeof FeatureType>;

/** A feature's value in a member's feature vector; null when it has none (e.g. no purchase yet). */
export const FeatureValue = z.union([z.number(), z.string(), z.boolean(), z.array(z.string())]);
export type FeatureValue = z.infer<typeof FeatureValue>;

/** One member's features by name. A missing name reads as null. */
export const FeatureVector = z.record(z.string(), FeatureValue.nullable());
export type FeatureVector = z.infer<typeof FeatureVector>;

/** Comparison operators of a rule leaf. `exists` (value true/false) tests whether the feature has a value. */
export const RuleOp = z.enum([
  'eq',
  'ne',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'contains',
  'between',
  'within_days',
  'top_percent',
  'exists',
]);
export type RuleOp = z.infer<typeof RuleOp>;

/** A rule leaf: `{ feature, op, value }`. What `value` may be depends on the op and the feature's type. */
export const RuleLeaf = z.strictObject({
  feature: z.string().min(1).max(128),
  op: RuleOp,
  value: z.union([z.number(), z.string(), z.boolean(), z.array(z.union([z.number(), z.string()])).max(1000)]),
});
export type RuleLeaf = z.infer<typeof RuleLeaf>;

/** A rule: a leaf, or `{ all: [...] }`, `{ any: [...] }`, `{ not: rule }`. */
export type SegmentRule = RuleLeaf | { all: SegmentRule[] } | { any: SegmentRule[] } | { not: SegmentRule };
export const SegmentRule: z.ZodType<SegmentRule> = z.lazy(() =>
  z.union([
    RuleLeaf,
    z.strictObject({ all: z.array(SegmentRule).min(1) }),
    z.strictObject({ any: z.array(SegmentRule).min(1) }),
    z.strictObject({ not: SegmentRule }),
  ]),
);

/** One problem with a rule, at its JSON path (`all[2].value`). */
export const RuleIssue = z.object({ path: z.string(), message: z.string() });
export type RuleIssue = z.infer<typeof RuleIssue>;

/** A segment name: lower-case slug, unique within its scheme. */
export const SegmentName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_:.-]*$/, 'must start with a lower-case letter and use only a-z, 0-9, _ : . -');

export const SegmentDefinition = z.object({
  name: SegmentName,
  /** How the segment reads to a marketer ("Points Savers"). */
  label: z.string().min(1).max(100),
  description: z.string().max(1000).optional(),
  rule: SegmentRule,
});
export type SegmentDefinition = z.infer<typeof SegmentDefinition>;

/**
 * `first_match`: one label per member, the first segment whose rule matches (a scheme proper).
 * `overlapping`: every matching segment (declared interests, where a member can be in several).
 */
export const SchemeMode = z.enum(['first_match', 'overlapping']);
export type SchemeMode = z.infer<typeof SchemeMode>;

export const SchemeDefinition = z.object({
  name: SegmentName,
  label: z.string().min(1).max(100),
  mode: SchemeMode,
  segments: z.array(SegmentDefinition),
});
export type SchemeDefinition = z.infer<typeof SchemeDefinition>;

/** A member's place in one segment, with why. */
export const SegmentMembership = z.object({
  segment: z.string(),
  label: z.string(),
  /** "Points Savers: points balance 4,210 is in the top 20% (≥ 3,100) and redemption ratio 0.02 ≤ 0.10". */
  explanation: z.string(),
  /** The facts behind the match, one per rule leaf that decided it. */
  reasons: z.array(z.string()),
});
export type SegmentMembership = z.infer<typeof SegmentMembership>;

/** A member's memberships in one scheme: at most one for `first_match`, any number for `overlapping`. */
export const SchemeAssignment = z.object({
  scheme: z.string(),
  mode: SchemeMode,
  memberships: z.array(SegmentMembership),
});
export type SchemeAssignment = z.infer<typeof SchemeAssignment>;
