import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  declaredSegments,
  openPage,
  postForm,
  preferenceTestApp,
  programWithMemberLink,
} from '../../../test/browser/preference-fixtures.ts';
import { testCli } from '../../../test/fixtures/cli.ts';
import { authHeaders, postJson } from '../../../test/fixtures/http.ts';
import { keyFor, TEST_NOW } from '../../../test/fixtures/programs.ts';
import type { MemberView } from '../../contracts/member-view.ts';
import type { MemberLink } from '../../contracts/preferences.ts';
import { DEFAULT_PREFERENCE_CONFIG } from '../../domain/preferences/default-config.ts';
import { ingestBatch } from '../../services/ingest-batch.ts';
import { configurePreferenceCentre } from '../../services/preference-centre/configure-preference-centre.ts';
import { createSegment } from '../../services/segment-definitions/create-segment.ts';
import { refreshSegments } from '../../services/segments/refresh-segments.ts';

// What the page's answers do to the member's segments and freshness, seen through `members show`.

const { database, deps, app, clock } = await preferenceTestApp();
afterAll(() => database.close());
beforeEach(() => {
  clock.now = TEST_NOW;
});

/** Opens the member's page as a browser would and posts these fields with its form token. */
async function submit(link: MemberLink, fields: [string, string][]): Promise<Response> {
  const page = await openPage(app, link.path);
  const response = await postForm(app, link.path, [['_form', page.formToken as string], ...fields], {
    cookie: page.cookie,
  });
  expect(response.status).toBe(303);
  return response;
}

/** The member's segments of one scheme as `members show --json` prints them: [name, label, explanation]. */
async function shownSegments(programId: string, memberId: string, scheme = 'declared') {
  const shown = await testCli(deps).run('members', 'show', memberId, '--program', programId, '--json');
  expect(shown.code, shown.stderr).toBe(0);
  return (JSON.parse(shown.stdout) as MemberView).segments
    .filter((s) => s.scheme === scheme)
    .map((s) => [s.segment, s.label, s.explanation]);
}

/** The member's recorded entries and exits of one scheme, oldest first. */
async function transitions(programId: string, memberId: string, scheme = 'declared') {
  const rows = await deps.db
    .selectFrom('segment_transitions as t')
    .innerJoin('members as m', (join) =>
      join.onRef('m.program_id', '=', 't.program_id').onRef('m.member_id', '=', 't.member_id'),
    )
    .select(['t.segment', 't.change', 't.at'])
    .where('t.program_id', '=', programId)
    .where('m.external_id', '=', memberId)
    .where('t.scheme', '=', scheme)
    .orderBy('t.seq')
    .execute();
  return rows.map((r) => [r.segment, r.change, r.at.toISOString()]);
}

