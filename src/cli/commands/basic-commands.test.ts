import { afterAll, describe, expect, it } from 'vitest';
import { testCli } from '../../../test/fixtures/cli.ts';
import { freshProgramId, openTestDatabase } from '../../../test/fixtures/database.ts';
import { get, postJson } from '../../../test/fixtures/http.ts';
import { programWithKey, sampleRecords, TEST_NOW, testDeps } from '../../../test/fixtures/programs.ts';
import { ApiKeyInfo } from '../../contracts/api-keys.ts';
import { ERROR_CODES } from '../../contracts/errors.ts';
import { MemberView } from '../../contracts/member-view.ts';
import { createApp } from '../../http/app.ts';
import { parseKey } from '../../services/api-keys/key-format.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());
const { run, sessions } = testCli(deps);

describe('narrowcast init', () => {
  it('creates the program named by --program and says so', async () => {
    const programId = freshProgramId();
    const result = await run('init', '--program', programId, '--name', 'Coffee Club', '--currency', 'EUR');
    expect(result).toEqual({ code: 0, stdout: `Created program "${programId}".\n`, stderr: '' });
    const program = await deps.db
      .selectFrom('programs')
      .selectAll()
      .where('id', '=', programId)
      .executeTakeFirstOrThrow();
    expect(program).toMatchObject({ name: 'Coffee Club', currency: 'EUR', as_of: null });
  });

  it('prints JSON with --json and keeps a fixed as-of date', async () => {
    const programId = freshProgramId();
    const result = await run('init', '--program', programId, '--as-of', '2011-12-10', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ programId, created: true });
    const program = await deps.db
      .selectFrom('programs')
      .select('as_of')
      .where('id', '=', programId)
      .executeTakeFirstOrThrow();
    expect(program.as_of?.toISOString()).toBe('2011-12-10T00:00:00.000Z');
  });

  it('refuses to create a program twice with a usage error', async () => {
    const programId = freshProgramId();
    await run('init', '--program', programId);
    const again = await run('init', '--program', programId);
    expect(again.code).toBe(ERROR_CODES.USAGE.exit);
    expect(again.stderr).toBe(`error: program "${programId}" already exists\n`);
  });

  it('refuses a program id, currency or date that is not valid, naming the flag, before opening the database', async () => {
    const opened = sessions.opened;
    for (const [args, flag] of [
      [['--program', 'Not A Slug'], '--program'],
      [['--program', freshProgramId(), '--currency', 'euro'], '--currency'],
      [['--program', freshProgramId(), '--as-of', '2011-02-30'], '--as-of'],
    ] as const) {
      const result = await run('init', ...args);
      expect(result.code).toBe(ERROR_CODES.USAGE.exit);
      expect(result.stderr).toMatch(new RegExp(`^error: ${flag} `));
    }
    expect(sessions.opened).toBe(opened);
  });
});

describe('narrowcast keys create', () => {
  it('prints the key once with --json and stores only its hash', async () => {
    const { programId } = await programWithKey(deps);
    const result = await run(
      'keys',
      'create',
      '--program',
      programId,
      '--scopes',
      'ingest,read,read',
      '--label',
      'shop',
      '--json',
    );
    expect(result.code, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout) as ApiKeyInfo & { key: string };
    expect(ApiKeyInfo.parse(printed)).toMatchObject({ programId, scopes: ['ingest', 'read'], label: 'shop' });
    expect(printed.key).toMatch(/^nck_[A-Za-z0-9_-]{12}_[A-Za-z0-9_-]{43}$/);
    expect(result.stdout.split(printed.key)).toHaveLength(2);
    const row = await deps.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', printed.id)
      .executeTakeFirstOrThrow();
    const secret = printed.key.slice(-43);
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row).toMatchObject({ program_id: programId, scopes: ['ingest', 'read'], revoked_at: null });
  });

  it('prints a key that the HTTP API accepts for exactly its scopes', async () => {
    const { programId, key: admin } = await programWithKey(deps);
    const app = createApp(deps);
    await postJson(
      app,
      `/v1/programs/${programId}/members`,
      { records: [sampleRecords('m1').members] },
      admin,
    );
    const result = await run('keys', 'create', '--program', programId, '--scopes', 'read');
    expect(result.code).toBe(0);
    const key = result.stdout.split('\n')[0] ?? '';
    expect(result.stdout).toContain('cannot be shown again');
    expect((await get(app, `/v1/programs/${programId}/members/m1`, key)).status).toBe(200);
    expect((await postJson(app, `/v1/programs/${programId}/members`, { records: [] }, key)).status).toBe(403);
  });

  it('refuses an unknown scope with a usage error naming the choices', async () => {
    const { programId } = await programWithKey(deps);
    const result = await run('keys', 'create', '--program', programId, '--scopes', 'read,admin');
    expect(result.code).toBe(ERROR_CODES.USAGE.exit);
    expect(result.stderr).toMatch(/^error: --scopes .*ingest.*read.*manage/);
    expect(result.stdout).toBe('');
  });

  it('refuses a missing --scopes with a usage error instead of ending the process', async () => {
    const result = await run('keys', 'create', '--program', 'p');
    expect(result.code).toBe(ERROR_CODES.USAGE.exit);
    expect(result.stderr).toContain("required option '--scopes <list>' not specified");
  });
});

