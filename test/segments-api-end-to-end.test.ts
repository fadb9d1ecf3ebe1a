import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { SegmentList, SegmentMembersPage, SegmentTransitionEvent } from '../src/contracts/segments.ts';
import { createApp } from '../src/http/app.ts';
import { refreshSegments } from '../src/services/segments/refresh-segments.ts';
import { testCli } from './fixtures/cli.ts';
import { openTestDatabase } from './fixtures/database.ts';
import { postJson } from './fixtures/http.ts';
import { programWithKey, testDeps } from './fixtures/programs.ts';

// From events to the segment API: events ingested over HTTP keep memberships current (the
// ingest upkeep), the reads show them, a custom segment joins at the next refresh, and each
// transition reaches a webhook signed and with its idempotency key.

const database = await openTestDatabase();
// Just after every event below: what "now" is for the features and the lifecycle stages.
const deps = { ...testDeps(database), clock: () => new Date('2024-07-01T00:00:00Z') };
afterAll(() => database.close());
const app = createApp(deps);
const { run } = testCli(deps);

const received: { headers: IncomingHttpHeaders; body: string }[] = [];
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => {
    body += chunk.toString();
  });
  req.on('end', () => {
    received.push({ headers: req.headers, body });
    res.writeHead(200).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

describe('segments end to end', () => {
  it('ingests events, lists the memberships they create, and delivers the transitions to a webhook', async () => {
    const { programId, key } = await programWithKey(deps);
    const hook = JSON.parse(
      (
        await run(
          'webhooks',
          'create',
          '--program',
          programId,
          '--json',
          '--url',
          `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/narrowcast`,
        )
      ).stdout,
    ) as { id: string; secret: string };

    const ingest = async (kind: string, records: object[]) => {
      const response = await postJson(app, `/v1/programs/${programId}/${kind}`, { records }, key);
      expect(response.status, await response.clone().text()).toBeLessThan(300);
    };
    await ingest('members', [
      { id: 'ada', joinedAt: '2024-01-01' },
      { id: 'bob', joinedAt: '2024-01-01' },
      { id: 'cy', joinedAt: '2024-01-01' },
    ]);
    const purchase = (memberId: string, id: string, at: string, amount: number) => ({
      id,
      memberId,
      occurredAt: at,
      currency: 'GBP',
      amount,
    });
    await ingest('purchases', [
      purchase('ada', 'o1', '2024-06-20T10:00:00Z', 900),
      purchase('ada', 'o2', '2024-06-25T10:00:00Z', 300),
      purchase('bob', 'o3', '2024-06-21T10:00:00Z', 40),
    ]);

    const list = SegmentList.parse(
      JSON.parse(
        (await run('segments', 'list', '--program', programId, '--scheme', 'lifecycle', '--json')).stdout,
      ),
    );
    const size = (name: string) => list.segments.find((s) => s.name === name)?.size;
    expect(size('prospect')).toBe(1);
    expect((size('new') ?? 0) + (size('active') ?? 0)).toBe(2);

    // A custom segment takes effect at the next refresh, which sees the definitions version move.
    const created = await run(
      'segments',
      'create',
      '--program',
      programId,
      '--scheme',
      'targets',
      '--name',
      'big_spenders',
      '--label',
      'Big spenders',
      '--rule',
      '{"feature": "monetary_total", "op": "gte", "value": 1000}',
    );
    expect(created.code, created.stderr).toBe(0);
    await refreshSegments(deps, { programId, asOf: new Date('2024-07-01T00:00:00Z') });
    const members = SegmentMembersPage.parse(
      JSON.parse(
        (await run('segments', 'members', 'targets/big_spenders', '--program', programId, '--json')).stdout,
      ),
    );
    expect(members.members.map((m) => m.memberId)).toEqual(['ada']);
    expect(members.members[0]?.explanation).toContain('1,200');

    // The upkeep queues deliveries due at the database's now(); the worker compares with its clock.
    const later = testCli({ ...deps, clock: () => new Date(Date.now() + 60_000) });
    const delivered = JSON.parse(
      (await later.run('webhooks', 'deliver', '--program', programId, '--json')).stdout,
    );
    expect(delivered.delivered).toBeGreaterThan(0);
    expect(delivered.delivered).toBe(delivered.claimed);
    const events = received.map((r) => SegmentTransitionEvent.parse(JSON.parse(r.body)));
    expect(events.every((e) => e.programId === programId)).toBe(true);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'segment.entered',
        memberId: 'ada',
        scheme: 'targets',
        segment: 'big_spenders',
      }),
    );
    for (const { headers, body } of received) {
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(String(headers['narrowcast-signature'])) ?? [];
      expect(v1).toBe(createHmac('sha256', hook.secret).update(`${t}.${body}`).digest('hex'));
      expect(headers['idempotency-key']).toBe(JSON.parse(body).id);
    }
  });
});
