import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MemberView } from '../../src/contracts/member-view.ts';
import { type Deps, silentLog } from '../../src/services/deps.ts';
import { testCli } from '../fixtures/cli.ts';
import { openTestDatabase } from '../fixtures/database.ts';
import { TEST_NOW } from '../fixtures/programs.ts';
import { launchChromium } from './chromium.ts';
import { AXE_RUN, FOCUSED, SCROLL_WIDTH, STRUCTURE, TAB_STOPS } from './page-probes.ts';
import { ledgers, programWithMemberLink } from './preference-fixtures.ts';
import { serveApp } from './serve-app.ts';

// The member's side of the preference centre in a real browser: Debian's Chromium, driven by
// playwright-core, against `createApp` on a real socket and the test database.

const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts/preference-centre');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PHONE = { width: 390, height: 844 };

const database = await openTestDatabase();
let now = TEST_NOW;
const deps: Deps = { db: database.db, clock: () => now, log: silentLog };
let server: Awaited<ReturnType<typeof serveApp>>;
let browser: BrowserContext;
let noScript: BrowserContext;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await serveApp(deps);
  browser = await launchChromium({ viewport: PHONE });
  noScript = await launchChromium({ viewport: PHONE, javaScriptEnabled: false });
});
afterAll(async () => {
  await browser?.close();
  await noScript?.close();
  await server?.close();
  await database.close();
});
beforeEach(() => {
  now = TEST_NOW;
});

async function fillPreferences(page: Page) {
  await page.getByLabel('Coffee').check();
  await page.getByLabel('Brewing equipment').check();
  await page
    .getByRole('group', { name: 'I prefer to hear from you by' })
    .getByLabel('Text message (SMS)')
    .check();
  const consent = page.getByRole('group', { name: 'You may send me offers and news by' });
  await consent.getByLabel('Email').check();
  await consent.getByLabel('Text message (SMS)').check();
  await page.getByLabel('Date of birth').fill('1990-05-03');
  await page
    .getByRole('group', { name: 'Find your perfect routine' })
    .getByLabel('Always something new')
    .check();
}