describe('narrowcast members show', () => {
  async function programWithMember() {
    const program = await programWithKey(deps);
    const app = createApp(deps);
    const sample = sampleRecords('m1');
    for (const kind of ['members', 'purchases', 'points', 'engagement', 'declarations'] as const)
      await postJson(
        app,
        `/v1/programs/${program.programId}/${kind}`,
        { records: [sample[kind]] },
        program.key,
      );
    return program;
  }

  it('prints the member, their counts and totals as JSON with --json', async () => {
    const { programId } = await programWithMember();
    const result = await run('members', 'show', 'm1', '--program', programId, '--json');
    expect(result.code, result.stderr).toBe(0);
    const view = MemberView.strict().parse(JSON.parse(result.stdout));
    expect(Object.keys(view.totals).sort()).toEqual(Object.keys(MemberView.shape.totals.shape).sort());
    expect(view).toMatchObject({
      programId,
      member: { id: 'm1', tier: 'gold' },
      totals: {
        orders: 1,
        purchaseDays: 1,
        spend: '7.5000',
        merchandiseSpend: '2.5000',
        netMerchandiseSpend: '2.5000',
        refunds: 0,
        pointsBalance: 100,
        engagements: 1,
        declarations: 1,
        firstPurchaseAt: '2024-03-01T10:00:00.000Z',
        lastPurchaseAt: '2024-03-01T10:00:00.000Z',
      },
    });
  });

  it('prints a readable summary without --json', async () => {
    const { programId } = await programWithMember();
    const result = await run('members', 'show', 'm1', '--program', programId);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Member m1 of "${programId}", joined 2024-01-01, tier gold`);
    expect(result.stdout).toContain('orders 1 on 1 days, 2024-03-01 .. 2024-03-01');
    expect(result.stdout).toContain('points balance 100');
  });

  it('exits with the not-found code naming a member the program does not have', async () => {
    const { programId } = await programWithMember();
    const result = await run('members', 'show', 'nobody', '--program', programId, '--json');
    expect(result.code).toBe(ERROR_CODES.NOT_FOUND.exit);
    expect(result.stderr).toBe(`error: member "nobody" does not exist in program "${programId}"\n`);
    expect(result.stdout).toBe('');
  });

  it('closes every database session it opens', async () => {
    const { programId } = await programWithMember();
    await run('members', 'show', 'nobody', '--program', programId);
    await run('members', 'show', 'm1', '--program', programId);
    expect(sessions.closed).toBe(sessions.opened);
  });
});

describe('narrowcast keys revoke', () => {
  it('stops a key from authenticating at once, and only within its own program', async () => {
    const { programId, key, keyId } = await programWithKey(deps);
    const other = await programWithKey(deps);
    const app = createApp(deps);
    await postJson(app, `/v1/programs/${programId}/members`, { records: [{ id: 'm1' }] }, key);
    expect((await get(app, `/v1/programs/${programId}/members/m1`, key)).status).toBe(200);

    const wrongProgram = await run('keys', 'revoke', keyId, '--program', other.programId);
    expect(wrongProgram.code).toBe(ERROR_CODES.NOT_FOUND.exit);
    expect((await get(app, `/v1/programs/${programId}/members/m1`, key)).status).toBe(200);

    const result = await run('keys', 'revoke', keyId, '--program', programId, '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ keyId });
    expect((await get(app, `/v1/programs/${programId}/members/m1`, key)).status).toBe(401);

    const again = await run('keys', 'revoke', keyId, '--program', programId);
    expect(again.code).toBe(0);
  });
});

describe('narrowcast keys list', () => {
  it("lists only the program's keys, with when each was last used and revoked, and never a secret", async () => {
    const { programId, key, keyId } = await programWithKey(deps);
    const other = await programWithKey(deps);
    const unused = await run('keys', 'create', '--program', programId, '--scopes', 'read', '--label', 'bi');
    expect(unused.code, unused.stderr).toBe(0);
    const listedBefore = JSON.parse((await run('keys', 'list', '--program', programId, '--json')).stdout);
    expect(listedBefore.map((k: { lastUsedAt: string | null }) => k.lastUsedAt)).toEqual([null, null]);

    const app = createApp(deps);
    await postJson(app, `/v1/programs/${programId}/members`, { records: [{ id: 'm1' }] }, key);
    await run('keys', 'revoke', keyId, '--program', programId);

    const result = await run('keys', 'list', '--program', programId, '--json');
    expect(result.code, result.stderr).toBe(0);
    const listed = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(listed).toHaveLength(2);
    expect(listed[0]).toMatchObject({ id: keyId, programId, revokedAt: expect.any(String) });
    expect(listed[0]?.lastUsedAt).toBe(TEST_NOW.toISOString());
    expect(listed[1]).toMatchObject({ scopes: ['read'], label: 'bi', lastUsedAt: null, revokedAt: null });
    expect(listed.map((k) => k.id)).not.toContain(other.keyId);
    // The secret is base64url, so it may itself contain underscores: split the key as the server does.
    const secret = parseKey(key)?.secret ?? 'no secret';
    expect(secret).not.toBe('no secret');
    expect(result.stdout).not.toContain(secret);
    expect(result.stdout).not.toMatch(/hash/i);

    const text = await run('keys', 'list', '--program', programId);
    expect(text.stdout).toContain(`${keyId}  `);
    expect(text.stdout).toContain('REVOKED');
  });
});
