import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  declaredSegments,
  expectNoMemberData,
  ledgers,
  openPage,
  postForm,
  programWithMemberLink,
} from '../../../test/browser/preference-fixtures.ts';
import { testCli } from '../../../test/fixtures/cli.ts';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { TEST_NOW } from '../../../test/fixtures/programs.ts';
import type { MemberView } from '../../contracts/member-view.ts';
import { openDatabase } from '../../db/database.ts';
import { type Deps, type Log, silentLog } from '../../services/deps.ts';
import { ingestBatch } from '../../services/ingest-batch.ts';
import { createApp } from '../app.ts';

const database = await openTestDatabase();
afterAll(() => database.close());
let now = TEST_NOW;
const logged: string[] = [];
const log: Log = {
  info: (m, f) => logged.push(JSON.stringify([m, f])),
  warn: (m, f) => logged.push(JSON.stringify([m, f])),
  error: (m, f) => logged.push(JSON.stringify([m, f])),
};
const deps: Deps = { db: database.db, clock: () => now, log };
const app = createApp(deps);
beforeEach(() => {
  now = TEST_NOW;
});

const FULL_FORM = (token: string): [string, string][] => [
  ['_form', token],
  ['shown', 'interests'],
  ['interests', 'coffee'],
  ['interests', 'tea'],
  ['shown', 'channels'],
  ['channels', 'email'],
  ['shown', 'consent'],
  ['consent', 'email'],
  ['shown', 'birthday'],
  ['birthday', '1990-05-03'],
  ['q.pledge.pledge', 'pledged'],
];

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
    now = new Date(TEST_NOW.getTime() + 86_400_000);
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

  it('asks the member to re-confirm a value older than the threshold', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    await ingestBatch(deps, {
      programId,
      kind: 'declarations',
      records: [
        {
          id: 'd-old',
          memberId: 'M1',
          occurredAt: '2022-03-03T10:00:00Z',
          key: 'value',
          value: 'fair_trade',
        },
      ],
    });
    const page = await openPage(app, link.path);
    expect(page.html).toContain('Please check: you told us this on 3 March 2022.');
    expect(page.html).toMatch(/value="fair_trade" checked/);
  });
});

