import { z } from 'zod';
import { Channel, Purpose } from './records.ts';
import { Amount, CalendarDate, Key, TimeZone, text } from './scalars.ts';
import { SegmentName, SegmentRule } from './segments.ts';

// A campaign as a marketer writes it (JSON or YAML, DESIGN.md §4): goal and audience, offer,
// message variants per channel as Liquid templates, channel order, schedule, holdout and A/B/n
// weights. The schema checks the shape; `validateCampaign` in domain/campaigns adds what a schema
// cannot: templates that compile and render in the sandbox, known tokens and features, and no
// sensitive declared values.

/** What the campaign is for (DESIGN.md §4 step 1). */
export const CampaignGoal = z.enum([
  'retain',
  'reactivate',
  'redeem',
  'onboard',
  'advocate',
  'launch',
  'clear_stock',
]);
export type CampaignGoal = z.infer<typeof CampaignGoal>;

const SEGMENT_REF = /^([a-z][a-z0-9_:.-]*)\/([a-z][a-z0-9_:.-]*)$/;

/** A segment of a scheme, written `{ scheme, segment }` or `"scheme/segment"` (e.g. "loyalty/points_savers"). */
export const SegmentRef = z.union([
  z.strictObject({ scheme: SegmentName, segment: SegmentName }),
  z
    .string()
    .regex(SEGMENT_REF, 'must be "scheme/segment", e.g. "loyalty/points_savers"')
    .transform((value) => {
      const [, scheme = '', segment = ''] = SEGMENT_REF.exec(value) ?? [];
      return { scheme, segment };
    }),
]);
export type SegmentRef = z.infer<typeof SegmentRef>;

/**
 * Who the campaign targets: members in the segments (any of them, or all with `match: all`),
 * narrowed by a rule over features and declared values, less the members of `exclude`.
 */
export const Audience = z.strictObject({
  segments: z.array(SegmentRef).min(1, 'must name at least one segment').max(50),
  match: z.enum(['any', 'all']).default('any'),
  /** A segment rule (DESIGN.md §3) every member must also match, e.g. `{ feature: "declared.interest", op: "contains", value: "coffee" }`. */
  filter: SegmentRule.optional(),
  exclude: z.array(SegmentRef).max(50).default([]),
});
export type Audience = z.infer<typeof Audience>;

/** The offer kinds of DESIGN.md §4 step 2; `none` for a message without one (a points statement). */
export const OfferKind = z.enum([
  'discount_percent',
  'discount_amount',
  'points_multiplier',
  'bonus_points',
  'reward_at_fewer_points',
  'free_shipping',
  'experiential',
  'early_access',
  'none',
]);
export type OfferKind = z.infer<typeof OfferKind>;

export const Offer = z.strictObject({
  kind: OfferKind,
  /** 20 for 20% off, 2 for double points, 500 bonus points; text for an experiential offer. */
  value: z.union([z.number().nonnegative().max(1e9), text(200)]).optional(),
  /** What one redemption costs the program, for cost per acquisition. */
  unitCost: Amount,
  description: text(500).optional(),
  /** A code the message can print ({{ offer.code }}). */
  code: text(64).optional(),
});
export type Offer = z.infer<typeof Offer>;

/** Largest template, in characters. */
export const MAX_TEMPLATE_CHARS = 20_000;

const Template = z.string().max(MAX_TEMPLATE_CHARS, `must be at most ${MAX_TEMPLATE_CHARS} characters`);

/** A dotted token path as templates write it: `member.first_name`, `features.points_balance`. */
export const TokenPath = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]*(?:\.[a-z0-9_][a-z0-9_:.-]*)*$/,
    'must be a dotted token path such as member.first_name',
  );

/**
 * One message as Liquid templates. A token without a value prints its entry in `defaults`, else
 * `fallback` (never "undefined").
 */
export const MessageTemplate = z.strictObject({
  /** Email subject, or push title; required for email. */
  subject: Template.optional(),
  body: Template.min(1, 'must not be empty'),
  defaults: z.record(TokenPath, text(500)).default({}),
  fallback: text(500).default(''),
});
export type MessageTemplate = z.infer<typeof MessageTemplate>;

/** A variant name: lower-case slug. */
export const VariantName = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[a-z][a-z0-9_-]*$/, 'must be a lower-case slug such as "a" or "bonus-first"');