const NIGHT_OWLS = {
  kind: 'poll',
  title: 'When do you like to shop?',
  questions: [
    {
      id: 'when',
      text: 'When?',
      answers: [
        { value: 'late', label: 'After midnight', segment: 'Night Owls' },
        { value: 'early', label: 'Before breakfast' },
      ],
    },
  ],
};

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

  it('makes an Eco-Ally of a member who only takes the pledge, and members show says why', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    await submit(link, [['q.pledge.pledge', 'pledged']]);
    const segments = await shownSegments(programId, 'M1');
    expect(segments.map(([name, label]) => [name, label])).toEqual([['eco_allies', 'Eco-Allies']]);
    expect(segments[0]?.[2]).toContain('declared challenge.pledge includes pledged');
  });

  it('places members in a segment a marketer named on a quiz made over the API, from the page and from an API batch', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    const key = await keyFor(deps, programId, ['ingest', 'read', 'manage']);
    const defined = await app.request(`/v1/programs/${programId}/quizzes/hours`, {
      method: 'PUT',
      headers: authHeaders(key, { 'content-type': 'application/json' }),
      body: JSON.stringify(NIGHT_OWLS),
    });
    expect(defined.status).toBe(201);
    await submit(link, [['q.hours.when', 'late']]);
    expect(await shownSegments(programId, 'M1')).toEqual([
      [
        'night_owls',
        'Night Owls',
        'Night Owls: declared poll.hours includes late and poll.hours last confirmed 2024-06-01 is on the as-of day, within the last 730 days',
      ],
    ]);
    const batch = await postJson(
      app,
      `/v1/programs/${programId}/declarations`,
      {
        records: [
          {
            id: 'api-1',
            memberId: 'M2',
            occurredAt: '2024-05-30T10:00:00Z',
            key: 'poll.hours',
            value: 'late',
          },
        ],
      },
      key,
    );
    expect(batch.status).toBe(201);
    expect(await declaredSegments(deps, programId, 'M2')).toEqual(['night_owls']);
  });

  it('takes the member out of an interest they untick, and out of the last one when they untick all, recording each exit', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    const interests = (...values: string[]): [string, string][] => [
      ['shown', 'interests'],
      ...values.map((v): [string, string] => ['interests', v]),
    ];
    await submit(link, interests('coffee', 'tea'));
    expect(await declaredSegments(deps, programId, 'M1')).toEqual(['interest:coffee', 'interest:tea']);
    const later = new Date(TEST_NOW.getTime() + 3_600_000);
    clock.now = later;
    await submit(link, interests('coffee'));
    expect(await declaredSegments(deps, programId, 'M1')).toEqual(['interest:coffee']);
    expect((await shownSegments(programId, 'M1')).map(([name]) => name)).toEqual(['interest:coffee']);
    const page = await openPage(app, link.path);
    expect(page.html).toMatch(/value="coffee" checked/);
    expect(page.html).not.toMatch(/value="tea" checked/);
    const end = new Date(later.getTime() + 3_600_000);
    clock.now = end;
    await submit(link, interests());
    expect(await declaredSegments(deps, programId, 'M1')).toEqual([]);
    expect(await transitions(programId, 'M1')).toEqual([
      ['interest:coffee', 'entered', TEST_NOW.toISOString()],
      ['interest:tea', 'entered', TEST_NOW.toISOString()],
      ['interest:tea', 'left', later.toISOString()],
      ['interest:coffee', 'left', end.toISOString()],
    ]);
  });

  it('moves the member from one segment to another when they change their answer', async () => {
    const { programId, link } = await programWithMemberLink(deps);
    await submit(link, [['q.coffee_style.style', 'same_favourite_every_time']]);
    expect(await declaredSegments(deps, programId, 'M1')).toEqual(['routine_seekers']);
    const later = new Date(TEST_NOW.getTime() + 60_000);
    clock.now = later;
    await submit(link, [['q.coffee_style.style', 'always_trying_new_flavours']]);
    expect(await declaredSegments(deps, programId, 'M1')).toEqual(['flavor_innovators']);
    expect(await transitions(programId, 'M1')).toContainEqual([
      'routine_seekers',
      'left',
      later.toISOString(),
    ]);
  });
});

describe('freshness', () => {
  it('lets a rule require a value confirmed within N days, and a re-confirmation on the page meets it again', async () => {
    const { programId, link } = await programWithMemberLink(deps, { ttlDays: 90 });
    await configurePreferenceCentre(deps, {
      programId,
      config: { ...DEFAULT_PREFERENCE_CONFIG, staleAfterDays: 30 },
    });
    await createSegment(deps, {
      programId,
      input: {
        scheme: 'fresh',
        name: 'coffee_lately',
        label: 'Coffee, confirmed lately',
        rule: {
          all: [
            { feature: 'declared.interest', op: 'contains', value: 'coffee' },
            { feature: 'declared_at.interest', op: 'within_days', value: 30 },
          ],
        },
      },
    });
    const interests: [string, string][] = [
      ['shown', 'interests'],
      ['interests', 'coffee'],
    ];
    await submit(link, interests);
    expect((await shownSegments(programId, 'M1', 'fresh')).map(([name]) => name)).toEqual(['coffee_lately']);

    clock.now = new Date(TEST_NOW.getTime() + 31 * 86_400_000);
    await refreshSegments(deps, { programId });
    expect(await shownSegments(programId, 'M1', 'fresh')).toEqual([]);
    const page = await openPage(app, link.path);
    expect(page.html).toContain('Please check: you told us this on 1 June 2024.');

    await submit(link, interests);
    expect((await shownSegments(programId, 'M1', 'fresh')).map(([name]) => name)).toEqual(['coffee_lately']);
    expect((await openPage(app, link.path)).html).not.toContain('Please check: you told us');
  });
});