describe('the preference centre in Chromium', () => {
  it('lets a member set interests, consents and a quiz answer with JavaScript off, and records each award once', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    const page = await noScript.newPage();
    const opened = await page.goto(`${server.origin}${link.path}`);
    expect(opened?.status()).toBe(200);
    await fillPreferences(page);
    await page.getByRole('button', { name: 'Save my preferences' }).click();
    await page.waitForURL(/done=saved/);
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toContain('Your preferences are saved.');
    await page.screenshot({ path: join(ARTIFACTS, 'saved-phone.png'), fullPage: true });

    const { declarations, consents, points } = await ledgers(deps, programId);
    expect(declarations.map((d) => [d.key, d.value, d.source])).toEqual([
      ['interest', 'coffee', 'preference_centre'],
      ['interest', 'equipment', 'preference_centre'],
      ['channel_pref', 'sms', 'preference_centre'],
      ['birthday', '1990-05-03', 'preference_centre'],
      ['quiz.coffee_style', 'always_trying_new_flavours', 'quiz:coffee_style'],
    ]);
    expect(consents.map((c) => [c.channel, c.purpose, c.status, c.source])).toEqual([
      ['email', 'marketing', 'granted', 'preference_centre'],
      ['sms', 'marketing', 'granted', 'preference_centre'],
    ]);
    expect(points.map((p) => [p.event_id, p.type, p.points])).toEqual([
      ['pc:M1:birthday', 'earn', 50],
      ['pc:M1:channels', 'earn', 20],
      ['pc:M1:interests', 'earn', 20],
      ['pc:M1:quiz:coffee_style', 'earn', 50],
    ]);
    // The segment engine placed the member in the same transaction: `members show` has the
    // declared segments as soon as the saved page is there.
    const shown = await testCli(deps).run('members', 'show', 'M1', '--program', programId, '--json');
    const view = JSON.parse(shown.stdout) as MemberView;
    expect(view.segments.filter((s) => s.scheme === 'declared').map((s) => s.segment)).toEqual([
      'flavor_innovators',
      'interest:coffee',
      'interest:equipment',
    ]);
    expect(view.totals.pointsEarned).toBe(140);
    // What the page now shows is what was stored.
    await expect.poll(() => page.getByLabel('Coffee').isChecked()).toBe(true);
    expect(await page.getByLabel('Date of birth').inputValue()).toBe('1990-05-03');
    expect(await page.getByText('Your answer makes you one of our Flavor Innovators.').count()).toBe(1);

    // Saving again, unchanged, from the reloaded page writes nothing and pays nothing more.
    await page.getByRole('button', { name: 'Save my preferences' }).click();
    await page.waitForURL(/done=saved/);
    expect(await ledgers(deps, programId)).toEqual({ declarations, consents, points });

    // An hour later the member takes the pledge and unticks an interest: the pledge alone makes
    // them an Eco-Ally, and they leave the unticked interest's segment, both within the submit.
    const later = new Date(TEST_NOW.getTime() + 3_600_000);
    now = later;
    await page.getByLabel('I take the pledge').check();
    await page.getByLabel('Brewing equipment').uncheck();
    await page.getByRole('button', { name: 'Save my preferences' }).click();
    await page.waitForURL(/done=saved/);
    await expect.poll(() => page.getByLabel('Brewing equipment').isChecked()).toBe(false);
    const after = await testCli(deps).run('members', 'show', 'M1', '--program', programId, '--json');
    const declared = (JSON.parse(after.stdout) as MemberView).segments.filter((s) => s.scheme === 'declared');
    expect(declared.map((s) => [s.segment, s.since])).toEqual([
      ['eco_allies', later.toISOString()],
      ['flavor_innovators', TEST_NOW.toISOString()],
      ['interest:coffee', TEST_NOW.toISOString()],
    ]);
    expect(declared[0]?.explanation).toContain('declared challenge.pledge includes pledged');
    const left = await deps.db
      .selectFrom('segment_transitions')
      .select(['segment', 'at'])
      .where('program_id', '=', programId)
      .where('change', '=', 'left')
      .execute();
    expect(left).toEqual([{ segment: 'interest:equipment', at: later }]);
    await page.close();
  });

  it('pays once when the member double-clicks Save and when two tabs submit together', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    const tabs = [await noScript.newPage(), await noScript.newPage()];
    for (const tab of tabs) {
      await tab.goto(`${server.origin}${link.path}`);
      await fillPreferences(tab);
      await tab.getByLabel('I take the pledge').check();
    }
    await Promise.all([
      tabs[0]?.getByRole('button', { name: 'Save my preferences' }).dblclick(),
      tabs[1]?.getByRole('button', { name: 'Save my preferences' }).click(),
    ]);
    for (const tab of tabs) await tab.waitForURL(/done=(saved|already-saved)/);
    const { points } = await ledgers(deps, programId);
    expect(points.map((p) => p.event_id)).toEqual([
      'pc:M1:birthday',
      'pc:M1:challenge:pledge',
      'pc:M1:channels',
      'pc:M1:interests',
      'pc:M1:quiz:coffee_style',
    ]);
    for (const tab of tabs) await tab.close();
  });

  it('shows a clear page and no data for a tampered link and for an expired one', async () => {
    const { link } = await programWithMemberLink(deps, { ttlDays: 1 });
    const page = await browser.newPage();
    const tampered = await page.goto(
      `${server.origin}${link.path.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))}`,
    );
    expect(tampered?.status()).toBe(404);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This link does not work');
    expect(await page.locator('form, input').count()).toBe(0);

    now = new Date(TEST_NOW.getTime() + 2 * 86_400_000);
    const expired = await page.goto(`${server.origin}${link.path}`);
    expect(expired?.status()).toBe(410);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This link has expired');
    expect(await page.locator('form, input').count()).toBe(0);
    expect(await page.content()).not.toMatch(/Coffee|M1|ada@example/);
    await page.screenshot({ path: join(ARTIFACTS, 'expired-link.png') });
    await page.close();
  });

  it('is accessible: axe finds no WCAG A/AA violation, every input has a label, and focus follows the page', async () => {
    const { link } = await programWithMemberLink(deps);
    const axeContext = await launchChromium({ viewport: { width: 1024, height: 900 }, bypassCSP: true });
    try {
      const page = await axeContext.newPage();
      await page.goto(`${server.origin}${link.path}`);
      await page.screenshot({ path: join(ARTIFACTS, 'page-desktop.png'), fullPage: true });

      await page.evaluate(AXE_SOURCE);
      expect(await page.evaluate<string[]>(AXE_RUN)).toEqual([]);
      expect(await page.evaluate(STRUCTURE)).toEqual({
        lang: 'en',
        h1: 1,
        unlabelled: [],
        positiveTabindex: 0,
      });
      const expected = await page.evaluate<(string | null)[]>(TAB_STOPS);
      // A date input takes one Tab per part (day, month, year): count each element once.
      const visited: (string | null)[] = [];
      for (let i = 0; i < expected.length * 2 && visited.at(-1) !== 'Save my preferences'; i++) {
        await page.keyboard.press('Tab');
        const focused = await page.evaluate<string | null>(FOCUSED);
        if (focused !== visited.at(-1)) visited.push(focused);
      }
      expect(visited).toEqual(expected);
      expect(visited[0]).toBe('Skip to main content');
      expect(visited[1]).toBe('Unsubscribe from all marketing');
      expect(visited.at(-1)).toBe('Save my preferences');

      // Keyboard alone can tick an interest.
      await page.getByLabel('Tea').focus();
      await page.keyboard.press('Space');
      expect(await page.getByLabel('Tea').isChecked()).toBe(true);

      // On the narrowest common phone nothing scrolls sideways.
      await page.setViewportSize({ width: 320, height: 640 });
      expect(await page.evaluate<number>(SCROLL_WIDTH)).toBeLessThanOrEqual(320);
      await page.screenshot({ path: join(ARTIFACTS, 'page-320px.png'), fullPage: true });
    } finally {
      await axeContext.close();
    }
  });
});
