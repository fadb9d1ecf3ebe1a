import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  fullForm,
  ledgers,
  openPage,
  postForm,
  preferenceTestApp,
  programWithMemberLink,
} from '../../../test/browser/preference-fixtures.ts';
import { TEST_NOW } from '../../../test/fixtures/programs.ts';

// Saving the page: what one submit writes, and that replays, concurrent posts and two tabs write it once.

const { database, deps, app, clock } = await preferenceTestApp();
afterAll(() => database.close());
beforeEach(() => {
  clock.now = TEST_NOW;
});

describe('POST /preferences/:token', () => {
  it('records the declarations, consent changes and one award per completed item, then shows the saved page', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    const page = await openPage(app, link.path);
    const response = await postForm(app, link.path, fullForm(page.formToken as string), {
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

  it('applies a replayed form once: the second post changes nothing and says it was already saved', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    const page = await openPage(app, link.path);
    const form = fullForm(page.formToken as string);
    await postForm(app, link.path, form, { cookie: page.cookie });
    const before = await ledgers(deps, programId);
    clock.now = new Date(TEST_NOW.getTime() + 60_000);
    const replay = await postForm(app, link.path, form, { cookie: page.cookie });
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toBe(`${link.path}?done=already-saved`);
    expect(await ledgers(deps, programId)).toEqual(before);
  });

  it('applies two concurrent posts of the same form once', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    const page = await openPage(app, link.path);
    const form = fullForm(page.formToken as string);
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
      postForm(app, link.path, fullForm(tab1.formToken as string), { cookie: tab1.cookie }),
      postForm(app, link.path, fullForm(tab2.formToken as string), { cookie: tab1.cookie }),
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
});