/** An A/B/n arm: its share of the treated members (weights are relative) and its message per channel. */
export const Variant = z.strictObject({
  name: VariantName,
  weight: z.number().positive().max(1000).default(1),
  messages: z.partialRecord(Channel, MessageTemplate),
});
export type Variant = z.infer<typeof Variant>;

const LocalTime = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time HH:MM');

/**
 * When messages go out:
 * - `now`: at launch (quiet hours still defer);
 * - `local_time`: on a date at a wall-clock time in each member's own time zone;
 * - `recurring`: every day, week (ISO weekday 1-7) or month (day 1-28) at a local time, until a date;
 * - `on_entry`: when a member enters a segment, after a delay.
 */
export const Schedule = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('now') }),
  z.strictObject({ kind: z.literal('local_time'), date: CalendarDate, time: LocalTime }),
  z.strictObject({
    kind: z.literal('recurring'),
    every: z.enum(['day', 'week', 'month']),
    /** ISO weekday (1 = Monday) for `week`, day of the month (1-28) for `month`. */
    day: z.number().int().min(1).max(28).optional(),
    time: LocalTime,
    starts: CalendarDate.optional(),
    until: CalendarDate.optional(),
  }),
  z.strictObject({
    kind: z.literal('on_entry'),
    segment: SegmentRef,
    delayHours: z
      .number()
      .min(0)
      .max(24 * 365)
      .default(0),
  }),
]);
export type Schedule = z.infer<typeof Schedule>;

/** At most `maxMessages` marketing messages per member on one channel in any rolling `windowHours`. */
export const FrequencyCap = z.strictObject({
  maxMessages: z.number().int().min(0).max(1000),
  windowHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 366),
});
export type FrequencyCap = z.infer<typeof FrequencyCap>;

/** A campaign name: lower-case slug, unique within the program. */
export const CampaignName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be a lower-case slug such as "winback-2024-06"');

/** The default share of the audience held out as the control group. */
export const DEFAULT_HOLDOUT_SHARE = 0.1;

/** Longest attribution window a campaign may ask for, in days. */
export const MAX_ATTRIBUTION_WINDOW_DAYS = 90;

/**
 * How the campaign's results are measured (docs/measurement.md): the attribution window after the
 * send (7 days when absent) and what one sent message costs per channel (0 when absent).
 */
export const CampaignMeasurement = z.strictObject({
  windowDays: z.number().int().min(1).max(MAX_ATTRIBUTION_WINDOW_DAYS).optional(),
  messageCost: z.partialRecord(Channel, Amount).optional(),
});
export type CampaignMeasurement = z.infer<typeof CampaignMeasurement>;

/** A campaign as written by a marketer, before approval. */
export const CampaignDefinition = z
  .strictObject({
    name: CampaignName,
    label: text(200).optional(),
    goal: CampaignGoal,
    audience: Audience,
    offer: Offer,
    /** Channels in the order to try them when the member has declared no consented preference. */
    channels: z.array(Channel).min(1, 'must name at least one channel').max(4),
    purpose: Purpose.default('marketing'),
    variants: z.array(Variant).min(1, 'must have at least one variant').max(26),
    schedule: Schedule.default({ kind: 'now' }),
    /** Share of the audience never sent, kept as the control group (0 to 0.5). */
    holdout: z.number().min(0).max(0.5).default(DEFAULT_HOLDOUT_SHARE),
    /** Caps stricter than the program's, per channel. */
    frequencyCaps: z.partialRecord(Channel, FrequencyCap).default({}),
    measurement: CampaignMeasurement.optional(),
  })
  .superRefine((definition, ctx) => {
    const { schedule } = definition;
    if (schedule.kind === 'recurring' && schedule.every === 'week' && (schedule.day ?? 1) > 7) {
      ctx.addIssue({
        code: 'custom',
        path: ['schedule', 'day'],
        message: 'must be an ISO weekday 1-7 for a weekly schedule',
      });
    }
    const channels = new Set(definition.channels);
    if (channels.size !== definition.channels.length) {
      ctx.addIssue({ code: 'custom', path: ['channels'], message: 'must not name a channel twice' });
    }
    const names = new Set<string>();
    definition.variants.forEach((variant, i) => {
      if (names.has(variant.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['variants', i, 'name'],
          message: `"${variant.name}" is used twice`,
        });
      }
      names.add(variant.name);
      for (const channel of definition.channels) {
        const message = variant.messages[channel];
        if (message === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['variants', i, 'messages', channel],
            message: `must have a ${channel} message: the campaign sends on ${channel}`,
          });
        } else if (channel === 'email' && message.subject === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['variants', i, 'messages', channel, 'subject'],
            message: 'an email needs a subject',
          });
        }
      }
    });
  });
