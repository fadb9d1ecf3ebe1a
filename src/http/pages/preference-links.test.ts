import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  expectNoMemberData,
  openPage,
  preferenceTestApp,
  programWithMemberLink,
} from '../../../test/browser/preference-fixtures.ts';
import { TEST_NOW } from '../../../test/fixtures/programs.ts';
import { openDatabase } from '../../db/database.ts';
import { silentLog } from '../../services/deps.ts';
import { ingestBatch } from '../../services/ingest-batch.ts';
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
