import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { testCli } from '../../../test/fixtures/cli.ts';
import { freshProgramId, openTestDatabase } from '../../../test/fixtures/database.ts';
import { testDeps } from '../../../test/fixtures/programs.ts';
import { ERROR_CODES } from '../../contracts/errors.ts';
import { CreatedWebhook, WebhookView } from '../../contracts/segments.ts';
import { createProgram } from '../../services/create-program.ts';

const database = await openTestDatabase();
// A clock past every other suite's, so no other suite's delivery worker claims these rows.
const deps = { ...testDeps(database), clock: () => new Date('2031-01-01T00:00:00Z') };
afterAll(() => database.close());
const { run } = testCli(deps);

const bodies: string[] = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => {
    body += chunk.toString();
  });
  req.on('end', () => {
    bodies.push(body);
    res.writeHead(200).end();
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('narrowcast webhooks', () => {
  it('creates a webhook printing its secret once, lists it without, delivers due rows, and disables it', async () => {
    const programId = freshProgramId('cli');
    await createProgram(deps, { programId });
    const created = await run('webhooks', 'create', '--program', programId, '--url', url);
    expect(created.code, created.stderr).toBe(0);
    const secret = created.stdout.split('\n')[0] as string;
    expect(secret).toMatch(/^whsec_/);
    expect(created.stdout).toContain('not shown again');

    const listed = await run('webhooks', 'list', '--program', programId, '--json');
    expect(listed.stdout).not.toContain(secret);
    const [webhook] = (JSON.parse(listed.stdout) as unknown[]).map((w) => WebhookView.parse(w));
    expect(webhook?.url).toBe(url);

    await deps.db
      .insertInto('webhook_deliveries')
      .values({
        id: `${programId}-d1`,
        program_id: programId,
        webhook_id: webhook?.id as string,
        payload: JSON.stringify({ id: `${programId}-d1`, type: 'segment.entered' }),
        next_attempt_at: new Date('2031-01-01'),
      })
      .execute();
    const delivered = await run('webhooks', 'deliver', '--program', programId, '--json');
    expect(delivered.code, delivered.stderr).toBe(0);
    expect(JSON.parse(delivered.stdout)).toEqual({ claimed: 1, delivered: 1, retrying: 0, gaveUp: 0 });
    expect(bodies).toContain(JSON.stringify({ id: `${programId}-d1`, type: 'segment.entered' }));

    const disabled = await run('webhooks', 'disable', webhook?.id as string, '--program', programId);
    expect(disabled.stdout).toContain(`Disabled webhook ${webhook?.id}`);
  });

  it('prints the created webhook as JSON and refuses an unknown event type', async () => {
    const programId = freshProgramId('cli');
    await createProgram(deps, { programId });
    const created = await run(
      'webhooks',
      'create',
      '--program',
      programId,
      '--url',
      url,
      '--events',
      'segment.left',
      '--json',
    );
    expect(CreatedWebhook.parse(JSON.parse(created.stdout)).events).toEqual(['segment.left']);
    const bad = await run(
      'webhooks',
      'create',
      '--program',
      programId,
      '--url',
      url,
      '--events',
      'segment.moved',
    );
    expect(bad.code).toBe(ERROR_CODES.INVALID_INPUT.exit);
    expect(bad.stderr).toContain('events[0]');
  });

  it('delivers from the outbox while "serve" runs', async () => {
    // serve's worker delivers every program's due rows: a clock before every other suite's keeps
    // it to this test's row.
    const early = { ...deps, clock: () => new Date('2020-01-01T00:00:00Z') };
    const programId = freshProgramId('cli');
    await createProgram(early, { programId });
    const created = CreatedWebhook.parse(
      JSON.parse((await run('webhooks', 'create', '--program', programId, '--url', url, '--json')).stdout),
    );
    const payload = JSON.stringify({ id: `${programId}-serve`, type: 'segment.left' });
    await early.db
      .insertInto('webhook_deliveries')
      .values({
        id: `${programId}-serve`,
        program_id: programId,
        webhook_id: created.id,
        payload,
        next_attempt_at: new Date('2019-12-31T00:00:00Z'),
      })
      .execute();
    const cli = testCli(early);
    const running = cli.run('serve', '--port', '0', '--host', '127.0.0.1');
    for (let i = 0; i < 500 && !bodies.includes(payload); i++) await new Promise((r) => setTimeout(r, 20));
    process.emit('SIGINT');
    const result = await running;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Webhook deliveries: on');
    expect(bodies).toContain(payload);
    const row = await early.db
      .selectFrom('webhook_deliveries')
      .select(['delivered_at', 'attempts'])
      .where('id', '=', `${programId}-serve`)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ delivered_at: new Date('2020-01-01T00:00:00Z'), attempts: 1 });
  });

  it('answers 66 for a webhook of another program', async () => {
    const programId = freshProgramId('cli');
    await createProgram(deps, { programId });
    const result = await run('webhooks', 'disable', 'wh_nope', '--program', programId);
    expect(result.code).toBe(ERROR_CODES.NOT_FOUND.exit);
  });
});
