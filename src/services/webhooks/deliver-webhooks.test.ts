import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshProgramId, openTestDatabase } from '../../../test/fixtures/database.ts';
import type { SegmentTransitionEvent } from '../../contracts/segments.ts';
import { createProgram } from '../create-program.ts';
import { type Deps, silentLog } from '../deps.ts';
import { createWebhook } from './create-webhook.ts';
import { deliverWebhooks } from './deliver-webhooks.ts';
import { disableWebhook } from './disable-webhook.ts';
import { listWebhooks } from './list-webhooks.ts';
import { DEFAULT_DELIVERY_POLICY, retryDelayMs } from './retry-policy.ts';
import { verifySignature } from './webhook-signature.ts';
import { deliverAllDue } from './webhook-worker.ts';

const database = await openTestDatabase();
afterAll(() => database.close());

/**
 * Deliveries here fall due in 2030, later than any other suite's clock reaches, so that a worker
 * started by another suite over the same server database (`serve`) never claims them.
 */
const TEST_NOW = new Date('2030-01-01T00:00:00Z');

/** Deps whose clock a test moves by hand. */
function clockedDeps(start = TEST_NOW) {
  let now = start;
  const deps: Deps = { db: database.db, clock: () => now, log: silentLog };
  return {
    deps,
    set: (at: Date) => {
      now = at;
    },
  };
}

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real local HTTP receiver; `answer` decides each status from the requests so far. */
const received: Received[] = [];
let answer: (request: Received, index: number) => number | 'hang' = () => 200;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const request = { path: req.url ?? '', headers: req.headers, body };
      received.push(request);
      const status = answer(request, received.filter((r) => r.path === request.path).length - 1);
      if (status === 'hang') return;
      res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A program with a webhook at a path of its own on the receiver. */
async function programWithWebhook(deps: Deps) {
  const programId = freshProgramId('wh');
  await createProgram(deps, { programId });
  const path = `/hook/${programId}`;
  const webhook = await createWebhook(deps, { programId, input: { url: `${baseUrl}${path}` } });
  return { programId, path, webhook };
}

function event(programId: string, id = `d-${randomUUID()}`): SegmentTransitionEvent {
  return {
    id,
    type: 'segment.entered',
    programId,
    memberId: 'm1',
    scheme: 'loyalty',
    segment: 'vips',
    at: '2024-05-31T12:00:00.000Z',
    cause: 'event',
    explanation: 'VIPs: CLV percentile 93 ≥ 80',
  };
}

/** Queues a delivery as the segment upkeep does: id = idempotency id, due now. */
async function enqueue(deps: Deps, programId: string, webhookId: string, payload = event(programId)) {
  await deps.db
    .insertInto('webhook_deliveries')
    .values({
      id: payload.id,
      program_id: programId,
      webhook_id: webhookId,
      payload: JSON.stringify(payload),
      next_attempt_at: deps.clock(),
    })
    .execute();
  return payload;
}

const row = (deps: Deps, id: string) =>
  deps.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

const policy = { baseDelayMs: 10_000, maxDelayMs: 60_000, maxAttempts: 5, timeoutMs: 2000 };

