import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  expectNoMemberData,
  openPage,
  postForm,
  preferenceTestApp,
  programWithMemberLink,
} from '../../../test/browser/preference-fixtures.ts';
import { testCli } from '../../../test/fixtures/cli.ts';
import { TEST_NOW } from '../../../test/fixtures/programs.ts';
import { openDatabase } from '../../db/database.ts';
import { silentLog } from '../../services/deps.ts';
import { ingestBatch } from '../../services/ingest-batch.ts';
import { createMemberLink } from '../../services/preference-centre/create-member-link.ts';
import { createApp } from '../app.ts';

// The member link: what a valid, a changed, an expired and a foreign link open.

const { database, deps, app, clock } = await preferenceTestApp();
afterAll(() => database.close());
beforeEach(() => {
  clock.now = TEST_NOW;
});

describe('GET /preferences/:token', () => {
  it("shows the member's page with a protected form, a cookie for it, and headers that keep it private", async () => {
    const { link } = await programWithMemberLink(deps);
    const page = await openPage(app, link.path);
    expect(page.response.status).toBe(200);
    expect(page.html).toMatch(/^<!doctype html>\s*<html lang="en">/);
    expect(page.html.match(/<h1[ >]/g)).toHaveLength(1);
    expect(page.html).toContain('Unsubscribe from all marketing');
    expect(page.html).not.toContain('<script');
    expect(page.formToken).toBeDefined();
    expect(page.unsubscribeToken).toBeDefined();
    expect(page.response.headers.get('set-cookie')).toMatch(
      /^nc_pc=[\w-]{22}; Path=\/preferences; HttpOnly; SameSite=Lax$/,
    );
    expect(page.response.headers.get('cache-control')).toBe('no-store');
    expect(page.response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('answers a changed link with a clear page and no data', async () => {
    const { link } = await programWithMemberLink(deps);
    const [payload, signature] = link.token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, m: 'M2' })).toString('base64url');
    for (const path of [
      `/preferences/${forged}.${signature}`,
      `${link.path}x`,
      '/preferences/abc',
      `/preferences/${payload}`,
    ]) {
      const response = await app.request(path);
      expect(response.status, path).toBe(404);
      const html = await response.text();
      expect(html).toContain('This link does not work');
      expectNoMemberData(html);
    }
  });

  it('answers an expired link with a page that says so and no data', async () => {
    const { link } = await programWithMemberLink(deps, { ttlDays: 1 });
    clock.now = new Date(TEST_NOW.getTime() + 86_400_000);
    const response = await app.request(link.path);
    expect(response.status).toBe(410);
    const html = await response.text();
    expect(html).toContain('This link has expired');
    expectNoMemberData(html);
  });

  it("shows only this member's own choices, never another member's", async () => {
    const { programId, link } = await programWithMemberLink(deps);
    await ingestBatch(deps, {
      programId,
      kind: 'declarations',
      records: [
        {
          id: 'd-m2',
          memberId: 'M2',
          occurredAt: '2024-05-01',
          key: 'interest',
          value: 'gifts',
          source: 'import',
        },
      ],
    });
    const page = await openPage(app, link.path);
    expect(page.html).toContain('value="gifts">');
    expect(page.html).not.toMatch(/value="gifts" checked/);
  });
});

describe('the signing secret', () => {
  it('is made per installation: a link signed by one database does not open a page on another', async () => {
    const { link } = await programWithMemberLink(deps);
    // Always a second, separate engine: on the PostgreSQL pass the test database is this installation.
    const elsewhere = await openDatabase({ memory: true });
    try {
      const otherApp = createApp({ db: elsewhere.db, clock: () => clock.now, log: silentLog });
      const response = await otherApp.request(link.path);
      expect(response.status).toBe(404);
    } finally {
      await elsewhere.close();
    }
    // Opening and migrating a second engine is slow on a loaded machine; this is a budget, not an assertion.
  }, 180_000);
});

describe("rotating a program's link key", () => {
  const rotate = async (programId: string, ...args: string[]) => {
    const result = await testCli(deps).run('preferences', 'rotate-link-key', '--program', programId, ...args);
    return {
      ...result,
      rotation: result.code === 0 && args.includes('--json') ? JSON.parse(result.stdout) : null,
    };
  };
  const newLink = (programId: string) =>
    createMemberLink(deps, { programId, memberId: 'M1', ttlDays: 90, baseUrl: 'http://127.0.0.1' });

  it('signs new links with the new key and still accepts old links and open forms for the grace period', async () => {
    const { programId, link } = await programWithMemberLink(deps, { ttlDays: 90 });
    const page = await openPage(app, link.path);
    const { rotation } = await rotate(programId, '--grace-days', '2', '--json');
    expect(rotation).toEqual({
      programId,
      keyId: 1,
      rotatedAt: TEST_NOW.toISOString(),
      previousAcceptedUntil: new Date(TEST_NOW.getTime() + 2 * 86_400_000).toISOString(),
    });
    const fresh = await newLink(programId);
    expect(fresh.token.split('.')[1]).not.toBe(link.token.split('.')[1]);
    expect((await app.request(link.path)).status).toBe(200);
    const saved = await postForm(app, link.path, [['_form', page.formToken as string]], {
      cookie: page.cookie,
    });
    expect(saved.headers.get('location')).toBe(`${link.path}?done=saved`);

    clock.now = new Date(TEST_NOW.getTime() + 2 * 86_400_000);
    const old = await app.request(link.path);
    expect(old.status).toBe(404);
    expectNoMemberData(await old.text());
    expect((await app.request(fresh.path)).status).toBe(200);
  });

  it('voids old links at once with no grace, leaving other programs alone, and keeps rotating', async () => {
    const { programId, link } = await programWithMemberLink(deps, { ttlDays: 90 });
    const other = await programWithMemberLink(deps, { ttlDays: 90 });
    const printed = await rotate(programId, '--grace-days', '0');
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain('New member-link key 1');
    expect((await app.request(link.path)).status).toBe(404);
    expect((await app.request(other.link.path)).status).toBe(200);

    const first = await newLink(programId);
    const { rotation } = await rotate(programId, '--json');
    expect(rotation.keyId).toBe(2);
    // Without --grace-days the replaced key verifies for the program's link lifetime (30 days by default).
    expect(rotation.previousAcceptedUntil).toBe(new Date(TEST_NOW.getTime() + 30 * 86_400_000).toISOString());
    expect((await app.request(first.path)).status).toBe(200);
    expect((await app.request((await newLink(programId)).path)).status).toBe(200);
  });

  it('refuses a grace period that is not 0-365 whole days, changing nothing', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    for (const days of ['-1', '366', '1.5']) {
      const result = await rotate(programId, '--grace-days', days);
      expect(result.code, days).toBe(64);
      expect(result.stderr).toMatch(/grace/);
    }
    expect((await app.request(link.path)).status).toBe(200);
    expect(
      await deps.db.selectFrom('preference_link_keys').where('program_id', '=', programId).execute(),
    ).toEqual([]);
  });
});
