import { z } from 'zod';
import {
  Amount,
  CalendarDate,
  Currency,
  decimalToUnits,
  ExternalId,
  Flag,
  integer,
  Key,
  MAX_AMOUNT_UNITS,
  Timestamp,
  TimeZone,
  text,
  unitsToDecimal,
} from './scalars.ts';

// Input records, one schema per record kind of DESIGN.md §1. CSV and NDJSON rows and HTTP batch
// items all pass through these, so a value is validated the same way wherever it comes from.

const MAX_AMOUNT = unitsToDecimal(MAX_AMOUNT_UNITS);

/** Most items one purchase may carry. */
export const MAX_ITEMS_PER_PURCHASE = 1000;

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' || value === null ? undefined : value), schema.optional());

const Email = z.string().max(254).email('must be an email address');
const Phone = z.string().regex(/^\+?[0-9 ()-]{4,24}$/, 'must be a phone number such as +44 20 7946 0000');
const Attributes = z
  .record(z.string().max(64), z.union([z.string().max(500), z.number(), z.boolean(), z.null()]))
  .refine((value) => Object.keys(value).length <= 50, 'must have at most 50 attributes');

export const MemberRecord = z.strictObject({
  id: ExternalId,
  joinedAt: optional(Timestamp),
  tier: optional(text(64)),
  timezone: optional(TimeZone),
  locale: optional(z.string().regex(/^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/, 'must be a locale such as en-GB')),
  email: optional(Email),
  phone: optional(Phone),
  pushToken: optional(text(512)),
  region: optional(text(128)),
  gender: optional(text(32)),
  birthday: optional(CalendarDate),
  accountId: optional(ExternalId),
  businessCategory: optional(text(128)),
  attributes: optional(Attributes),
});
export type MemberRecord = z.infer<typeof MemberRecord>;

export const AccountRecord = z.strictObject({
  id: ExternalId,
  name: text(200).min(1),
  category: optional(text(128)),
  attributes: optional(Attributes),
});
export type AccountRecord = z.infer<typeof AccountRecord>;

export const PurchaseItem = z.strictObject({
  sku: text(64).min(1),
  category: optional(text(128)),
  description: optional(text(500)),
  quantity: integer(1, 1_000_000),
  unitPrice: Amount,
  /** False for lines that are not goods (postage, fees, manual adjustments): kept, but not merchandise spend. */
  merchandise: optional(Flag).default(true),
});
export type PurchaseItem = z.infer<typeof PurchaseItem>;

export const PurchaseKind = z.enum(['order', 'refund']);

/**
 * An order, or a refund/cancellation as its own event. `amount` is the order total (or the amount
 * refunded, positive); when items are given and amount is not, it is their sum.
 */
export const PurchaseRecord = z
  .strictObject({
    id: ExternalId,
    memberId: ExternalId,
    occurredAt: Timestamp,
    kind: optional(PurchaseKind).default('order'),
    refundOf: optional(ExternalId),
    amount: optional(Amount),
    currency: optional(Currency),
    items: optional(z.array(PurchaseItem).max(MAX_ITEMS_PER_PURCHASE)),
  })
  .superRefine((value, ctx) => {
    if (value.amount === undefined && (value.items === undefined || value.items.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: 'is required when there are no items' });
    }
    // Each line's quantity x unitPrice, and their sum, are stored as money too.
    let total = 0n;
    for (const [i, item] of (value.items ?? []).entries()) {
      const line = BigInt(item.quantity) * decimalToUnits(item.unitPrice);
      total += line;
      if (line > MAX_AMOUNT_UNITS) {
        ctx.addIssue({
          code: 'custom',
          path: ['items', i, 'quantity'],
          message: `times unitPrice is more than ${MAX_AMOUNT}`,
        });
        return;
      }
    }
    if (total > MAX_AMOUNT_UNITS) {
      ctx.addIssue({ code: 'custom', path: ['items'], message: `add up to more than ${MAX_AMOUNT}` });
    }
    if (value.refundOf !== undefined && value.kind !== 'refund') {
      ctx.addIssue({ code: 'custom', path: ['refundOf'], message: 'is only allowed on a refund' });
    }
  });
export type PurchaseRecord = z.infer<typeof PurchaseRecord>;

export const PointsType = z.enum(['earn', 'redeem', 'expire', 'adjust']);

