import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { TEST_NOW, testDeps } from '../../../test/fixtures/programs.ts';
import { campaignTestProgram } from '../campaigns/campaign-test-program.ts';
import { deliverDueMessages } from '../campaigns/deliver-due-messages.ts';
import { runDeliveryLoop } from '../campaigns/run-delivery-loop.ts';
import type { Log } from '../deps.ts';
import { verifySignature } from '../webhooks/webhook-signature.ts';
import { configureChannel } from './configure-channel.ts';
import { launchDeliveryCampaign } from './delivery-test-campaign.ts';
import { createWebhookChannelSender, type WebhookChannelPayload } from './webhook-channel-sender.ts';

// SMS messages go to a real HTTP server started here; it answers with the statuses a test queues.

const database = await openTestDatabase();
const deps = testDeps(database);

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}
const received: Received[] = [];
/** Statuses for the next requests; `hang` never answers. After the queue, 200. */
const answers: (number | 'hang')[] = [];
const hanging: ServerResponse[] = [];
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    received.push({ headers: request.headers, body: Buffer.concat(chunks).toString() });
    const answer = answers.shift() ?? 200;
    if (answer === 'hang') {
      hanging.push(response);
      return;
    }
    response.writeHead(answer, { 'content-type': 'application/json' });
    response.end(answer < 300 ? JSON.stringify({ id: `gw-${received.length}` }) : '{"error":"no"}');
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms?token=gateway-key`;

beforeEach(() => {
  received.length = 0;
  answers.length = 0;
});
afterAll(async () => {
  for (const response of hanging) response.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await database.close();
});

const publicUrl = 'https://news.example/';
const sms = createWebhookChannelSender(deps.db, { clock: deps.clock, timeoutMs: 500 });
const outbox = (programId: string) =>
  deps.db.selectFrom('outbox').selectAll().where('program_id', '=', programId).orderBy('member_id').execute();

/** A program of SMS-consented members with its SMS endpoint set, and a campaign launched to them. */
async function smsProgram(members = 2): Promise<{ programId: string; secret: string }> {
  const programId = await campaignTestProgram(
    deps,
    Array.from({ length: members }, (_, i) => ({ id: `M${i + 1}`, consent: ['sms' as const] })),
  );
  // The endpoint comes first: a launch does not choose a channel the program cannot deliver on.
  const configured = await configureChannel(deps, { programId, channel: 'sms', input: { url: endpoint } });
  await launchDeliveryCampaign(deps, { channel: 'sms', programId });
  return { programId, secret: configured.secret as string };
}

describe('delivering SMS through a signed webhook', () => {
  it('POSTs each message with its idempotency key and an HMAC signature, and records it sent', async () => {
    const { programId, secret } = await smsProgram(1);
    expect(secret).toMatch(/^chsec_/);
    const pass = await deliverDueMessages(deps, { programId, senders: { sms }, publicUrl });
    expect(pass).toMatchObject({ claimed: 1, sent: 1 });
    const [request] = received;
    const [row] = await outbox(programId);
    expect(request?.headers['idempotency-key']).toBe(row?.idempotency_key);
    const signature = String(request?.headers['narrowcast-signature']);
    expect(verifySignature(secret, request?.body ?? '', signature, TEST_NOW.getTime() / 1000)).toBe(true);
    expect(verifySignature('chsec_other', request?.body ?? '', signature, TEST_NOW.getTime() / 1000)).toBe(
      false,
    );
    const payload = JSON.parse(request?.body ?? '{}') as WebhookChannelPayload;
    expect(payload).toMatchObject({
      id: row?.idempotency_key,
      programId,
      campaign: 'nudge',
      channel: 'sms',
      memberId: 'M1',
      recipient: '+44 20 7946 0000',
      body: 'Your points statement, M1.',
    });
    expect(payload.unsubscribeUrl).toMatch(/^https:\/\/news\.example\/u\//);
    expect(row).toMatchObject({ status: 'sent', provider_id: 'gw-1' });
    const events = await deps.db
      .selectFrom('message_events')
      .select(['type', 'channel', 'message_id'])
      .where('program_id', '=', programId)
      .execute();
    expect(events).toEqual([{ type: 'sent', channel: 'sms', message_id: row?.idempotency_key }]);
  });

  it('retries a 5xx and a timeout with the same idempotency key, and fails a 4xx for good', async () => {
    const { programId } = await smsProgram(3);
    answers.push(503, 'hang', 400);
    const first = await deliverDueMessages(deps, {
      programId,
      senders: { sms },
      publicUrl,
      backoffSeconds: 60,
    });
    expect(first).toMatchObject({ claimed: 3, sent: 0, retried: 2, failed: 1 });
    // The worker claims due rows in no promised order: pair each answer with its request.
    const rows = await outbox(programId);
    const byKey = new Map(rows.map((r) => [r.idempotency_key, r]));
    const [unavailable, timedOut, refused] = received.map((r) =>
      byKey.get(String(r.headers['idempotency-key'])),
    );
    expect(unavailable).toMatchObject({ status: 'pending', attempts: 1 });
    expect(unavailable?.last_error).toMatch(/^HTTP 503 from http:\/\/127\.0\.0\.1:\d+\/sms$/);
    expect(timedOut).toMatchObject({ status: 'pending', attempts: 1 });
    expect(timedOut?.last_error).toMatch(/^no answer in 500 ms/);
    expect(refused).toMatchObject({ status: 'failed' });
    expect(refused?.last_error).toMatch(/^HTTP 400/);
    // Nothing is due until the backoff has passed.
    expect(await deliverDueMessages(deps, { programId, senders: { sms }, publicUrl })).toMatchObject({
      claimed: 0,
    });
    const later = { ...deps, clock: () => new Date(TEST_NOW.getTime() + 61_000) };
    const second = await deliverDueMessages(later, { programId, senders: { sms }, publicUrl });
    expect(second).toMatchObject({ claimed: 2, sent: 2 });
    const retriedKeys = received.slice(3).map((r) => String(r.headers['idempotency-key']));
    expect(retriedKeys.sort()).toEqual([unavailable?.idempotency_key, timedOut?.idempotency_key].sort());
    expect((await outbox(programId)).map((r) => r.status).sort()).toEqual(['failed', 'sent', 'sent']);
  });

  it('leaves messages waiting while the program has no endpoint for the channel', async () => {
    const { programId } = await smsProgram(2);
    // The endpoint is removed after the launch chose SMS: the queued messages wait for a new one.
    await configureChannel(deps, { programId, channel: 'sms', input: { url: null } });
    expect(await deliverDueMessages(deps, { programId, senders: { sms }, publicUrl })).toMatchObject({
      claimed: 0,
    });
    expect((await outbox(programId)).map((r) => r.status)).toEqual(['pending', 'pending']);
    await configureChannel(deps, { programId, channel: 'sms', input: { url: endpoint } });
    expect(await deliverDueMessages(deps, { programId, senders: { sms }, publicUrl })).toMatchObject({
      sent: 2,
    });
  });

  it('never writes the signing secret or the endpoint query to the log or the outbox', async () => {
    const { programId, secret } = await smsProgram(2);
    answers.push(500);
    const lines: string[] = [];
    const log: Log = {
      info: (m, f) => lines.push(`${m} ${JSON.stringify(f)}`),
      warn: (m, f) => lines.push(`${m} ${JSON.stringify(f)}`),
      error: (m, f) => lines.push(`${m} ${JSON.stringify(f)}`),
    };
    await runDeliveryLoop(
      { ...deps, log },
      { programId, senders: { sms }, publicUrl, untilIdle: true, signal: new AbortController().signal },
    );
    expect(lines.length).toBeGreaterThan(0);
    const stored = JSON.stringify(await outbox(programId));
    for (const text of [...lines, stored]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain('gateway-key');
    }
  });
});

describe('per-channel rate limits', () => {
  it('spaces the sends on a channel at the program’s rate', async () => {
    const { programId } = await smsProgram(5);
    await configureChannel(deps, { programId, channel: 'sms', input: { ratePerSecond: 2 } });
    let now = TEST_NOW.getTime();
    const clocked = { ...deps, clock: () => new Date(now) };
    const slept: number[] = [];
    const pass = await deliverDueMessages(clocked, {
      programId,
      senders: { sms },
      publicUrl,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
    });
    expect(pass).toMatchObject({ claimed: 5, sent: 5 });
    expect(slept).toEqual([500, 500, 500, 500]);
    const sentAt = (await outbox(programId)).map((r) => (r.sent_at as Date).getTime() - TEST_NOW.getTime());
    expect(sentAt.sort((a, b) => a - b)).toEqual([0, 500, 1000, 1500, 2000]);
  });

  it('hands a message back, due later, when the wait would outlast half its lease', async () => {
    const { programId } = await smsProgram(2);
    await configureChannel(deps, { programId, channel: 'sms', input: { ratePerSecond: 0.001 } });
    const pass = await deliverDueMessages(deps, {
      programId,
      senders: { sms },
      publicUrl,
      sleep: () => Promise.reject(new Error('must not wait')),
    });
    expect(pass).toMatchObject({ claimed: 2, sent: 1 });
    const waiting = (await outbox(programId)).find((r) => r.status === 'pending');
    expect(waiting?.attempts).toBe(0);
    expect(waiting?.next_attempt_at.getTime()).toBe(TEST_NOW.getTime() + 1_000_000);
  });
});
