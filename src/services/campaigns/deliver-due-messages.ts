import { sql } from 'kysely';
import type { Channel, Purpose } from '../../contracts/records.ts';
import type { OutboxTable } from '../../db/schema.ts';
import { hasConsent } from '../../domain/campaigns/choose-channel.ts';
import { RateLimiter } from '../delivery/rate-limiter.ts';
import { DEFAULT_TRACKING_LINK_DAYS, trackEmail } from '../delivery/tracking-links.ts';
import type { Deps } from '../deps.ts';
import type { ChannelSenders } from './channel-sender.ts';
import { linkSecret } from './link-secret.ts';
import { unsubscribeUrl } from './unsubscribe-link.ts';

// One pass of the delivery worker over the outbox (ADR 0013). Due messages are claimed with a
// lease (FOR UPDATE SKIP LOCKED, so workers never claim the same row), handed to their channel with
// their idempotency key, and marked sent together with a `sent` message event; a refusal is
// retried with exponential backoff until the attempts run out. A worker that dies mid-send leaves
// its rows `sending` until the lease ends; the next worker then retries them with the same key.
// Each program's per-channel rate (delivery_channels.rate_per_second) spaces the sends; an email's
// links are rewritten to signed click redirects and an open pixel is added (ADR 0025). SMS, push and
// in-app messages are claimed only once the program has configured an endpoint for the channel.

/** How a delivery pass behaves; every number has a default. */
export interface DeliveryOptions {
  senders: ChannelSenders;
  /** Only this program's messages (default: every program's). */
  programId?: string | undefined;
  /** The public address of the HTTP server, where one-click unsubscribe links point. */
  publicUrl: string;
  /** Messages claimed per pass (default 100). */
  batchSize?: number;
  /** How long a claim holds before another worker may retry the message, in seconds (default 300). */
  leaseSeconds?: number;
  /** Attempts before a message is marked failed (default 8). */
  maxAttempts?: number;
  /** First retry delay in seconds, doubled per attempt (default 30). */
  backoffSeconds?: number;
  /** Keeps the spacing of sends per program and channel across passes (the loop hands in one). */
  limiter?: RateLimiter;
  /** Waits between rate-limited sends (default: a timer); tests hand in one that moves their clock. */
  sleep?: (ms: number) => Promise<void>;
  /** Stops the pass early: rows not yet sent are handed back untouched. */
  signal?: AbortSignal;
  /** Days an email's tracking links work after it is sent (default 90). */
  trackingLinkDays?: number;
}

/** What one pass did. */
export interface DeliveryPass {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  /** Messages not sent because the member revoked consent or unsubscribed after the launch decided. */
  withdrawn: number;
}

type Claimed = Pick<
  OutboxTable,
  | 'program_id'
  | 'campaign'
  | 'step'
  | 'member_id'
  | 'channel'
  | 'purpose'
  | 'idempotency_key'
  | 'recipient'
  | 'subject'
  | 'body'
> & { id: number; attempts: number };

