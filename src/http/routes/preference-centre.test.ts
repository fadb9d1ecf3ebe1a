import { afterAll, describe, expect, it } from 'vitest';
import { COFFEE_QUIZ, PLEDGE } from '../../../test/browser/preference-fixtures.ts';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { authHeaders, expectError, get, postJson } from '../../../test/fixtures/http.ts';
import { keyFor, programWithKey, testDeps } from '../../../test/fixtures/programs.ts';
import { MemberLink, PreferenceCentreConfig, Quiz } from '../../contracts/preferences.ts';
import { DEFAULT_PREFERENCE_CONFIG } from '../../domain/preferences/default-config.ts';
import { createApp } from '../app.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());
const app = createApp(deps);

const put = (path: string, body: unknown, key: string) =>
  app.request(path, {
    method: 'PUT',
    headers: authHeaders(key, { 'content-type': 'application/json' }),
    body: JSON.stringify(body),
  });

async function programWithMember() {
  const program = await programWithKey(deps);
  const created = await postJson(
    app,
    `/v1/programs/${program.programId}/members`,
    { records: [{ id: 'M1' }] },
    program.key,
  );
  expect(created.status).toBe(201);
  return program;
}

describe('the preference-centre configuration over HTTP', () => {
  it('serves the default until a program sets its own, then the one it set', async () => {
    const { programId, key } = await programWithKey(deps);
    const path = `/v1/programs/${programId}/preference-centre`;
    expect(PreferenceCentreConfig.parse(await (await get(app, path, key)).json())).toEqual(
      DEFAULT_PREFERENCE_CONFIG,
    );
    const config = {
      ...DEFAULT_PREFERENCE_CONFIG,
      title: 'Your Bean & Leaf profile',
      staleAfterDays: 180,
      interests: { ...DEFAULT_PREFERENCE_CONFIG.interests, options: [{ value: 'oolong', label: 'Oolong' }] },
    };
    const stored = await put(path, config, key);
    expect(stored.status).toBe(200);
    expect(await (await get(app, path, key)).json()).toEqual(config);
  });

  it('refuses an invalid configuration with each problem at its JSON path', async () => {
    const { programId, key } = await programWithKey(deps);
    const bad = {
      ...DEFAULT_PREFERENCE_CONFIG,
      linkTtlDays: 0,
      values: { ...DEFAULT_PREFERENCE_CONFIG.values, options: [{ value: 'Not A Slug', label: 'x' }] },
    };
    const body = await expectError(
      await put(`/v1/programs/${programId}/preference-centre`, bad, key),
      422,
      'INVALID_INPUT',
    );
    expect((body.error.details as { problems: { path: string }[] }).problems.map((p) => p.path)).toEqual([
      'linkTtlDays',
      'values.options[0].value',
    ]);
  });

  it('lets only a manage key of the program change it', async () => {
    const { programId } = await programWithKey(deps);
    const readOnly = await keyFor(deps, programId, ['read']);
    const other = await programWithKey(deps);
    const path = `/v1/programs/${programId}/preference-centre`;
    await expectError(await put(path, DEFAULT_PREFERENCE_CONFIG, readOnly), 403, 'FORBIDDEN');
    await expectError(await put(path, DEFAULT_PREFERENCE_CONFIG, other.key), 403, 'FORBIDDEN');
    await expectError(await get(app, path, other.key), 403, 'FORBIDDEN');
  });
});

