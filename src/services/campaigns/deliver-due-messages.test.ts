import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { TEST_NOW, testDeps } from '../../../test/fixtures/programs.ts';
import { mailHeaders, startSmtpPeer } from '../../../test/fixtures/smtp-peer.ts';
import { ingestBatch } from '../ingest-batch.ts';
import { approveCampaign } from './approve-campaign.ts';
import { campaignTestProgram } from './campaign-test-program.ts';
import { createCampaign } from './create-campaign.ts';
import { deliverDueMessages } from './deliver-due-messages.ts';
import { launchCampaign } from './launch-campaign.ts';
import { linkSecret } from './link-secret.ts';
import { createSmtpEmailSender } from './smtp-email-sender.ts';
import { readUnsubscribeToken } from './unsubscribe-link.ts';

// Email goes through a real SMTP server started here (the smtp-server package as the receiving
// peer); the assertions read what it received, headers included.

const database = await openTestDatabase();
const deps = testDeps(database);

const peer = await startSmtpPeer();
beforeEach(() => peer.reset());
afterAll(async () => {
  await peer.close();
  await database.close();
});

const publicUrl = 'https://news.example/';
const sender = () =>
  createSmtpEmailSender({
    url: peer.url,
    from: 'Coffee Club <news@coffee.example>',
    messageIdDomain: 'coffee.example',
  });
const at = (iso: string) => ({ ...deps, clock: () => new Date(iso) });

async function launched(
  members = [
    { id: 'M1', consent: ['email' as const] },
    { id: 'M7', consent: ['email' as const], timezone: 'Europe/London' },
  ],
) {
  const programId = await campaignTestProgram(deps, members);
  await createCampaign(deps, {
    programId,
    source: {
      value: {
        name: 'nudge',
        goal: 'redeem',
        audience: { segments: ['loyalty/points_savers'] },
        offer: { kind: 'none', unitCost: 0 },
        channels: ['email'],
        holdout: 0,
        variants: [
          {
            name: 'a',
            messages: { email: { subject: 'Hello {{ member.id }}', body: 'Your points statement.' } },
          },
        ],
      },
    },
  });
  await approveCampaign(deps, { programId, name: 'nudge', approvedBy: 'test' });
  await launchCampaign(deps, { programId, name: 'nudge' });
  return programId;
}

const messagesTo = peer.messagesTo;
const headers = mailHeaders;