/** Delivers the messages due now; returns what it did. Safe to run from several workers at once. */
export async function deliverDueMessages(
  deps: Pick<Deps, 'db' | 'clock'>,
  options: DeliveryOptions,
): Promise<DeliveryPass> {
  const now = deps.clock();
  const batchSize = options.batchSize ?? 100;
  const leaseUntil = new Date(now.getTime() + (options.leaseSeconds ?? 300) * 1000);
  const channels = Object.keys(options.senders);
  if (channels.length === 0) return { claimed: 0, sent: 0, retried: 0, failed: 0, withdrawn: 0 };
  // The due rows are picked once (an InitPlan) and then updated by id. As `id IN (subquery)`, the
  // planner, with statistics from before a launch filled the outbox, re-ran the subquery for every
  // row of the outbox: 50 s a claim after a launch of 57,000 messages.
  const claimed = await sql<Claimed>`
    UPDATE outbox SET status = 'sending', locked_until = ${leaseUntil}, attempts = attempts + 1
    WHERE id = ANY (ARRAY(
      SELECT id FROM outbox
      WHERE status IN ('pending', 'sending')
        AND next_attempt_at <= ${now}
        AND (locked_until IS NULL OR locked_until < ${now})
        AND channel IN (${sql.join(channels)})
        AND (channel = 'email' OR EXISTS (
          SELECT 1 FROM delivery_channels d
          WHERE d.program_id = outbox.program_id AND d.channel = outbox.channel AND d.endpoint_url IS NOT NULL))
        ${options.programId === undefined ? sql`` : sql`AND program_id = ${options.programId}`}
      ORDER BY next_attempt_at
      LIMIT ${batchSize}
      FOR UPDATE SKIP LOCKED
    ))
    RETURNING id, program_id, campaign, step, member_id, channel, purpose, idempotency_key, recipient, subject, body, attempts`.execute(
    deps.db,
  );
  const pass: DeliveryPass = { claimed: claimed.rows.length, sent: 0, retried: 0, failed: 0, withdrawn: 0 };
  const secrets = new Map<string, string>();
  const rates = await channelRates(deps, [...new Set(claimed.rows.map((r) => r.program_id))]);
  const limiter = options.limiter ?? new RateLimiter();
  const sleep = options.sleep ?? ((ms: number) => pause(ms, options.signal));
  // A wait longer than half the lease hands the row back instead, due when the channel has room.
  const maxWaitMs = ((options.leaseSeconds ?? 300) * 1000) / 2;
  for (const row of claimed.rows) {
    const sender = options.senders[row.channel as Channel];
    const rateKey = `${row.program_id}\u0000${row.channel}`;
    const rate = rates.get(rateKey);
    if (sender === undefined || options.signal?.aborted) {
      await release(deps, row, now);
      continue;
    }
    const member = await deps.db
      .selectFrom('members')
      .select('external_id')
      .where('program_id', '=', row.program_id)
      .where('member_id', '=', row.member_id)
      .executeTakeFirst();
    const memberId = member?.external_id ?? String(row.member_id);
    const withdrawn = await consentWithdrawn(deps, row);
    if (withdrawn) {
      await deps.db
        .updateTable('outbox')
        .set({ status: 'cancelled', locked_until: null, last_error: withdrawn })
        .where('id', '=', row.id)
        .execute();
      pass.withdrawn++;
      continue;
    }
    // A message that will not go does not use the channel's rate.
    if (rate !== undefined) {
      const wait = limiter.delay(rateKey, deps.clock().getTime());
      if (wait > maxWaitMs) {
        await release(deps, row, new Date(deps.clock().getTime() + wait));
        continue;
      }
      if (wait > 0) await sleep(wait);
      if (options.signal?.aborted) {
        await release(deps, row, now);
        continue;
      }
      limiter.take(rateKey, rate, deps.clock().getTime());
    }
    let secret = secrets.get(row.program_id);
    if (secret === undefined) {
      secret = await linkSecret(deps.db, row.program_id, now);
      secrets.set(row.program_id, secret);
    }
    const tracked =
      row.channel === 'email'
        ? trackEmail({
            body: row.body,
            baseUrl: options.publicUrl,
            programId: row.program_id,
            messageId: row.idempotency_key,
            secret,
            expires:
              Math.floor(deps.clock().getTime() / 1000) +
              (options.trackingLinkDays ?? DEFAULT_TRACKING_LINK_DAYS) * 86_400,
          })
        : undefined;
    const outcome = await sender.send({
      idempotencyKey: row.idempotency_key,
      programId: row.program_id,
      campaign: row.campaign,
      memberId,
      channel: row.channel as Channel,
      recipient: row.recipient,
      subject: row.subject,
      body: tracked?.text ?? row.body,
      html: tracked?.html,
      unsubscribeUrl: unsubscribeUrl(
        options.publicUrl,
        { programId: row.program_id, memberId, channel: row.channel, campaign: row.campaign },
        secret,
      ),
    });
    const at = deps.clock();
    if (outcome.ok) {
      await deps.db.transaction().execute(async (tx) => {
        await tx
          .updateTable('outbox')
          .set({
            status: 'sent',
            sent_at: at,
            provider_id: outcome.providerId,
            locked_until: null,
            last_error: null,
          })
          .where('id', '=', row.id)
          .execute();
        await tx
          .insertInto('message_events')
          .values({
            program_id: row.program_id,
            event_id: `sent:${row.idempotency_key}`,
            member_id: row.member_id,
            occurred_at: at,
            payload_hash: row.idempotency_key,
            type: 'sent',
            channel: row.channel,
            campaign_id: row.campaign,
            message_id: row.idempotency_key,
            url: null,
          })
          .onConflict((oc) => oc.columns(['program_id', 'event_id']).doNothing())
          .execute();
      });
      pass.sent++;
    } else if (outcome.retryable && row.attempts < (options.maxAttempts ?? 8)) {
      const delay = (options.backoffSeconds ?? 30) * 2 ** (row.attempts - 1) * 1000;
      await deps.db
        .updateTable('outbox')
        .set({
          status: 'pending',
          locked_until: null,
          next_attempt_at: new Date(at.getTime() + delay),
          last_error: outcome.error,
        })
        .where('id', '=', row.id)
        .execute();
      pass.retried++;
    } else {
      await deps.db
        .updateTable('outbox')
        .set({ status: 'failed', locked_until: null, last_error: outcome.error })
        .where('id', '=', row.id)
        .execute();
      pass.failed++;
    }
  }
  return pass;
}

