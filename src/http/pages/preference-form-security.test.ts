import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  expectNoMemberData,
  fullForm,
  ledgers,
  openPage,
  postForm,
  preferenceTestApp,
  programWithMemberLink,
} from '../../../test/browser/preference-fixtures.ts';
import { TEST_NOW } from '../../../test/fixtures/programs.ts';

// Forms that must not apply: forged, foreign, stale or malformed posts, and what is logged.

const { database, deps, app, clock, logged } = await preferenceTestApp();
afterAll(() => database.close());
beforeEach(() => {
  clock.now = TEST_NOW;
});

describe('POST /preferences/:token, refused', () => {
  it('refuses a form without its cookie, with another cookie, from another site, or for another member, writing nothing', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    const page = await openPage(app, link.path);
    const form = fullForm(page.formToken as string);
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
        await postForm(app, link.path, fullForm(otherPage.formToken as string), { cookie: page.cookie }),
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
    clock.now = new Date(TEST_NOW.getTime() + 25 * 3_600_000);
    const response = await postForm(app, link.path, fullForm(page.formToken as string), {
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
        ...fullForm(page.formToken as string),
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
    await postForm(app, link.path, fullForm(page.formToken as string), { cookie: page.cookie });
    const secret = await deps.db
      .selectFrom('installation_secrets')
      .select('secret')
      .executeTakeFirstOrThrow();
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.join('\n')).not.toContain(secret.secret);
    expect(logged.join('\n')).not.toContain(link.token);
  });
});