describe('deliverWebhooks', () => {
  it('POSTs the payload signed with the webhook secret and an idempotency key, and records it delivered', async () => {
    const { deps } = clockedDeps();
    const { programId, path, webhook } = await programWithWebhook(deps);
    const payload = await enqueue(deps, programId, webhook.id);
    answer = () => 204;

    const round = await deliverWebhooks(deps, { programId, policy });
    expect(round).toEqual({ claimed: 1, delivered: 1, retrying: 0, gaveUp: 0 });

    const [request] = received.filter((r) => r.path === path);
    expect(request).toBeDefined();
    const { headers, body } = request as Received;
    expect(JSON.parse(body)).toEqual(payload);
    expect(headers['content-type']).toBe('application/json');
    expect(headers['idempotency-key']).toBe(payload.id);
    // Verified independently of the signing code: HMAC-SHA256 of "t.body" with the secret.
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(headers['narrowcast-signature']));
    expect(match).not.toBeNull();
    const [, t, v1] = match as RegExpExecArray;
    expect(Number(t)).toBe(Math.floor(TEST_NOW.getTime() / 1000));
    expect(v1).toBe(createHmac('sha256', webhook.secret).update(`${t}.${body}`).digest('hex'));
    expect(verifySignature(webhook.secret, body, String(headers['narrowcast-signature']), Number(t))).toBe(
      true,
    );
    expect(verifySignature('whsec_other', body, String(headers['narrowcast-signature']), Number(t))).toBe(
      false,
    );
    expect(
      verifySignature(webhook.secret, `${body} `, String(headers['narrowcast-signature']), Number(t)),
    ).toBe(false);
    expect(
      verifySignature(webhook.secret, body, String(headers['narrowcast-signature']), Number(t) + 301),
    ).toBe(false);

    expect(await row(deps, payload.id)).toMatchObject({
      attempts: 1,
      last_error: null,
      delivered_at: TEST_NOW,
    });
    expect(await deliverWebhooks(deps, { programId, policy })).toMatchObject({ claimed: 0 });
    expect(received.filter((r) => r.path === path)).toHaveLength(1);
  });

  it('retries after a 500 at the backoff time with the same idempotency key and body, then delivers', async () => {
    const { deps, set } = clockedDeps();
    const { programId, path, webhook } = await programWithWebhook(deps);
    const payload = await enqueue(deps, programId, webhook.id);
    answer = (_request, index) => (index === 0 ? 500 : 200);

    expect(await deliverWebhooks(deps, { programId, policy, random: () => 0.5 })).toEqual({
      claimed: 1,
      delivered: 0,
      retrying: 1,
      gaveUp: 0,
    });
    const failed = await row(deps, payload.id);
    expect(failed).toMatchObject({ attempts: 1, last_error: 'HTTP 500', delivered_at: null });
    // First retry window 10 s, drawn at 0.5 of its upper half: 7.5 s.
    expect(failed.next_attempt_at.getTime() - TEST_NOW.getTime()).toBe(7500);

    set(new Date(TEST_NOW.getTime() + 7499));
    expect(await deliverWebhooks(deps, { programId, policy })).toMatchObject({ claimed: 0 });
    set(failed.next_attempt_at);
    expect(await deliverWebhooks(deps, { programId, policy })).toMatchObject({ claimed: 1, delivered: 1 });

    const requests = received.filter((r) => r.path === path);
    expect(requests).toHaveLength(2);
    expect(requests.map((r) => r.headers['idempotency-key'])).toEqual([payload.id, payload.id]);
    expect(requests[1]?.body).toBe(requests[0]?.body);
    expect(requests[1]?.headers['narrowcast-signature']).not.toBe(
      requests[0]?.headers['narrowcast-signature'],
    );
    expect(await row(deps, payload.id)).toMatchObject({
      attempts: 2,
      last_error: null,
      delivered_at: failed.next_attempt_at,
    });
  });

  it('backs off exponentially up to the cap and gives up after the last attempt, recording why', async () => {
    const { deps, set } = clockedDeps();
    const { programId, path, webhook } = await programWithWebhook(deps);
    const payload = await enqueue(deps, programId, webhook.id);
    answer = () => 503;
    const delays: number[] = [];
    let at = TEST_NOW;
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
      set(at);
      const round = await deliverWebhooks(deps, { programId, policy, random: () => 0.999_999 });
      expect(round.claimed).toBe(1);
      const next = (await row(deps, payload.id)).next_attempt_at;
      delays.push(next.getTime() - at.getTime());
      at = next;
    }
    // Windows 10, 20, 40, 60 (cap), 60 s, each drawn at the top of its upper half.
    expect(delays.slice(0, 4)).toEqual([10_000, 20_000, 40_000, 60_000]);
    const given = await row(deps, payload.id);
    expect(given.attempts).toBe(5);
    expect(given.last_error).toBe('gave up after 5 attempts: HTTP 503');
    set(new Date(at.getTime() + 24 * 3600_000));
    expect(await deliverWebhooks(deps, { programId, policy })).toMatchObject({ claimed: 0 });
    expect(received.filter((r) => r.path === path)).toHaveLength(5);
    const [listed] = await listWebhooks(deps, { programId, maxAttempts: policy.maxAttempts });
    expect(listed).toMatchObject({ pending: 0, delivered: 0, failed: 1 });
  });

  it('counts a receiver that does not answer in time as a failed attempt', async () => {
    const { deps } = clockedDeps();
    const { programId, webhook } = await programWithWebhook(deps);
    const payload = await enqueue(deps, programId, webhook.id);
    answer = () => 'hang';
    const round = await deliverWebhooks(deps, { programId, policy: { ...policy, timeoutMs: 200 } });
    expect(round).toMatchObject({ claimed: 1, retrying: 1 });
    expect((await row(deps, payload.id)).last_error).toBe('no answer within 200 ms');
  });

  it('records a refused connection as a failed attempt', async () => {
    const { deps } = clockedDeps();
    const programId = freshProgramId('wh');
    await createProgram(deps, { programId });
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const webhook = await createWebhook(deps, { programId, input: { url: `http://127.0.0.1:${port}/x` } });
    const payload = await enqueue(deps, programId, webhook.id);
    expect(await deliverWebhooks(deps, { programId, policy })).toMatchObject({ retrying: 1 });
    expect((await row(deps, payload.id)).last_error).toBe('ECONNREFUSED');
  });

  it('sends nothing for a disabled webhook', async () => {
    const { deps } = clockedDeps();
    const { programId, path, webhook } = await programWithWebhook(deps);
    await enqueue(deps, programId, webhook.id);
    await disableWebhook(deps, { programId, webhookId: webhook.id });
    answer = () => 200;
    expect(await deliverWebhooks(deps, { programId, policy })).toMatchObject({ claimed: 0 });
    expect(received.filter((r) => r.path === path)).toHaveLength(0);
  });

  it('leaves another program’s deliveries alone when asked for one program', async () => {
    const { deps } = clockedDeps();
    const first = await programWithWebhook(deps);
    const second = await programWithWebhook(deps);
    await enqueue(deps, first.programId, first.webhook.id);
    const theirs = await enqueue(deps, second.programId, second.webhook.id);
    answer = () => 200;
    expect(await deliverWebhooks(deps, { programId: first.programId, policy })).toMatchObject({
      delivered: 1,
    });
    expect((await row(deps, theirs.id)).delivered_at).toBeNull();
    expect(received.filter((r) => r.path === second.path)).toHaveLength(0);
  });

  it('hands each due delivery to one of two concurrent workers only', async () => {
    const { deps } = clockedDeps();
    const { programId, path, webhook } = await programWithWebhook(deps);
    const ids = [];
    for (let i = 0; i < 12; i++) ids.push((await enqueue(deps, programId, webhook.id)).id);
    answer = () => 200;
    const small = { ...policy, batchSize: 5 };
    const rounds = await Promise.all([
      deliverAllDue(deps, { programId, policy: small }),
      deliverAllDue(deps, { programId, policy: small }),
    ]);
    expect(rounds[0].delivered + rounds[1].delivered).toBe(12);
    const keys = received.filter((r) => r.path === path).map((r) => r.headers['idempotency-key']);
    expect([...keys].sort()).toEqual([...ids].sort());
  });
});