/**
 * Governance is decided at launch, but a message may wait (quiet hours, a local time): the ledger is
 * read again just before sending, and a revocation or unsubscribe since then stops the message.
 */
async function consentWithdrawn(deps: Pick<Deps, 'db'>, row: Claimed): Promise<string | undefined> {
  const consents = await deps.db
    .selectFrom('consents')
    .select(['channel', 'purpose', 'status', 'occurred_at'])
    .where('program_id', '=', row.program_id)
    .where('member_id', '=', row.member_id)
    .where('channel', '=', row.channel)
    .where('purpose', '=', row.purpose)
    .execute();
  const consent = hasConsent(
    consents.map((c) => ({
      channel: c.channel as Channel,
      purpose: c.purpose as Purpose,
      status: c.status,
      at: c.occurred_at,
    })),
    row.channel as Channel,
    row.purpose as Purpose,
  );
  if (!consent.consented) return `no ${row.purpose} consent on ${row.channel} at send time`;
  const unsubscribed = await deps.db
    .selectFrom('message_events')
    .select('event_id')
    .where('program_id', '=', row.program_id)
    .where('member_id', '=', row.member_id)
    .where('channel', '=', row.channel)
    .where('type', '=', 'unsubscribed')
    .where('occurred_at', '>', consent.grantedAt ?? new Date(0))
    .executeTakeFirst();
  return unsubscribed ? `unsubscribed from ${row.channel} before send` : undefined;
}

/** The rate limits of these programs' channels, by program and channel. */
async function channelRates(deps: Pick<Deps, 'db'>, programIds: string[]): Promise<Map<string, number>> {
  if (programIds.length === 0) return new Map();
  const rows = await deps.db
    .selectFrom('delivery_channels')
    .select(['program_id', 'channel', 'rate_per_second'])
    .where('program_id', 'in', programIds)
    .where('rate_per_second', 'is not', null)
    .execute();
  return new Map(rows.map((r) => [`${r.program_id}\u0000${r.channel}`, r.rate_per_second as number]));
}

/** Gives a claimed row back untouched, due at `dueAt` (no sender, stopping, or the channel's rate is used up). */
async function release(deps: Pick<Deps, 'db'>, row: Claimed, dueAt: Date): Promise<void> {
  await deps.db
    .updateTable('outbox')
    .set({ status: 'pending', locked_until: null, attempts: row.attempts - 1, next_attempt_at: dueAt })
    .where('id', '=', row.id)
    .execute();
}

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