export type CampaignDefinition = z.infer<typeof CampaignDefinition>;
/** A definition as written, before defaults are filled in. */
export type CampaignDefinitionInput = z.input<typeof CampaignDefinition>;

/** Where a campaign is in its life; only `draft` can change, and a change of an approved one makes a new version. */
export const CampaignStatus = z.enum(['draft', 'approved', 'scheduled', 'running', 'completed', 'cancelled']);
export type CampaignStatus = z.infer<typeof CampaignStatus>;

/** One problem with a definition: its JSON path, and its line and column in the file or template. */
export const DefinitionIssue = z.object({
  path: z.string(),
  message: z.string(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
});
export type DefinitionIssue = z.infer<typeof DefinitionIssue>;

/** Clock windows in which no marketing message may arrive, in the member's own time zone. */
export const QuietHours = z.strictObject({ start: LocalTime, end: LocalTime });
export type QuietHours = z.infer<typeof QuietHours>;

/** A program's send rules; campaigns may be stricter, never looser. */
export const GovernancePolicy = z.strictObject({
  frequencyCaps: z.partialRecord(Channel, FrequencyCap),
  quietHours: QuietHours.nullable(),
  /** Zone of members who have none. */
  defaultTimezone: TimeZone,
  /** Declaration keys whose values must never select or personalise (health, religion, ...). */
  sensitiveDeclarationKeys: z.array(Key),
  /** Point balances at which rewards unlock, ascending; `points.to_next_reward` counts to the next. */
  rewardThresholds: z.array(z.number().int().positive()),
});
export type GovernancePolicy = z.infer<typeof GovernancePolicy>;

/** A stored campaign version as the API and CLI show it. */
export const CampaignView = z.object({
  id: z.string(),
  programId: z.string(),
  name: z.string(),
  version: z.number().int(),
  status: CampaignStatus,
  definition: CampaignDefinition,
  createdAt: z.string(),
  approvedAt: z.string().nullable(),
  approvedBy: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  /** The version this one replaced, when an approved campaign was changed. */
  supersedes: z.string().nullable(),
});
export type CampaignView = z.infer<typeof CampaignView>;

/** One member's decision as preview, launch and `why` show it. */
export const MemberDecision = z.object({
  memberId: z.string(),
  arm: z.enum(['holdout', 'treatment']),
  variant: z.string().nullable(),
  outcome: z.enum(['send', 'deferred', 'excluded', 'holdout']),
  excludedBy: z.string().nullable(),
  channel: Channel.nullable(),
  sendAt: z.string().nullable(),
  rules: z.array(
    z.object({ rule: z.string(), outcome: z.enum(['pass', 'fail', 'defer']), detail: z.string() }),
  ),
  message: z.object({ recipient: z.string(), subject: z.string().optional(), body: z.string() }).nullable(),
});
export type MemberDecision = z.infer<typeof MemberDecision>;

/** What a launch would do, before it does it. */
export const CampaignPreview = z.object({
  campaign: z.string(),
  /** Members in the segments, matching the filter, less exclusions. */
  audience: z.number().int(),
  /** Members each rule excluded (the first rule that failed for each). */
  excluded: z.record(z.string(), z.number().int()),
  holdout: z.number().int(),
  /** Members who would be sent, with those deferred by quiet hours among them. */
  send: z.number().int(),
  deferred: z.number().int(),
  variants: z.record(z.string(), z.number().int()),
  channels: z.record(z.string(), z.number().int()),
  samples: z.array(MemberDecision),
});
export type CampaignPreview = z.infer<typeof CampaignPreview>;

/** What a launch did. */
export const LaunchResult = CampaignPreview.omit({ samples: true }).extend({
  status: CampaignStatus,
  /** Messages written to the outbox by this launch (a re-run writes none twice). */
  queued: z.number().int(),
});
export type LaunchResult = z.infer<typeof LaunchResult>;