/** A points-ledger entry. `points` is positive for earn/redeem/expire; an adjustment carries its sign. */
export const PointsRecord = z
  .strictObject({
    id: ExternalId,
    memberId: ExternalId,
    occurredAt: Timestamp,
    type: PointsType,
    points: integer(-100_000_000, 100_000_000),
    reason: optional(Key),
    reward: optional(text(128)),
    orderId: optional(ExternalId),
  })
  .superRefine((value, ctx) => {
    if (value.type !== 'adjust' && value.points <= 0) {
      ctx.addIssue({ code: 'custom', path: ['points'], message: `must be positive for type ${value.type}` });
    }
    if (value.type === 'adjust' && value.points === 0) {
      ctx.addIssue({ code: 'custom', path: ['points'], message: 'must not be zero' });
    }
  });
export type PointsRecord = z.infer<typeof PointsRecord>;

export const EngagementKind = z.enum([
  'review',
  'share',
  'referral',
  'ugc',
  'challenge',
  'app_open',
  'event_attended',
]);
export type EngagementKind = z.infer<typeof EngagementKind>;

export const EngagementRecord = z.strictObject({
  id: ExternalId,
  memberId: ExternalId,
  occurredAt: Timestamp,
  kind: EngagementKind,
  detail: optional(text(1000)),
});
export type EngagementRecord = z.infer<typeof EngagementRecord>;

export const SurveyKind = z.enum(['csat', 'nps']);

/** A survey answer: CSAT 1-5 or NPS 0-10. */
export const SurveyRecord = z
  .strictObject({
    id: ExternalId,
    memberId: ExternalId,
    occurredAt: Timestamp,
    kind: SurveyKind,
    score: integer(0, 10),
    comment: optional(text(2000)),
  })
  .superRefine((value, ctx) => {
    if (value.kind === 'csat' && (value.score < 1 || value.score > 5)) {
      ctx.addIssue({ code: 'custom', path: ['score'], message: 'must be between 1 and 5 for csat' });
    }
  });
export type SurveyRecord = z.infer<typeof SurveyRecord>;

/** Zero-party data: what the member told the brand (interest, channel_pref, value, quiz answer...). */
export const DeclarationRecord = z.strictObject({
  id: ExternalId,
  memberId: ExternalId,
  occurredAt: Timestamp,
  key: Key,
  value: text(200).min(1),
  source: optional(Key).default('import'),
});
export type DeclarationRecord = z.infer<typeof DeclarationRecord>;

export const Channel = z.enum(['email', 'sms', 'push', 'in_app']);
export type Channel = z.infer<typeof Channel>;
export const Purpose = z.enum(['marketing', 'service']);
export type Purpose = z.infer<typeof Purpose>;

/** One entry of the consent ledger; entries are never overwritten. */
export const ConsentRecord = z.strictObject({
  id: ExternalId,
  memberId: ExternalId,
  occurredAt: Timestamp,
  channel: Channel,
  purpose: Purpose,
  status: z.enum(['granted', 'revoked']),
  source: optional(Key).default('import'),
});
export type ConsentRecord = z.infer<typeof ConsentRecord>;

export const MessageEventType = z.enum([
  'sent',
  'delivered',
  'opened',
  'clicked',
  'bounced',
  'complained',
  'unsubscribed',
]);

export const MessageEventRecord = z.strictObject({
  id: ExternalId,
  memberId: ExternalId,
  occurredAt: Timestamp,
  type: MessageEventType,
  channel: Channel,
  campaignId: optional(ExternalId),
  messageId: optional(ExternalId),
  url: optional(text(2000)),
});
export type MessageEventRecord = z.infer<typeof MessageEventRecord>;

/** The record kinds that can be ingested, by their name in URLs and on the command line. */
export const RECORD_SCHEMAS = {
  members: MemberRecord,
  accounts: AccountRecord,
  purchases: PurchaseRecord,
  points: PointsRecord,
  engagement: EngagementRecord,
  surveys: SurveyRecord,
  declarations: DeclarationRecord,
  consents: ConsentRecord,
  'message-events': MessageEventRecord,
} as const;

export type RecordKind = keyof typeof RECORD_SCHEMAS;
export const RecordKind = z.enum(Object.keys(RECORD_SCHEMAS) as [RecordKind, ...RecordKind[]]);

/** The parsed record type of each kind. */
export type RecordOf = { [K in RecordKind]: z.infer<(typeof RECORD_SCHEMAS)[K]> };

/** The event kinds (everything but members and accounts, which are state rather than events). */
export const EVENT_KINDS = [
  'purchases',
  'points',
  'engagement',
  'surveys',
  'declarations',
  'consents',
  'message-events',
] as const satisfies readonly RecordKind[];