describe('delivering email over SMTP', () => {
  it('sends due messages with their idempotency key and one-click unsubscribe headers, and records them sent', async () => {
    const programId = await launched();
    const email = sender();
    // At launch time only M1 is due; M7 (London, 01:00) waits for the end of quiet hours.
    const first = await deliverDueMessages(deps, { programId, senders: { email }, publicUrl });
    expect(first).toEqual({ claimed: 1, sent: 1, retried: 0, failed: 0, withdrawn: 0 });
    const [message] = messagesTo('m1@example.com');
    expect(message).toBeDefined();
    const h = headers(message?.raw ?? '');
    expect(h.subject).toBe('Hello M1');
    expect(h.from).toBe('Coffee Club <news@coffee.example>');
    expect(h['message-id']).toMatch(/^<ncm_[\w-]{32}@coffee\.example>$/);
    expect(h['x-narrowcast-idempotency-key']).toBe(h['message-id']?.slice(1, 37));
    expect(h['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const url = /^<(https:\/\/news\.example\/u\/([^>]+))>$/.exec(h['list-unsubscribe'] ?? '');
    expect(url).not.toBeNull();
    const secret = await linkSecret(deps.db, programId, TEST_NOW);
    expect(readUnsubscribeToken(url?.[2] ?? '', secret)).toEqual({
      programId,
      memberId: 'M1',
      channel: 'email',
      campaign: 'nudge',
    });
    expect(readUnsubscribeToken(url?.[2] ?? '', 'another secret')).toBeUndefined();

    const events = await deps.db
      .selectFrom('message_events')
      .select(['type', 'channel', 'campaign_id'])
      .where('program_id', '=', programId)
      .where('type', '=', 'sent')
      .execute();
    expect(events).toEqual([{ type: 'sent', channel: 'email', campaign_id: 'nudge' }]);

    // After 08:00 London time the deferred message goes; nothing goes twice.
    expect(
      await deliverDueMessages(at('2024-06-01T07:00:00Z'), { programId, senders: { email }, publicUrl }),
    ).toMatchObject({ sent: 1 });
    expect(
      await deliverDueMessages(at('2024-06-01T09:00:00Z'), { programId, senders: { email }, publicUrl }),
    ).toMatchObject({ claimed: 0 });
    expect(messagesTo('m1@example.com')).toHaveLength(1);
    expect(messagesTo('m7@example.com')).toHaveLength(1);
    email.close();
  });

  it('retries a temporary refusal with backoff and gives up on a permanent one', async () => {
    const programId = await launched([{ id: 'M1', consent: ['email'] }]);
    const email = sender();
    peer.refuse(451);
    expect(
      await deliverDueMessages(deps, { programId, senders: { email }, publicUrl, backoffSeconds: 60 }),
    ).toMatchObject({
      retried: 1,
    });
    const row = await deps.db
      .selectFrom('outbox')
      .select(['status', 'next_attempt_at', 'attempts'])
      .where('program_id', '=', programId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.next_attempt_at.getTime()).toBe(TEST_NOW.getTime() + 60_000);
    // Not due yet: nothing is claimed.
    expect(await deliverDueMessages(deps, { programId, senders: { email }, publicUrl })).toMatchObject({
      claimed: 0,
    });
    peer.refuse(550);
    expect(
      await deliverDueMessages(at('2024-06-01T00:01:00Z'), { programId, senders: { email }, publicUrl }),
    ).toMatchObject({ failed: 1 });
    const failed = await deps.db
      .selectFrom('outbox')
      .select(['status', 'last_error'])
      .where('program_id', '=', programId)
      .executeTakeFirstOrThrow();
    expect(failed.status).toBe('failed');
    expect(failed.last_error).toContain('mailbox unavailable');
    email.close();
  });

  it('retries a message whose worker died mid-send once its lease ends, with the same idempotency key', async () => {
    const programId = await launched([{ id: 'M1', consent: ['email'] }]);
    // A worker claims the message and dies before sending.
    await deps.db
      .updateTable('outbox')
      .set({ status: 'sending', attempts: 1, locked_until: new Date('2024-06-01T00:05:00Z') })
      .where('program_id', '=', programId)
      .execute();
    const email = sender();
    expect(await deliverDueMessages(deps, { programId, senders: { email }, publicUrl })).toMatchObject({
      claimed: 0,
    });
    expect(
      await deliverDueMessages(at('2024-06-01T00:06:00Z'), { programId, senders: { email }, publicUrl }),
    ).toMatchObject({ sent: 1 });
    const [message] = messagesTo('m1@example.com');
    expect(messagesTo('m1@example.com')).toHaveLength(1);
    const key = await deps.db
      .selectFrom('outbox')
      .select('idempotency_key')
      .where('program_id', '=', programId)
      .executeTakeFirstOrThrow();
    expect(headers(message?.raw ?? '')['x-narrowcast-idempotency-key']).toBe(key.idempotency_key);
    email.close();
  });

  it('does not send a waiting message to a member who unsubscribed after the launch decided', async () => {
    const programId = await launched();
    await ingestBatch(deps, {
      programId,
      kind: 'message-events',
      records: [
        {
          id: 'u-late',
          memberId: 'M7',
          occurredAt: '2024-06-01T03:00:00Z',
          type: 'unsubscribed',
          channel: 'email',
        },
      ],
    });
    const email = sender();
    const pass = await deliverDueMessages(at('2024-06-01T07:00:00Z'), {
      programId,
      senders: { email },
      publicUrl,
    });
    expect(pass).toMatchObject({ sent: 1, withdrawn: 1 });
    expect(messagesTo('m7@example.com')).toEqual([]);
    const row = await deps.db
      .selectFrom('outbox as o')
      .innerJoin('members as m', (j) =>
        j.onRef('m.program_id', '=', 'o.program_id').onRef('m.member_id', '=', 'o.member_id'),
      )
      .select(['o.status', 'o.last_error'])
      .where('o.program_id', '=', programId)
      .where('m.external_id', '=', 'M7')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'cancelled', last_error: 'unsubscribed from email before send' });
    email.close();
  });
});
