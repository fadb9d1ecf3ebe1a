import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { testCli } from '../../../test/fixtures/cli.ts';
import { freshProgramId, openTestDatabase } from '../../../test/fixtures/database.ts';
import { programCounts, testDeps } from '../../../test/fixtures/programs.ts';
import { ERROR_CODES } from '../../contracts/errors.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());

async function until<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('narrowcast demo', () => {
  it('loads a small deterministic demo program, and loading it again changes nothing', async () => {
    const { run } = testCli(deps);
    const programId = freshProgramId('demo');
    const args = [
      'demo',
      '--program',
      programId,
      '--members',
      '5',
      '--seed',
      '7',
      '--as-of',
      '2024-06-01',
      '--json',
    ];
    const first = await run(...args);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    const result = JSON.parse(first.stdout) as {
      programId: string;
      members: number;
      now: string;
      records: Record<string, number>;
    };
    expect(result).toMatchObject({ programId, members: 5, seed: 7, now: '2024-06-01T00:00:00.000Z' });
    const counts = await programCounts(deps, programId);
    expect(counts.members).toBe(5);
    expect(result.records.purchases).toBe(counts.purchases);
    const again = await run(...args);
    expect(again.code).toBe(0);
    expect(await programCounts(deps, programId)).toEqual(counts);
  });

  it('refuses a member count, seed or date that is not valid with a usage error', async () => {
    const { run, sessions } = testCli(deps);
    for (const [args, message] of [
      [['--members', '0'], '--members must be a positive whole number'],
      [['--members', 'lots'], '--members must be a positive whole number'],
      [['--seed', '1.5'], '--seed must be a whole number'],
      [['--as-of', 'yesterday'], '--as-of must be a date YYYY-MM-DD'],
    ] as const) {
      const result = await run('demo', ...args);
      expect(result.code, args.join(' ')).toBe(ERROR_CODES.USAGE.exit);
      expect(result.stderr).toBe(`error: ${message}\n`);
    }
    expect(sessions.opened).toBe(0);
  });
});

describe('narrowcast serve', () => {
  it('serves the HTTP API until it is told to stop, then closes the database', async () => {
    const listeners = process.listenerCount('SIGINT') + process.listenerCount('SIGTERM');
    const cli = testCli(deps);
    const running = cli.run('serve', '--port', '0', '--host', '127.0.0.1', '--no-delivery');
    const url = await until(() => /running at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(cli.printed().stdout)?.[1]);
    expect((await fetch(`${url}health`)).status).toBe(200);
    const anonymous = await fetch(`${url}v1/programs/demo/members/m1`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    expect(((await (await fetch(`${url}openapi.json`)).json()) as { openapi: string }).openapi).toBe('3.1.0');
    process.emit('SIGINT');
    expect((await running).code).toBe(0);
    expect(cli.sessions).toEqual({ opened: 1, closed: 1 });
    expect(process.listenerCount('SIGINT') + process.listenerCount('SIGTERM')).toBe(listeners);
  });

  it('exits with one line, and closes the database, when the port is taken', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    try {
      const cli = testCli(deps);
      const result = await cli.run('serve', '--port', String(port), '--host', '127.0.0.1');
      expect(result.code).toBe(ERROR_CODES.USAGE.exit);
      expect(result.stderr).toBe(
        `error: cannot listen on 127.0.0.1:${port}: the address is in use; choose another --port\n`,
      );
      expect(cli.sessions).toEqual({ opened: 1, closed: 1 });
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('refuses a port that is not one with a usage error, before opening the database', async () => {
    const { run, sessions } = testCli(deps);
    for (const port of ['70000', 'http', '-1']) {
      const result = await run('serve', '--port', port);
      expect(result.code).toBe(ERROR_CODES.USAGE.exit);
      expect(result.stderr).toBe('error: --port must be 0-65535\n');
    }
    expect(sessions.opened).toBe(0);
  });
});
