import { expect } from 'vitest';
import type { QuizDefinition } from '../../src/contracts/preferences.ts';
import { createApp } from '../../src/http/app.ts';
import { createProgram } from '../../src/services/create-program.ts';
import type { Deps, Log } from '../../src/services/deps.ts';
import { ingestBatch } from '../../src/services/ingest-batch.ts';
import { createMemberLink } from '../../src/services/preference-centre/create-member-link.ts';
import { defineQuiz } from '../../src/services/preference-centre/manage-quizzes.ts';
import { freshProgramId, openTestDatabase } from '../fixtures/database.ts';
import type { RequestTarget } from '../fixtures/http.ts';
import { TEST_NOW } from '../fixtures/programs.ts';

/** The seed article's sustainability pledge: a one-answer challenge that leads to Eco-Allies. */
export const PLEDGE: QuizDefinition = {
  id: 'pledge',
  kind: 'challenge',
  title: 'Take our sustainability pledge',
  description: 'Bring your own cup and we will plant a tree.',
  points: 100,
  questions: [
    {
      id: 'pledge',
      text: 'Will you choose reusable cups and refills?',
      answers: [{ value: 'pledged', label: 'I take the pledge', segment: 'Eco-Allies' }],
    },
  ],
};

/** The demo program's routine quiz (Routine Seekers / Flavor Innovators). */
export const COFFEE_QUIZ: QuizDefinition = {
  id: 'coffee_style',
  kind: 'quiz',
  title: 'Find your perfect routine',
  points: 50,
  questions: [
    {
      id: 'style',
      text: 'How do you choose your coffee?',
      answers: [
        { value: 'same_favourite_every_time', label: 'My favourite, every time', segment: 'Routine Seekers' },
        { value: 'always_trying_new_flavours', label: 'Always something new', segment: 'Flavor Innovators' },
        { value: 'depends_on_mood', label: 'It depends on my mood' },
      ],
    },
  ],
};

/** A fresh program with members M1 and M2, the two quizzes, and a link for M1. */
export async function programWithMemberLink(
  deps: Deps,
  options: { ttlDays?: number; memberId?: string } = {},
) {
  const programId = freshProgramId('pc');
  const memberId = options.memberId ?? 'M1';
  await createProgram(deps, { programId, name: 'Bean & Leaf Club' });
  await ingestBatch(deps, {
    programId,
    kind: 'members',
    records: [
      { id: memberId, joinedAt: '2023-01-01', email: 'ada@example.com', phone: '+44 20 7946 0000' },
      { id: 'M2', joinedAt: '2023-01-01', email: 'grace@example.com' },
    ],
  });
  for (const definition of [PLEDGE, COFFEE_QUIZ]) await defineQuiz(deps, { programId, definition });
  const link = await createMemberLink(deps, {
    programId,
    memberId,
    ttlDays: options.ttlDays,
    baseUrl: 'http://127.0.0.1',
  });
  return { programId, memberId, link };
}

/** A GET of a member page in-process, with what a browser would keep from it. */
export async function openPage(app: RequestTarget, path: string, cookie?: string) {
  const response = await app.request(path, { headers: cookie ? { cookie: `nc_pc=${cookie}` } : {} });
  const html = await response.text();
  const setCookie = /nc_pc=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
  const tokens = [...html.matchAll(/name="_form" value="([^"]+)"/g)].map((m) => m[1] as string);
  return {
    response,
    html,
    cookie: setCookie ?? cookie,
    /** The unsubscribe form comes first (in the header), the preference form second. */
    unsubscribeToken: tokens[0],
    formToken: tokens[1],
  };
}

/** POSTs a URL-encoded form in-process, as a same-origin browser would. */
export function postForm(
  app: RequestTarget,
  path: string,
  fields: [string, string][],
  options: { cookie?: string | undefined; headers?: Record<string, string> } = {},
): Promise<Response> {
  return Promise.resolve(
    app.request(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(options.cookie ? { cookie: `nc_pc=${options.cookie}` } : {}),
        ...options.headers,
      },
      body: new URLSearchParams(fields).toString(),
    }),
  );
}

/** Rows of the member's ledgers that the preference centre writes. */
export async function ledgers(deps: Deps, programId: string) {
  const declarations = await deps.db
    .selectFrom('declarations')
    .select(['event_id', 'key', 'value', 'source'])
    .where('program_id', '=', programId)
    .orderBy('event_id')
    .execute();
  const consents = await deps.db
    .selectFrom('consents')
    .select(['event_id', 'channel', 'purpose', 'status', 'source'])
    .where('program_id', '=', programId)
    .orderBy('event_id')
    .execute();
  const points = await deps.db
    .selectFrom('points')
    .select(['event_id', 'member_id', 'type', 'points', 'reason'])
    .where('program_id', '=', programId)
    .orderBy('event_id')
    .execute();
  return { declarations, consents, points };
}

/** Asserts a page that shows none of the member's data: no form, no choices, no token. */
export function expectNoMemberData(html: string) {
  expect(html).not.toContain('<form');
  expect(html).not.toContain('_form');
  expect(html).not.toMatch(/Coffee|pledge|ada@example/);
}

/** The member's memberships in the built-in declared scheme, by segment name. */
export async function declaredSegments(deps: Deps, programId: string, memberId: string): Promise<string[]> {
  const rows = await deps.db
    .selectFrom('segment_memberships as s')
    .innerJoin('members as m', (join) =>
      join.onRef('m.program_id', '=', 's.program_id').onRef('m.member_id', '=', 's.member_id'),
    )
    .select('s.segment')
    .where('s.program_id', '=', programId)
    .where('m.external_id', '=', memberId)
    .where('s.scheme', '=', 'declared')
    .orderBy('s.segment')
    .execute();
  return rows.map((row) => row.segment);
}

/**
 * The HTTP app in-process on the test database, with a clock the test sets (`clock.now`, back to
 * TEST_NOW before each test) and every log line kept in `logged`.
 */
export async function preferenceTestApp() {
  const database = await openTestDatabase();
  const clock = { now: TEST_NOW };
  const logged: string[] = [];
  const keep = (message: string, fields?: Record<string, unknown>) =>
    logged.push(JSON.stringify([message, fields]));
  const log: Log = { info: keep, warn: keep, error: keep };
  const deps: Deps = { db: database.db, clock: () => clock.now, log };
  return { database, deps, app: createApp(deps), clock, logged };
}

/** A submit of every part of the page: interests, channel, consent, birthday and the pledge. */
export const fullForm = (token: string): [string, string][] => [
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
