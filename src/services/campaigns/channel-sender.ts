import type { Channel } from '../../contracts/records.ts';

/** One message as a channel receives it. */
export interface OutgoingMessage {
  /** The same for every attempt at this message: a channel that sees it twice must deliver once. */
  idempotencyKey: string;
  programId: string;
  campaign: string;
  /** The member's external id. */
  memberId: string;
  channel: Channel;
  recipient: string;
  subject: string | null;
  /** The rendered text; for email its links already point through signed click redirects. */
  body: string;
  /** Email only: the HTML part, with tracked links and the open pixel. */
  html?: string | undefined;
  /** A signed one-click unsubscribe link for this member, channel and campaign (RFC 8058 for email). */
  unsubscribeUrl: string;
}

/** What a channel said: accepted (with its own id), or refused, and whether trying again may help. */
export type SendOutcome = { ok: true; providerId: string } | { ok: false; retryable: boolean; error: string };

/** A delivery channel (SMTP email, an SMS or push webhook, ...). */
export interface ChannelSender {
  send(message: OutgoingMessage): Promise<SendOutcome>;
}

/** The senders a worker has, by channel; a message for a channel without one waits. */
export type ChannelSenders = Partial<Record<Channel, ChannelSender>>;
