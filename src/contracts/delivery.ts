import { z } from 'zod';
import { Channel } from './records.ts';
import { ExternalId, Timestamp } from './scalars.ts';

// Delivery settings and feedback (issue 5): per-channel rate limits and webhook endpoints of a
// program, and the bounce and complaint reports an email provider sends back.

/** Channels delivered through a signed webhook to an endpoint the program configures. */
export const WebhookChannel = z.enum(['sms', 'push', 'in_app']);
export type WebhookChannel = z.infer<typeof WebhookChannel>;

/** Largest rate limit a channel can be given, in messages per second. */
export const MAX_RATE_PER_SECOND = 10_000;

/**
 * A change to one channel's settings. `url` (SMS, push, in-app only) is where the worker POSTs
 * signed messages; `null` removes it. `ratePerSecond` caps messages per second on the channel;
 * `null` removes the cap. `rotateSecret` makes a new signing secret for an endpoint.
 */
export const ChannelSettingsChange = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .max(2000)
    .nullable()
    .optional(),
  ratePerSecond: z.number().positive().max(MAX_RATE_PER_SECOND).nullable().optional(),
  rotateSecret: z.boolean().optional(),
});
export type ChannelSettingsChange = z.infer<typeof ChannelSettingsChange>;

/** A channel's settings as read back; the secret is never part of it. */
export const ChannelSettingsView = z.object({
  channel: Channel,
  url: z.string().nullable(),
  ratePerSecond: z.number().nullable(),
  hasSecret: z.boolean(),
  updatedAt: z.string(),
});
export type ChannelSettingsView = z.infer<typeof ChannelSettingsView>;

/** The answer to a change: the view, and the signing secret when one was just made (shown once). */
export const ChannelSettingsResult = ChannelSettingsView.extend({ secret: z.string().optional() });
export type ChannelSettingsResult = z.infer<typeof ChannelSettingsResult>;

/**
 * One report from an email provider. `messageId` is the message's idempotency key (its
 * `X-Narrowcast-Idempotency-Key` header, also the local part of its Message-ID). A `hard` bounce
 * (the address does not exist) suppresses the address; a `soft` one (mailbox full) is only recorded.
 */
export const FeedbackEvent = z.strictObject({
  /** The provider's id for this report: the same id sent again records nothing new. */
  id: ExternalId,
  type: z.enum(['delivered', 'bounced', 'complained']),
  messageId: z.string().min(1).max(200),
  occurredAt: Timestamp,
  bounce: z.enum(['hard', 'soft']).optional(),
});
export type FeedbackEvent = z.infer<typeof FeedbackEvent>;

/** Most reports in one feedback request. */
export const MAX_FEEDBACK_EVENTS = 1000;

export const FeedbackBatch = z.strictObject({
  events: z.array(FeedbackEvent).min(1).max(MAX_FEEDBACK_EVENTS),
});
export type FeedbackBatch = z.infer<typeof FeedbackBatch>;

/** What a feedback request did. */
export const FeedbackResult = z.object({
  recorded: z.number().int(),
  duplicates: z.number().int(),
  suppressed: z.number().int(),
  consentsRevoked: z.number().int(),
});
export type FeedbackResult = z.infer<typeof FeedbackResult>;
