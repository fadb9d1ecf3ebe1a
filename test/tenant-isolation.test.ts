import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { MemberView } from '../src/contracts/member-view.ts';
import { RECORD_SCHEMAS, type RecordKind } from '../src/contracts/records.ts';
import { createApp } from '../src/http/app.ts';
import { testCli } from './fixtures/cli.ts';
import { openTestDatabase } from './fixtures/database.ts';
import { authHeaders, expectError, get, postJson } from './fixtures/http.ts';
import { programCounts, programWithKey, sampleRecords, testDeps } from './fixtures/programs.ts';

// A key, a flag or a file of program A must never read or change anything of program B, even when
// both use the same member and event ids.

const database = await openTestDatabase();
const deps = testDeps(database);
const app = createApp(deps);
const cli = testCli(deps);
const folder = await mkdtemp(join(tmpdir(), 'narrowcast-isolation-'));
afterAll(async () => {
  await database.close();
  await rm(folder, { recursive: true, force: true });
});

const KINDS = Object.keys(RECORD_SCHEMAS) as RecordKind[];
const SHARED = 'shared-member';

/** Loads member SHARED and one record of every kind, with the same ids in every program. */
async function loadEverything(programId: string, key: string, tier: string) {
  const sample = sampleRecords(SHARED);
  for (const kind of KINDS) {
    const record = kind === 'members' ? { ...sample.members, tier } : sample[kind];
    const response = await postJson(app, `/v1/programs/${programId}/${kind}`, { records: [record] }, key);
    expect(response.status, kind).toBe(201);
  }
}

async function showJson(programId: string, memberId: string): Promise<MemberView> {
  const result = await cli.run('members', 'show', memberId, '--program', programId, '--json');
  expect(result.code, result.stderr).toBe(0);
  return MemberView.parse(JSON.parse(result.stdout));
}

let a: Awaited<ReturnType<typeof programWithKey>>;
let b: Awaited<ReturnType<typeof programWithKey>>;
beforeEach(async () => {
  a = await programWithKey(deps, ['ingest', 'read', 'manage'], 'a');
  b = await programWithKey(deps, ['ingest', 'read', 'manage'], 'b');
  await loadEverything(a.programId, a.key, 'gold');
  await loadEverything(b.programId, b.key, 'bronze');
});

describe('tenant isolation over HTTP', () => {
  it('lets the same member and event ids live in two programs as separate records', async () => {
    const inA = (await (
      await get(app, `/v1/programs/${a.programId}/members/${SHARED}`, a.key)
    ).json()) as MemberView;
    const inB = (await (
      await get(app, `/v1/programs/${b.programId}/members/${SHARED}`, b.key)
    ).json()) as MemberView;
    expect([inA.programId, inA.member.tier]).toEqual([a.programId, 'gold']);
    expect([inB.programId, inB.member.tier]).toEqual([b.programId, 'bronze']);
    expect(inA.totals).toEqual(inB.totals);
  });

  it('refuses a key of program A every read of program B, existing member or not', async () => {
    for (const memberId of [SHARED, 'nobody']) {
      const body = await expectError(
        await get(app, `/v1/programs/${b.programId}/members/${memberId}`, a.key),
        403,
        'FORBIDDEN',
      );
      expect(JSON.stringify(body)).not.toContain('bronze');
    }
  });

  it.each(KINDS)(
    'refuses a key of program A a write of %s into program B and changes nothing of B',
    async (kind) => {
      const before = await programCounts(deps, b.programId);
      const record = sampleRecords(SHARED, 'from-a')[kind];
      const response = await postJson(
        app,
        `/v1/programs/${b.programId}/${kind}`,
        { records: [record] },
        a.key,
      );
      await expectError(response, 403, 'FORBIDDEN');
      expect(await programCounts(deps, b.programId)).toEqual(before);
    },
  );

  it('takes in program A an id program B already holds with another payload, changing nothing of B', async () => {
    const onlyB = sampleRecords(SHARED, 'b-only');
    for (const kind of KINDS.filter((k) => k !== 'members')) {
      await postJson(app, `/v1/programs/${b.programId}/${kind}`, { records: [onlyB[kind]] }, b.key);
    }
    const before = await programCounts(deps, b.programId);
    const totalsBefore = (await showJson(b.programId, SHARED)).totals;
    for (const kind of KINDS) {
      const record =
        kind === 'members'
          ? { ...onlyB.members, tier: 'platinum' }
          : kind === 'accounts'
            ? { ...onlyB.accounts, name: 'Another Ltd' }
            : { ...onlyB[kind], occurredAt: '2024-04-02T08:00:00Z' };
      const response = await postJson(
        app,
        `/v1/programs/${a.programId}/${kind}`,
        { records: [record] },
        a.key,
      );
      expect(response.status, kind).toBe(201);
    }
    expect(await programCounts(deps, b.programId)).toEqual(before);
    expect((await showJson(b.programId, SHARED)).totals).toEqual(totalsBefore);
    expect((await showJson(a.programId, SHARED)).totals).toMatchObject({ orders: 2, pointsBalance: 200 });
  });

  it('does not let a path trick carry a key of program A into program B', async () => {
    const paths = [
      `/v1/programs/${a.programId}/../${b.programId}/members/${SHARED}`,
      `/v1/programs/${a.programId}/..%2F${b.programId}/members/${SHARED}`,
      `/v1/programs/${a.programId}%2F..%2F${b.programId}/members/${SHARED}`,
      `/v1/programs/${b.programId.toUpperCase()}/members/${SHARED}`,
    ];
    for (const path of paths) {
      const response = await app.request(path, { headers: authHeaders(a.key) });
      expect(response.status, path).toBeGreaterThanOrEqual(400);
      expect(await response.text(), path).not.toContain('bronze');
    }
  });
});

