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

/** Why a membership changed: an ingested event, a scheduled or manual refresh, or a definition change. */
export const TransitionCause = z.enum(['event', 'refresh', 'definition']);
export type TransitionCause = z.infer<typeof TransitionCause>;

/**
 * What a webhook receives when a member enters or leaves a segment. `id` is the idempotency id of
 * the delivery: a receiver that sees it twice (deliveries are at least once) can ignore the repeat.
 */
export const SegmentTransitionEvent = z.object({
  id: z.string(),
  type: z.enum(['segment.entered', 'segment.left']),
  programId: z.string(),
  memberId: z.string(),
  scheme: z.string(),
  segment: z.string(),
  at: z.string(),
  cause: TransitionCause,
  explanation: z.string().nullable(),
});
export type SegmentTransitionEvent = z.infer<typeof SegmentTransitionEvent>;

// --- Segment definitions, reports and webhooks over the API and the CLI ---

/** Creating a custom segment. `rule` is checked by `validateRule` (known features, fitting values). */
export const CreateSegmentInput = z.object({
  scheme: SegmentName,
  name: SegmentName,
  label: z.string().min(1).max(100),
  description: z.string().max(1000).optional(),
  rule: z.unknown(),
  /** Order within the scheme (first match wins); default: after the scheme's last segment. */
  position: z.number().int().min(0).max(1_000_000).optional(),
  /** Only for a scheme's first segment; later segments take the scheme's mode. Default first_match. */
  schemeMode: SchemeMode.optional(),
});
export type CreateSegmentInput = z.infer<typeof CreateSegmentInput>;

/** Updating a custom segment: what is given replaces the latest version's value in a new version. */
export const UpdateSegmentInput = z.object({
  label: z.string().min(1).max(100).optional(),
  description: z.string().max(1000).nullable().optional(),
  rule: z.unknown().optional(),
  position: z.number().int().min(0).max(1_000_000).optional(),
});
export type UpdateSegmentInput = z.infer<typeof UpdateSegmentInput>;

/** One stored version of a custom segment. */
export const SegmentVersion = z.object({
  scheme: z.string(),
  name: z.string(),
  version: z.number().int(),
  label: z.string(),
  description: z.string().nullable(),
  rule: SegmentRule,
  position: z.number().int(),
  schemeMode: SchemeMode,
  deleted: z.boolean(),
  createdAt: z.string(),
});
export type SegmentVersion = z.infer<typeof SegmentVersion>;

/** A custom segment with every version, newest first; `definitionsVersion` is the program's counter after the change. */
export const SegmentDetail = z.object({
  programId: z.string(),
  latest: SegmentVersion,
  versions: z.array(SegmentVersion),
  definitionsVersion: z.number().int(),
});
export type SegmentDetail = z.infer<typeof SegmentDetail>;

/** One segment in `segments list`: custom segments carry their version number, built-ins "built-in". */
export const SegmentSummary = z.object({
  scheme: z.string(),
  name: z.string(),
  label: z.string(),
  builtIn: z.boolean(),
  version: z.union([z.number().int(), z.literal('built-in')]),
  /** Members in the segment now (current memberships). */
  size: z.number().int(),
});
export type SegmentSummary = z.infer<typeof SegmentSummary>;

export const SegmentList = z.object({
  programId: z.string(),
  /** Bumped by every definition or threshold change; the refresh re-evaluates when it moved. */
  definitionsVersion: z.number().int(),
  /** The definitions version the stored memberships were last fully evaluated with. */
  evaluatedVersion: z.number().int(),
  refreshedAsOf: z.string().nullable(),
  segments: z.array(SegmentSummary),
});
export type SegmentList = z.infer<typeof SegmentList>;

/** A current member of a segment. */
export const SegmentMember = z.object({
  memberId: z.string(),
  since: z.string(),
  explanation: z.string(),
});
export type SegmentMember = z.infer<typeof SegmentMember>;

/** One page of a segment's members, in a stable order; pass `nextCursor` back for the next page. */
export const SegmentMembersPage = z.object({
  programId: z.string(),
  scheme: z.string(),
  segment: z.string(),
  members: z.array(SegmentMember),
  nextCursor: z.string().nullable(),
});
export type SegmentMembersPage = z.infer<typeof SegmentMembersPage>;

/** A row of `segments export`: the membership and a few member fields (no contact points). */
export const SegmentExportRow = z.object({
  memberId: z.string(),
  since: z.string(),
  explanation: z.string(),
  joinedAt: z.string(),
  tier: z.string().nullable(),
  region: z.string().nullable(),
  locale: z.string().nullable(),
});
export type SegmentExportRow = z.infer<typeof SegmentExportRow>;

/** The segment name used for "in no segment of this scheme" in a migration matrix. */
export const NO_SEGMENT = 'none';

/** Members moving from one segment to another between two dates, in one scheme. */
export const MigrationCell = z.object({ from: z.string(), to: z.string(), members: z.number().int() });
export type MigrationCell = z.infer<typeof MigrationCell>;

export const SchemeMigration = z.object({
  scheme: z.string(),
  /** Every segment that appears in a cell, "none" included, sorted. */
  segments: z.array(z.string()),
  cells: z.array(MigrationCell),
});
export type SchemeMigration = z.infer<typeof SchemeMigration>;

export const SegmentMigration = z.object({
  programId: z.string(),
  from: z.string(),
  to: z.string(),
  schemes: z.array(SchemeMigration),
});
export type SegmentMigration = z.infer<typeof SegmentMigration>;

export const SegmentOverlap = z.object({
  programId: z.string(),
  a: z.object({ scheme: z.string(), segment: z.string(), size: z.number().int() }),
  b: z.object({ scheme: z.string(), segment: z.string(), size: z.number().int() }),
  intersection: z.number().int(),
  union: z.number().int(),
  /** intersection / union; 0 when both are empty. */
  jaccard: z.number(),
});
export type SegmentOverlap = z.infer<typeof SegmentOverlap>;

export const SegmentSizeSeries = z.object({
  programId: z.string(),
  series: z.array(
    z.object({
      scheme: z.string(),
      segment: z.string(),
      points: z.array(z.object({ asOf: z.string(), size: z.number().int() })),
    }),
  ),
});
export type SegmentSizeSeries = z.infer<typeof SegmentSizeSeries>;

/** Event types a webhook can subscribe to. */
export const WebhookEventType = z.enum(['segment.entered', 'segment.left']);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

export const CreateWebhookInput = z.object({
  url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2000),
  events: z.array(WebhookEventType).min(1).default(['segment.entered', 'segment.left']),
});
export type CreateWebhookInput = z.input<typeof CreateWebhookInput>;

/** A webhook as listed: never its secret. */
export const WebhookView = z.object({
  id: z.string(),
  programId: z.string(),
  url: z.string(),
  events: z.array(WebhookEventType),
  createdAt: z.string(),
  disabledAt: z.string().nullable(),
  /** Deliveries not yet made and still being retried. */
  pending: z.number().int(),
  delivered: z.number().int(),
  /** Deliveries given up after the last attempt. */
  failed: z.number().int(),
});
export type WebhookView = z.infer<typeof WebhookView>;

/** A new webhook with its signing secret, which is shown this once. */
export const CreatedWebhook = WebhookView.extend({ secret: z.string() });
export type CreatedWebhook = z.infer<typeof CreatedWebhook>;