describe('retryDelayMs', () => {
  it('stays in the upper half of a doubling window that never passes the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (failures, baseDelayMs, capExtra, random) => {
          const maxDelayMs = baseDelayMs + capExtra;
          const window = Math.min(maxDelayMs, baseDelayMs * 2 ** (failures - 1));
          const delay = retryDelayMs(failures, { baseDelayMs, maxDelayMs }, () => random);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(window / 2));
          expect(delay).toBeLessThanOrEqual(Math.ceil(window));
          expect(delay).toBeLessThanOrEqual(maxDelayMs);
        },
      ),
    );
  });

  it('spans about a day with the default policy', () => {
    const p = DEFAULT_DELIVERY_POLICY;
    let total = 0;
    let least = 0;
    for (let n = 1; n < p.maxAttempts; n++) {
      total += retryDelayMs(n, p, () => 0.999_999);
      least += retryDelayMs(n, p, () => 0);
    }
    expect(total / 3600_000).toBeCloseTo(29.4, 1);
    expect(least / 3600_000).toBeCloseTo(14.7, 1);
  });
});

describe('createWebhook, listWebhooks, disableWebhook', () => {
  it('shows the secret once and never lists it', async () => {
    const { deps } = clockedDeps();
    const { programId, webhook } = await programWithWebhook(deps);
    expect(webhook.secret).toMatch(/^whsec_[\w-]{43}$/);
    expect(webhook.events).toEqual(['segment.entered', 'segment.left']);
    const listed = await listWebhooks(deps, { programId });
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(webhook.secret);
    expect(listed[0]).not.toHaveProperty('secret');
  });

  it('rejects a URL that is not http(s) and unknown event types, with their paths', async () => {
    const { deps } = clockedDeps();
    const programId = freshProgramId('wh');
    await createProgram(deps, { programId });
    const error = await createWebhook(deps, {
      programId,
      input: { url: 'ftp://example.com/x', events: ['segment.entered', 'member.updated'] },
    }).then(
      () => undefined,
      (e: unknown) => e as { code: string; details: { issues: { path: string }[] } },
    );
    if (!error) throw new Error('expected a failure');
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.details.issues.map((i) => i.path)).toEqual(['url', 'events[1]']);
  });

  it('disables only a webhook of the same program', async () => {
    const { deps } = clockedDeps();
    const { programId, webhook } = await programWithWebhook(deps);
    const other = await programWithWebhook(deps);
    const refused = await disableWebhook(deps, { programId: other.programId, webhookId: webhook.id }).then(
      () => 'disabled',
      (e: unknown) => (e as { code: string }).code,
    );
    expect(refused).toBe('NOT_FOUND');
    const disabled = await disableWebhook(deps, { programId, webhookId: webhook.id });
    expect(disabled.disabledAt).toBe(TEST_NOW.toISOString());
    expect((await listWebhooks(deps, { programId }))[0]?.disabledAt).toBe(TEST_NOW.toISOString());
  });
});