describe('tenant isolation on the command line', () => {
  it('shows the member of the program named by --program, wherever the flag stands', async () => {
    expect((await showJson(a.programId, SHARED)).member.tier).toBe('gold');
    const before = await cli.run('--program', b.programId, 'members', 'show', SHARED, '--json');
    expect(MemberView.parse(JSON.parse(before.stdout)).member.tier).toBe('bronze');
  });

  it('imports into the program named by --program and never changes another program', async () => {
    const before = await programCounts(deps, b.programId);
    const file = join(folder, `members-${a.programId}.csv`);
    await writeFile(file, `id,tier\n${SHARED},silver\nonly-in-a,gold\n`);
    const result = await cli.run('import', 'members', file, '--program', a.programId, '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ programId: a.programId, imported: 1, updated: 1 });
    expect(await programCounts(deps, b.programId)).toEqual(before);
    expect((await showJson(b.programId, SHARED)).member.tier).toBe('bronze');
    expect((await showJson(a.programId, SHARED)).member.tier).toBe('silver');
    const missing = await cli.run('members', 'show', 'only-in-a', '--program', b.programId);
    expect(missing.code).toBe(66);
  });

  it('imports events into program A with ids program B uses without touching B', async () => {
    const before = await programCounts(deps, b.programId);
    const file = join(folder, `points-${a.programId}.ndjson`);
    const points = { ...sampleRecords(SHARED).points, id: 'p-1-again', points: 5 };
    await writeFile(file, `${JSON.stringify(points)}\n`);
    const result = await cli.run('import', 'points', file, '--program', a.programId, '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(await programCounts(deps, b.programId)).toEqual(before);
    expect((await showJson(b.programId, SHARED)).totals.pointsBalance).toBe(100);
    expect((await showJson(a.programId, SHARED)).totals.pointsBalance).toBe(105);
  });

  it('creates a key for the program named by --program that opens that program only', async () => {
    const result = await cli.run('keys', 'create', '--program', b.programId, '--scopes', 'read', '--json');
    expect(result.code, result.stderr).toBe(0);
    const { key, programId } = JSON.parse(result.stdout) as { key: string; programId: string };
    expect(programId).toBe(b.programId);
    expect((await get(app, `/v1/programs/${b.programId}/members/${SHARED}`, key)).status).toBe(200);
    await expectError(await get(app, `/v1/programs/${a.programId}/members/${SHARED}`, key), 403, 'FORBIDDEN');
  });

  it('refuses to create a key for a program that does not exist', async () => {
    const result = await cli.run('keys', 'create', '--program', 'no-such-program', '--scopes', 'read');
    expect(result.code).toBe(66);
    expect(result.stderr).toContain('no-such-program');
  });
});