describe('quizzes, polls and challenges over HTTP', () => {
  it('creates, replaces, lists and archives a quiz, resolving each question to its declaration key', async () => {
    const { programId, key } = await programWithKey(deps);
    const path = `/v1/programs/${programId}/quizzes/${COFFEE_QUIZ.id}`;
    const created = await put(path, COFFEE_QUIZ, key);
    expect(created.status).toBe(201);
    const quiz = Quiz.parse(await created.json());
    expect(quiz.questions[0]?.key).toBe('quiz.coffee_style');
    expect(quiz.segments.map((segment) => [segment.name, segment.rule])).toEqual([
      [
        'routine_seekers',
        { feature: 'declared.quiz.coffee_style', op: 'in', value: ['same_favourite_every_time'] },
      ],
      [
        'flavor_innovators',
        { feature: 'declared.quiz.coffee_style', op: 'in', value: ['always_trying_new_flavours'] },
      ],
    ]);
    expect(quiz.status).toBe('active');
    expect((await put(path, { ...COFFEE_QUIZ, points: 75 }, key)).status).toBe(200);
    await put(`/v1/programs/${programId}/quizzes/pledge`, PLEDGE, key);

    const listed = (await (await get(app, `/v1/programs/${programId}/quizzes`, key)).json()) as {
      quizzes: Quiz[];
    };
    expect(listed.quizzes.map((q) => [q.id, q.points])).toEqual([
      ['coffee_style', 75],
      ['pledge', 100],
    ]);
    const archived = await app.request(path, { method: 'DELETE', headers: authHeaders(key) });
    expect(Quiz.parse(await archived.json()).status).toBe('archived');
    const active = (await (await get(app, `/v1/programs/${programId}/quizzes`, key)).json()) as {
      quizzes: Quiz[];
    };
    expect(active.quizzes.map((q) => q.id)).toEqual(['pledge']);
    const all = (await (
      await get(app, `/v1/programs/${programId}/quizzes?include=archived`, key)
    ).json()) as {
      quizzes: Quiz[];
    };
    expect(all.quizzes.map((q) => q.id)).toEqual(['coffee_style', 'pledge']);
  });

  it("refuses a quiz that would write a key the page's sections or another quiz already use", async () => {
    const { programId, key } = await programWithKey(deps);
    const section = { ...PLEDGE, questions: [{ ...PLEDGE.questions[0], key: 'interest' }] };
    const clash = await expectError(
      await put(`/v1/programs/${programId}/quizzes/pledge`, section, key),
      422,
      'INVALID_INPUT',
    );
    expect(clash.error.message).toContain('"interest"');
    await put(`/v1/programs/${programId}/quizzes/coffee_style`, COFFEE_QUIZ, key);
    const twin = { ...PLEDGE, id: 'twin', questions: [{ ...PLEDGE.questions[0], key: 'quiz.coffee_style' }] };
    const taken = await expectError(
      await put(`/v1/programs/${programId}/quizzes/twin`, twin, key),
      422,
      'INVALID_INPUT',
    );
    expect(taken.error.message).toContain('quiz "coffee_style" already uses');
  });

  it('refuses a body whose id differs from the path, a poll with one answer, and a missing quiz', async () => {
    const { programId, key } = await programWithKey(deps);
    await expectError(
      await put(`/v1/programs/${programId}/quizzes/other`, COFFEE_QUIZ, key),
      422,
      'INVALID_INPUT',
    );
    const poll = { ...PLEDGE, kind: 'poll' };
    const body = await expectError(
      await put(`/v1/programs/${programId}/quizzes/pledge`, poll, key),
      422,
      'INVALID_INPUT',
    );
    expect((body.error.details as { problems: { path: string }[] }).problems[0]?.path).toBe(
      'questions[0].answers',
    );
    await expectError(await get(app, `/v1/programs/${programId}/quizzes/nope`, key), 404, 'NOT_FOUND');
  });

  it("never shows or changes another program's quizzes", async () => {
    const a = await programWithKey(deps);
    const b = await programWithKey(deps);
    await put(`/v1/programs/${a.programId}/quizzes/pledge`, PLEDGE, a.key);
    await expectError(await get(app, `/v1/programs/${a.programId}/quizzes`, b.key), 403, 'FORBIDDEN');
    await expectError(
      await put(`/v1/programs/${a.programId}/quizzes/pledge`, PLEDGE, b.key),
      403,
      'FORBIDDEN',
    );
    await expectError(await get(app, `/v1/programs/${b.programId}/quizzes/pledge`, b.key), 404, 'NOT_FOUND');
  });
});

describe('POST /v1/programs/:programId/members/:memberId/preference-link', () => {
  it("returns a signed link that opens the member's page", async () => {
    const { programId, key } = await programWithMember();
    const response = await postJson(
      app,
      `/v1/programs/${programId}/members/M1/preference-link?ttlDays=7`,
      {},
      key,
    );
    expect(response.status).toBe(201);
    const link = MemberLink.parse(await response.json());
    expect(link.expiresAt).toBe('2024-06-08T00:00:00.000Z');
    expect(link.url).toBe(`http://localhost${link.path}`);
    expect((await app.request(link.path)).status).toBe(200);
  });

  it('answers 404 for a member the program does not have and 403 without the manage scope', async () => {
    const { programId, key } = await programWithMember();
    await expectError(
      await postJson(app, `/v1/programs/${programId}/members/nobody/preference-link`, {}, key),
      404,
      'NOT_FOUND',
    );
    const reader = await keyFor(deps, programId, ['read', 'ingest']);
    await expectError(
      await postJson(app, `/v1/programs/${programId}/members/M1/preference-link`, {}, reader),
      403,
      'FORBIDDEN',
    );
  });
});
