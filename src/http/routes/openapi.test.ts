import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { expectError, get, postJson } from '../../../test/fixtures/http.ts';
import { fetchOpenApiDocument, schemaValidator } from '../../../test/fixtures/openapi-validator.ts';
import { programWithKey, sampleRecords, testDeps } from '../../../test/fixtures/programs.ts';
import { ErrorBody } from '../../contracts/errors.ts';
import { MemberView } from '../../contracts/member-view.ts';
import { RECORD_SCHEMAS, type RecordKind } from '../../contracts/records.ts';
import { MAX_BATCH_RECORDS } from '../../services/ingest-batch.ts';
import { createApp } from '../app.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());
const app = createApp(deps);

const KINDS = Object.keys(RECORD_SCHEMAS) as RecordKind[];

describe('GET /openapi.json', () => {
  it('serves a valid OpenAPI 3.1 document without a key', async () => {
    expect(Validator.supportedVersions.has('3.1')).toBe(true);
    const document = await fetchOpenApiDocument(app);
    expect(document.openapi).toMatch(/^3\.1\./);
    const validator = new Validator();
    const result = await validator.validate(document as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes a batch ingest path for every record kind and the member read', async () => {
    const document = await fetchOpenApiDocument(app);
    const paths = Object.keys(document.paths).sort();
    expect(paths).toEqual(
      [
        ...KINDS.map((kind) => `/v1/programs/{programId}/${kind}`),
        '/v1/programs/{programId}/members/{memberId}',
        '/v1/programs/{programId}/reports/campaigns/{name}',
        '/v1/programs/{programId}/reports/compare',
        '/v1/programs/{programId}/reports/health',
        '/v1/programs/{programId}/segments',
        '/v1/programs/{programId}/segments/{scheme}/{name}',
        '/v1/programs/{programId}/segments/{scheme}/{name}/members',
        '/v1/programs/{programId}/segments/{scheme}/{name}/export',
        '/v1/programs/{programId}/segment-migration',
        '/v1/programs/{programId}/segment-overlap',
        '/v1/programs/{programId}/segment-sizes',
        '/v1/programs/{programId}/segment-thresholds',
        '/v1/programs/{programId}/webhooks',
        '/v1/programs/{programId}/webhooks/{webhookId}/disable',
        '/v1/programs/{programId}/preference-centre',
        '/v1/programs/{programId}/quizzes',
        '/v1/programs/{programId}/quizzes/{quizId}',
        '/v1/programs/{programId}/members/{memberId}/preference-link',
        '/v1/programs/{programId}/campaigns',
        '/v1/programs/{programId}/campaigns/{name}',
        '/v1/programs/{programId}/campaigns/{name}/approve',
        '/v1/programs/{programId}/campaigns/{name}/cancel',
        '/v1/programs/{programId}/campaigns/{name}/preview',
        '/v1/programs/{programId}/campaigns/{name}/launch',
        '/v1/programs/{programId}/campaigns/{name}/members/{memberId}/why',
        '/v1/programs/{programId}/campaign-policy',
        '/v1/programs/{programId}/suppressions/{list}',
        '/v1/programs/{programId}/delivery/channels',
        '/v1/programs/{programId}/delivery/channels/{channel}',
        '/v1/programs/{programId}/delivery/feedback-secret',
        '/hooks/delivery-feedback/{programId}',
        '/t/o/{token}.gif',
        '/t/c/{token}',
        '/u/{token}',
      ].sort(),
    );
    for (const kind of KINDS) {
      const body = document.paths[`/v1/programs/{programId}/${kind}`]?.post?.requestBody;
      expect(body?.content['application/json']?.schema).toMatchObject({
        required: ['records'],
        properties: {
          records: { maxItems: MAX_BATCH_RECORDS, items: { $ref: `#/components/schemas/${kind}` } },
        },
      });
    }
  });

  it('publishes request schemas that accept what the contracts accept and refuse unknown or missing fields', async () => {
    const document = await fetchOpenApiDocument(app);
    const schemaOf = schemaValidator(document);
    for (const kind of KINDS) {
      const valid = schemaOf(kind);
      const record: Record<string, unknown> = { ...sampleRecords('m1')[kind] };
      expect(RECORD_SCHEMAS[kind].safeParse(record).success, kind).toBe(true);
      expect(valid(record), `${kind} sample`).toBe(true);
      expect(valid({ ...record, notAField: 1 }), `${kind} with an unknown field`).toBe(false);
      const { id: _, ...withoutId } = record;
      expect(valid(withoutId), `${kind} without id`).toBe(false);
    }
  });

  it('marks as required exactly the fields the contracts require', async () => {
    const document = await fetchOpenApiDocument(app);
    for (const kind of KINDS) {
      const fields: Record<string, { safeParse(value: unknown): { success: boolean } }> =
        RECORD_SCHEMAS[kind].shape;
      const required = Object.keys(fields).filter((name) => !fields[name]?.safeParse(undefined).success);
      const published = (document.components.schemas[kind] as { required?: string[] }).required ?? [];
      expect([...published].sort(), kind).toEqual(required.sort());
    }
  });

  it('describes response bodies that the responses really have', async () => {
    const document = await fetchOpenApiDocument(app);
    const schemaOf = schemaValidator(document);
    const { programId, key } = await programWithKey(deps);
    const created = await postJson(
      app,
      `/v1/programs/${programId}/members`,
      { records: [sampleRecords('m1').members] },
      key,
    );
    expect(schemaOf('BatchResult')(await created.json())).toBe(true);
    const member = await (await get(app, `/v1/programs/${programId}/members/m1`, key)).json();
    expect(MemberView.safeParse(member).success).toBe(true);
    expect(schemaOf('MemberView')(member)).toBe(true);
    const error = await (await get(app, `/v1/programs/${programId}/members/nobody`, key)).json();
    expect(ErrorBody.safeParse(error).success).toBe(true);
    expect(schemaOf('ErrorBody')(error)).toBe(true);
  });

  it('describes a timestamp as a string, not as anything at all', async () => {
    const document = await fetchOpenApiDocument(app);
    const schemaOf = schemaValidator(document);
    const valid = schemaOf('points');
    expect(valid({ ...sampleRecords('m1').points, occurredAt: 20240301 })).toBe(false);
    expect(valid({ ...sampleRecords('m1').points, occurredAt: { at: 'noon' } })).toBe(false);
  });

  it('declares bearer authentication on every /v1 operation, and none where a signature is the authority', async () => {
    const document = await fetchOpenApiDocument(app);
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const expected = path.startsWith('/v1/') ? [{ apiKey: [] }] : [];
        expect((operation as { security?: unknown }).security, `${method} ${path}`).toEqual(expected);
      }
    }
  });

  it('publishes the delivery contracts so that a valid channel change and feedback batch pass and bad ones do not', async () => {
    const valid = schemaValidator(await fetchOpenApiDocument(app));
    const change = valid('ChannelSettingsChange');
    expect(change({ url: 'https://sms.example/hook', ratePerSecond: 5 })).toBe(true);
    expect(change({ url: null, ratePerSecond: null })).toBe(true);
    expect(change({ ratePerSecond: 0 })).toBe(false);
    expect(change({ secret: 'mine' })).toBe(false);
    const feedback = valid('FeedbackBatch');
    expect(
      feedback({
        events: [{ id: 'r1', type: 'bounced', bounce: 'hard', messageId: 'ncm_x', occurredAt: '2024-06-01' }],
      }),
    ).toBe(true);
    expect(
      feedback({ events: [{ id: 'r1', type: 'opened', messageId: 'ncm_x', occurredAt: '2024-06-01' }] }),
    ).toBe(false);
    expect(feedback({ events: [] })).toBe(false);
  });

  it('answers a write to the document with 404', async () => {
    await expectError(await app.request('/openapi.json', { method: 'POST', body: '{}' }), 404, 'NOT_FOUND');
  });
});