describe('POST /preferences/:token', () => {
  it('records the declarations, consent changes and one award per completed item, then shows the saved page', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    const page = await openPage(app, link.path);
    const response = await postForm(app, link.path, FULL_FORM(page.formToken as string), {
      cookie: page.cookie,
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${link.path}?done=saved`);
    const { declarations, consents, points } = await ledgers(deps, programId);
    expect(declarations.map((d) => [d.key, d.value, d.source])).toEqual([
      ['interest', 'coffee', 'preference_centre'],
      ['interest', 'tea', 'preference_centre'],
      ['channel_pref', 'email', 'preference_centre'],
      ['birthday', '1990-05-03', 'preference_centre'],
      ['challenge.pledge', 'pledged', 'challenge:pledge'],
    ]);
    expect(consents.map((c) => [c.channel, c.purpose, c.status, c.source])).toEqual([
      ['email', 'marketing', 'granted', 'preference_centre'],
    ]);
    expect(points.map((p) => [p.event_id, p.points, p.reason])).toEqual([
      ['pc:M1:birthday', 50, 'profile'],
      ['pc:M1:challenge:pledge', 100, 'challenge'],
      ['pc:M1:channels', 20, 'profile'],
      ['pc:M1:interests', 20, 'profile'],
    ]);
    const saved = await openPage(app, `${link.path}?done=saved`, page.cookie);
    expect(saved.html).toContain('Your preferences are saved.');
    expect(saved.html).toMatch(/value="coffee" checked/);
    expect(saved.html).toContain('Your answer makes you one of our Eco-Allies.');
    expect(saved.html).toContain('190 of 550 points');
  });

  it('places the member in the declared segments their answers lead to, in the same transaction as the answers', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    const page = await openPage(app, link.path);
    const response = await postForm(
      app,
      link.path,
      [
        ['_form', page.formToken as string],
        ['shown', 'values'],
        ['values', 'sustainability'],
        ['q.coffee_style.style', 'same_favourite_every_time'],
      ],
      { cookie: page.cookie },
    );
    expect(response.status).toBe(303);
    expect(await declaredSegments(deps, programId, 'M1')).toEqual(['eco_allies', 'routine_seekers']);
    // ...and `members show` says so as soon as the submit has answered.
    const shown = await testCli(deps).run('members', 'show', 'M1', '--program', programId, '--json');
    const segments = (JSON.parse(shown.stdout) as MemberView).segments.filter((s) => s.scheme === 'declared');
    expect(segments.map((s) => [s.segment, s.since])).toEqual([
      ['eco_allies', TEST_NOW.toISOString()],
      ['routine_seekers', TEST_NOW.toISOString()],
    ]);
  });

  it('applies a replayed form once: the second post changes nothing and says it was already saved', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    const page = await openPage(app, link.path);
    const form = FULL_FORM(page.formToken as string);
    await postForm(app, link.path, form, { cookie: page.cookie });
    const before = await ledgers(deps, programId);
    now = new Date(TEST_NOW.getTime() + 60_000);
    const replay = await postForm(app, link.path, form, { cookie: page.cookie });
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toBe(`${link.path}?done=already-saved`);
    expect(await ledgers(deps, programId)).toEqual(before);
  });

  it('applies two concurrent posts of the same form once', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    const page = await openPage(app, link.path);
    const form = FULL_FORM(page.formToken as string);
    const responses = await Promise.all(
      [1, 2, 3].map(() => postForm(app, link.path, form, { cookie: page.cookie })),
    );
    expect(responses.map((r) => r.headers.get('location')?.split('?')[1]).sort()).toEqual([
      'done=already-saved',
      'done=already-saved',
      'done=saved',
    ]);
    const { declarations, points } = await ledgers(deps, programId);
    expect(declarations).toHaveLength(5);
    expect(points).toHaveLength(4);
  });

  it('pays each item once when two tabs submit at the same moment', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    const tab1 = await openPage(app, link.path);
    const tab2 = await openPage(app, link.path, tab1.cookie);
    expect(tab2.formToken).not.toBe(tab1.formToken);
    const responses = await Promise.all([
      postForm(app, link.path, FULL_FORM(tab1.formToken as string), { cookie: tab1.cookie }),
      postForm(app, link.path, FULL_FORM(tab2.formToken as string), { cookie: tab1.cookie }),
    ]);
    expect(responses.map((r) => r.status)).toEqual([303, 303]);
    const { points } = await ledgers(deps, programId);
    expect(points.map((p) => p.event_id)).toEqual([
      'pc:M1:birthday',
      'pc:M1:challenge:pledge',
      'pc:M1:channels',
      'pc:M1:interests',
    ]);
  });

  it('refuses a form without its cookie, with another cookie, from another site, or for another member, writing nothing', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    const page = await openPage(app, link.path);
    const form = FULL_FORM(page.formToken as string);
    const other = await programWithMemberLink(deps, { memberId: 'M1' });
    const otherPage = await openPage(app, other.link.path, page.cookie);
    const attempts: [string, Response][] = [
      ['no cookie', await postForm(app, link.path, form)],
      ['another cookie', await postForm(app, link.path, form, { cookie: 'A'.repeat(22) })],
      [
        'cross-site',
        await postForm(app, link.path, form, {
          cookie: page.cookie,
          headers: { 'sec-fetch-site': 'cross-site' },
        }),
      ],
      [
        'foreign origin',
        await postForm(app, link.path, form, {
          cookie: page.cookie,
          headers: { origin: 'https://evil.example', host: 'localhost' },
        }),
      ],
      [
        "another program's form",
        await postForm(app, link.path, FULL_FORM(otherPage.formToken as string), { cookie: page.cookie }),
      ],
      ['no token', await postForm(app, link.path, form.slice(1), { cookie: page.cookie })],
    ];
    for (const [what, response] of attempts) {
      expect(response.status, what).toBe(403);
      const html = await response.text();
      expect(html, what).toMatch(/nothing was saved/i);
      expectNoMemberData(html);
    }
    expect(await ledgers(deps, programId)).toEqual({ declarations: [], consents: [], points: [] });
  });

  it('refuses a form rendered more than a day ago', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    const page = await openPage(app, link.path);
    now = new Date(TEST_NOW.getTime() + 25 * 3_600_000);
    const response = await postForm(app, link.path, FULL_FORM(page.formToken as string), {
      cookie: page.cookie,
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('This form is too old');
    expect((await ledgers(deps, programId)).declarations).toEqual([]);
  });

  it('shows the form again with each problem named, applying nothing, for choices the page did not offer', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    const page = await openPage(app, link.path);
    const response = await postForm(
      app,
      link.path,
      [
        ...FULL_FORM(page.formToken as string),
        ['shown', 'frequency'],
        ['frequency', 'daily<b>'],
        ['birthday', '2999-01-01'],
      ],
      { cookie: page.cookie },
    );
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain('Your changes were not saved');
    expect(html).toContain('How often: &quot;daily&lt;b&gt;&quot; is not one of the choices');
    expect(html).toContain('href="#birthday"');
    expect(html).not.toContain('daily<b>');
    expect(await ledgers(deps, programId)).toEqual({ declarations: [], consents: [], points: [] });
  });

  it('refuses a body that is not a form, and one over the size limit', async () => {
    const { link } = await programWithMemberLink(deps);
    const json = await app.request(link.path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(403);
    const huge = await postForm(app, link.path, [['interests', 'x'.repeat(70_000)]]);
    expect(huge.status).toBe(413);
  });

  it('never logs the signing secret or the link', async () => {
    const { link } = await programWithMemberLink(deps);
    const page = await openPage(app, link.path);
    logged.length = 0;
    await postForm(app, link.path, FULL_FORM(page.formToken as string), { cookie: page.cookie });
    const secret = await deps.db
      .selectFrom('installation_secrets')
      .select('secret')
      .executeTakeFirstOrThrow();
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.join('\n')).not.toContain(secret.secret);
    expect(logged.join('\n')).not.toContain(link.token);
  });
});

describe('POST /preferences/:token/unsubscribe', () => {
  it('revokes marketing on every channel in one click, without needing the cookie', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    await ingestBatch(deps, {
      programId,
      kind: 'consents',
      records: [
        {
          id: 'c1',
          memberId: 'M1',
          occurredAt: '2024-01-01',
          channel: 'email',
          purpose: 'marketing',
          status: 'granted',
        },
        {
          id: 'c2',
          memberId: 'M1',
          occurredAt: '2024-01-01',
          channel: 'email',
          purpose: 'service',
          status: 'granted',
        },
      ],
    });
    const page = await openPage(app, link.path);
    const response = await postForm(app, `${link.path}/unsubscribe`, [
      ['_form', page.unsubscribeToken as string],
    ]);
    expect(response.headers.get('location')).toBe(`${link.path}?done=unsubscribed`);
    const { consents } = await ledgers(deps, programId);
    expect(
      consents.filter((c) => c.source === 'preference_centre').map((c) => [c.channel, c.purpose, c.status]),
    ).toEqual([
      ['email', 'marketing', 'revoked'],
      ['sms', 'marketing', 'revoked'],
      ['push', 'marketing', 'revoked'],
      ['in_app', 'marketing', 'revoked'],
    ]);
    const after = await openPage(app, `${link.path}?done=unsubscribed`);
    expect(after.html).toContain('You are unsubscribed from all marketing.');
    expect(after.html).not.toMatch(/name="consent" value="\w+" checked/);
  });

  it('does not accept the preference form token in place of the unsubscribe one', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    const page = await openPage(app, link.path);
    const response = await postForm(app, `${link.path}/unsubscribe`, [['_form', page.formToken as string]]);
    expect(response.status).toBe(403);
    expect((await ledgers(deps, programId)).consents).toEqual([]);
  });
});

describe('the signing secret', () => {
  it('is made per installation: a link signed by one database does not open a page on another', async () => {
    const { link } = await programWithMemberLink(deps);
    // Always a second, separate engine: on the PostgreSQL pass the test database is this installation.
    const elsewhere = await openDatabase({ memory: true });
    try {
      const otherApp = createApp({ db: elsewhere.db, clock: () => now, log: silentLog });
      const response = await otherApp.request(link.path);
      expect(response.status).toBe(404);
    } finally {
      await elsewhere.close();
    }
  });
});
