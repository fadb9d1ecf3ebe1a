import { afterAll, describe, expect, it } from 'vitest';
import { COFFEE_QUIZ } from '../../../test/browser/preference-fixtures.ts';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { authHeaders, get, postJson } from '../../../test/fixtures/http.ts';
import { openApiSchemas } from '../../../test/fixtures/openapi-validator.ts';
import { programWithKey, sampleRecords, testDeps } from '../../../test/fixtures/programs.ts';
import { createApp } from '../app.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());
const app = createApp(deps);

describe('the preference-centre part of the OpenAPI document', () => {
  it('describes the bodies the quiz, configuration and link routes really take and give', async () => {
    const schemaOf = await openApiSchemas(app);
    const { programId, key } = await programWithKey(deps);
    const { id: _, ...body } = COFFEE_QUIZ;
    expect(schemaOf('QuizDefinitionInput')(body)).toBe(true);
    expect(schemaOf('QuizDefinitionInput')({ ...body, kind: 'survey' })).toBe(false);
    const defined = await app.request(`/v1/programs/${programId}/quizzes/coffee_style`, {
      method: 'PUT',
      headers: authHeaders(key, { 'content-type': 'application/json' }),
      body: JSON.stringify(body),
    });
    expect(defined.status).toBe(201);
    expect(schemaOf('Quiz')(await defined.json())).toBe(true);
    const list = (await (await get(app, `/v1/programs/${programId}/quizzes`, key)).json()) as {
      quizzes: unknown[];
    };
    expect(list.quizzes).toHaveLength(1);
    expect(list.quizzes.every((quiz) => schemaOf('Quiz')(quiz))).toBe(true);

    const config = await (await get(app, `/v1/programs/${programId}/preference-centre`, key)).json();
    expect(schemaOf('PreferenceCentreConfig')(config)).toBe(true);
    expect(schemaOf('PreferenceCentreConfigInput')(config)).toBe(true);
    expect(schemaOf('PreferenceCentreConfigInput')({ ...(config as object), colour: 'teal' })).toBe(false);

    await postJson(app, `/v1/programs/${programId}/members`, { records: [sampleRecords('M1').members] }, key);
    const link = await postJson(app, `/v1/programs/${programId}/members/M1/preference-link`, {}, key);
    expect(link.status).toBe(201);
    expect(schemaOf('MemberLink')(await link.json())).toBe(true);
  });
});
