import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { get, postJson } from '../../../test/fixtures/http.ts';
import { openApiSchemas } from '../../../test/fixtures/openapi-validator.ts';
import { programWithKey, testDeps } from '../../../test/fixtures/programs.ts';
import { createApp } from '../app.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());
const app = createApp(deps);

describe('the segment part of the OpenAPI document', () => {
  it('publishes the recursive rule once and describes real request and response bodies', async () => {
    const schemaOf = await openApiSchemas(app);
    const rule = {
      all: [
        { feature: 'monetary_total', op: 'gte', value: 500 },
        { not: { feature: 'tier', op: 'eq', value: 'x' } },
      ],
    };
    expect(schemaOf('SegmentRule')(rule)).toBe(true);
    expect(schemaOf('SegmentRule')({ all: [{ feature: 'monetary_total', op: 'roughly', value: 500 }] })).toBe(
      false,
    );
    const input = { scheme: 'targets', name: 'big', label: 'Big', rule };
    expect(schemaOf('CreateSegmentInput')(input)).toBe(true);
    expect(schemaOf('CreateSegmentInput')({ ...input, rule: { all: [] } })).toBe(false);

    const { programId, key } = await programWithKey(deps);
    const created = await postJson(
      app,
      `/v1/programs/${programId}/segments`,
      { ...input, rule: { feature: 'monetary_total', op: 'gte', value: 500 } },
      key,
    );
    expect(schemaOf('SegmentDetail')(await created.json())).toBe(true);
    expect(
      schemaOf('SegmentList')(await (await get(app, `/v1/programs/${programId}/segments`, key)).json()),
    ).toBe(true);
    const webhook = await postJson(
      app,
      `/v1/programs/${programId}/webhooks`,
      { url: 'https://example.com/h' },
      key,
    );
    expect(schemaOf('CreatedWebhook')(await webhook.json())).toBe(true);
  });
});
