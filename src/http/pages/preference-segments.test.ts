import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  declaredSegments,
  openPage,
  postForm,
  preferenceTestApp,
  programWithMemberLink,
} from '../../../test/browser/preference-fixtures.ts';
import { testCli } from '../../../test/fixtures/cli.ts';
import { TEST_NOW } from '../../../test/fixtures/programs.ts';
import type { MemberView } from '../../contracts/member-view.ts';
import { ingestBatch } from '../../services/ingest-batch.ts';

// What the page's answers do to the member's segments and freshness, seen through `members show`.

const { database, deps, app, clock } = await preferenceTestApp();
afterAll(() => database.close());
beforeEach(() => {
  clock.now = TEST_NOW;
});

describe('declared segments from the page', () => {
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
