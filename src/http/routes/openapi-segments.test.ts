import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { get, postJson } from '../../../test/fixtures/http.ts';
import { programWithKey, testDeps } from '../../../test/fixtures/programs.ts';
import { createApp } from '../app.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());
const app = createApp(deps);

async function validatorFor() {
  const document = (await (await app.request('/openapi.json')).json()) as { components: object };
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  ajv.addSchema({ $id: 'narrowcast', components: document.components });
  return (name: string, value: unknown) => {
    const validate = ajv.getSchema(`narrowcast#/components/schemas/${name}`);
    if (!validate) throw new Error(`no schema ${name}`);
    return validate(value) as boolean;
  };
}

describe('the segment part of the OpenAPI document', () => {
  it('publishes the recursive rule once and describes real request and response bodies', async () => {
    const valid = await validatorFor();
    const rule = {
      all: [
        { feature: 'monetary_total', op: 'gte', value: 500 },
        { not: { feature: 'tier', op: 'eq', value: 'x' } },
      ],
    };
    expect(valid('SegmentRule', rule)).toBe(true);
    expect(valid('SegmentRule', { all: [{ feature: 'monetary_total', op: 'roughly', value: 500 }] })).toBe(
      false,
    );
    const input = { scheme: 'targets', name: 'big', label: 'Big', rule };
    expect(valid('CreateSegmentInput', input)).toBe(true);
    expect(valid('CreateSegmentInput', { ...input, rule: { all: [] } })).toBe(false);

    const { programId, key } = await programWithKey(deps);
    const created = await postJson(
      app,
      `/v1/programs/${programId}/segments`,
      { ...input, rule: { feature: 'monetary_total', op: 'gte', value: 500 } },
      key,
    );
    expect(valid('SegmentDetail', await created.json())).toBe(true);
    expect(
      valid('SegmentList', await (await get(app, `/v1/programs/${programId}/segments`, key)).json()),
    ).toBe(true);
    const webhook = await postJson(
      app,
      `/v1/programs/${programId}/webhooks`,
      { url: 'https://example.com/h' },
      key,
    );
    expect(valid('CreatedWebhook', await webhook.json())).toBe(true);
  });
});
