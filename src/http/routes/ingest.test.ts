import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { authHeaders, expectError, postJson } from '../../../test/fixtures/http.ts';
import { keyFor, programWithKey, sampleRecords, testDeps } from '../../../test/fixtures/programs.ts';
import { RecordProblem } from '../../contracts/errors.ts';
import { RECORD_SCHEMAS, type RecordKind } from '../../contracts/records.ts';
import { MAX_BATCH_RECORDS } from '../../services/ingest-batch.ts';
import { createApp } from '../app.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());
const app = createApp(deps);

const KINDS = Object.keys(RECORD_SCHEMAS) as RecordKind[];
const TABLES = {
  members: 'members',
  accounts: 'accounts',
  purchases: 'purchases',
  points: 'points',
  engagement: 'engagement',
  surveys: 'surveys',
  declarations: 'declarations',
  consents: 'consents',
  'message-events': 'message_events',
} as const satisfies Record<RecordKind, string>;

async function stored(programId: string, kind: RecordKind): Promise<number> {
  const row = await deps.db
    .selectFrom(TABLES[kind])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('program_id', '=', programId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A program with member m1 loaded, and a key with every scope. */
async function programWithMember() {
  const program = await programWithKey(deps);
  await postJson(
    app,
    `/v1/programs/${program.programId}/members`,
    { records: [sampleRecords('m1').members] },
    program.key,
  );
  return program;
}

const problemsOf = (details: unknown) =>
  RecordProblem.array().parse((details as { problems: unknown }).problems);

describe('POST /v1/programs/:programId/:kind', () => {
  it.each(KINDS)('stores a batch of %s and answers 201 with the counts', async (kind) => {
    const { programId, key } = await programWithMember();
    const before = await stored(programId, kind);
    const record = sampleRecords('m1', 'new')[kind];
    const response = await postJson(app, `/v1/programs/${programId}/${kind}`, { records: [record] }, key);
    expect(response.status).toBe(kind === 'members' ? 200 : 201);
    const body = await response.json();
    // m1 is already stored with the same details, so the members batch is a duplicate.
    expect(body).toEqual(
      kind === 'members'
        ? { kind, received: 1, inserted: 0, updated: 0, duplicate: 1 }
        : { kind, received: 1, inserted: 1, updated: 0, duplicate: 0 },
    );
    expect(await stored(programId, kind)).toBe(before + (kind === 'members' ? 0 : 1));
  });

  it('stores a purchase with its items and the exact amounts', async () => {
    const { programId, key } = await programWithMember();
    await postJson(
      app,
      `/v1/programs/${programId}/purchases`,
      { records: [sampleRecords('m1').purchases] },
      key,
    );
    const purchase = await deps.db
      .selectFrom('purchases')
      .select(['amount', 'merchandise_amount', 'item_count'])
      .where('program_id', '=', programId)
      .executeTakeFirstOrThrow();
    expect(purchase).toEqual({ amount: '7.5000', merchandise_amount: '2.5000', item_count: 2 });
  });

  it('treats a re-sent batch as duplicates, answers 200 and stores nothing twice', async () => {
    const { programId, key } = await programWithMember();
    const records = [sampleRecords('m1', 'a').points, sampleRecords('m1', 'b').points];
    const first = await postJson(app, `/v1/programs/${programId}/points`, { records }, key);
    expect(first.status).toBe(201);
    const again = await postJson(app, `/v1/programs/${programId}/points`, { records }, key);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({
      kind: 'points',
      received: 2,
      inserted: 0,
      updated: 0,
      duplicate: 2,
    });
    expect(await stored(programId, 'points')).toBe(2);
  });

  it('counts a record repeated inside one batch once', async () => {
    const { programId, key } = await programWithMember();
    const record = sampleRecords('m1').engagement;
    const response = await postJson(
      app,
      `/v1/programs/${programId}/engagement`,
      { records: [record, record] },
      key,
    );
    expect(await response.json()).toMatchObject({ received: 2, inserted: 1, duplicate: 1 });
  });

  it('updates a member re-sent with new details', async () => {
    const { programId, key } = await programWithMember();
    const changed = { ...sampleRecords('m1').members, tier: 'platinum' };
    const response = await postJson(app, `/v1/programs/${programId}/members`, { records: [changed] }, key);
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ inserted: 0, updated: 1 });
  });

  it('refuses a batch with bad records with 422, listing each by index and JSON path, and applies nothing', async () => {
    const { programId, key } = await programWithMember();
    const good = sampleRecords('m1', 'good').purchases;
    const records = [
      good,
      { ...sampleRecords('m1', 'b1').purchases, items: [{ sku: 'A', quantity: 1, unitPrice: 'abc' }] },
      { ...sampleRecords('m1', 'b2').purchases, occurredAt: '2024-02-30' },
      { ...sampleRecords('m1', 'b3').purchases, memberId: undefined, colour: 'red' },
      'not an object',
    ];
    const response = await postJson(app, `/v1/programs/${programId}/purchases`, { records }, key);
    const body = await expectError(response, 422, 'INVALID_INPUT');
    expect(body.error.message).toContain('nothing was applied');
    const problems = problemsOf(body.error.details);
    const places = problems.map((p) => [p.index, p.path]).sort((a, b) => String(a).localeCompare(String(b)));
    expect(places).toEqual([
      [1, 'items[0].unitPrice'],
      [2, 'occurredAt'],
      [3, 'colour'],
      [3, 'memberId'],
      [4, '(record)'],
    ]);
    expect(problems.find((p) => p.path === 'memberId')?.message).toBe('is required');
    expect(await stored(programId, 'purchases')).toBe(0);
  });

  it('refuses events of a member the program does not have, naming the record, and applies nothing', async () => {
    const { programId, key } = await programWithMember();
    const records = [sampleRecords('m1', 'a').surveys, sampleRecords('ghost', 'b').surveys];
    const body = await expectError(
      await postJson(app, `/v1/programs/${programId}/surveys`, { records }, key),
      422,
      'INVALID_INPUT',
    );
    expect(problemsOf(body.error.details)).toEqual([
      {
        index: 1,
        path: 'memberId',
        message: 'names a member this program does not have; load the member first',
      },
    ]);
    expect(await stored(programId, 'surveys')).toBe(0);
  });

  it('refuses an id reused with another payload with 409 and applies nothing', async () => {
    const { programId, key } = await programWithMember();
    const record = sampleRecords('m1').consents;
    await postJson(app, `/v1/programs/${programId}/consents`, { records: [record] }, key);
    const records = [sampleRecords('m1', 'other').consents, { ...record, status: 'revoked' }];
    const body = await expectError(
      await postJson(app, `/v1/programs/${programId}/consents`, { records }, key),
      409,
      'ID_CONFLICT',
    );
    expect(problemsOf(body.error.details)).toEqual([
      { index: 1, path: 'id', message: `id "${record.id}" was already used for a different consents record` },
    ]);
    expect(await stored(programId, 'consents')).toBe(1);
  });

  it('refuses an id used twice with different payloads in one batch with 409', async () => {
    const { programId, key } = await programWithMember();
    const record = sampleRecords('m1').declarations;
    const records = [record, { ...record, value: 'tea' }];
    const body = await expectError(
      await postJson(app, `/v1/programs/${programId}/declarations`, { records }, key),
      409,
      'ID_CONFLICT',
    );
    expect(problemsOf(body.error.details).map((p) => p.index)).toEqual([1]);
    expect(await stored(programId, 'declarations')).toBe(0);
  });

  it(`refuses more than ${MAX_BATCH_RECORDS} records with 413 and applies nothing`, async () => {
    const { programId, key } = await programWithMember();
    const records = Array.from({ length: MAX_BATCH_RECORDS + 1 }, (_, i) => ({ id: `m-${i}` }));
    const body = await expectError(
      await postJson(app, `/v1/programs/${programId}/members`, { records }, key),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expect(body.error.message).toContain(String(MAX_BATCH_RECORDS));
    expect(await stored(programId, 'members')).toBe(1);
  });

  it(`accepts exactly ${MAX_BATCH_RECORDS} records`, async () => {
    const { programId, key } = await programWithMember();
    const records = Array.from({ length: MAX_BATCH_RECORDS }, (_, i) => ({
      id: `m-${i}`,
      joinedAt: '2024-01-01',
    }));
    const response = await postJson(app, `/v1/programs/${programId}/members`, { records }, key);
    expect(await response.json()).toMatchObject({ received: MAX_BATCH_RECORDS, inserted: MAX_BATCH_RECORDS });
    expect(await stored(programId, 'members')).toBe(MAX_BATCH_RECORDS + 1);
  });

  it('answers an unknown record kind with 404 naming the kinds there are', async () => {
    const { programId, key } = await programWithMember();
    const body = await expectError(
      await postJson(app, `/v1/programs/${programId}/orders`, { records: [] }, key),
      404,
      'NOT_FOUND',
    );
    expect(body.error.message).toContain('purchases');
  });

  it('refuses a body that is not JSON, or JSON of another shape, with 422', async () => {
    const { programId, key } = await programWithMember();
    const path = `/v1/programs/${programId}/members`;
    const send = (body: string, type = 'application/json') =>
      app.request(path, { method: 'POST', headers: authHeaders(key, { 'content-type': type }), body });
    await expectError(await send('{"records": [', 'application/json'), 422, 'INVALID_INPUT');
    await expectError(await send('id,joinedAt\nm2,2024-01-01', 'text/csv'), 422, 'INVALID_INPUT');
    await expectError(await send('[{"id":"m2"}]'), 422, 'INVALID_INPUT');
    await expectError(await send('null'), 422, 'INVALID_INPUT');
    await expectError(await send('{"records": {"id": "m2"}}'), 422, 'INVALID_INPUT');
    await expectError(
      await app.request(path, { method: 'POST', headers: authHeaders(key) }),
      422,
      'INVALID_INPUT',
    );
    expect(await stored(programId, 'members')).toBe(1);
  });

  it('accepts an empty batch and stores nothing', async () => {
    const { programId, key } = await programWithMember();
    const response = await postJson(app, `/v1/programs/${programId}/points`, { records: [] }, key);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      kind: 'points',
      received: 0,
      inserted: 0,
      updated: 0,
      duplicate: 0,
    });
  });

  it('refuses a key without the ingest scope with 403 and applies nothing', async () => {
    const { programId, key } = await programWithMember();
    const readOnly = await keyFor(deps, programId, ['read', 'manage']);
    const response = await postJson(
      app,
      `/v1/programs/${programId}/points`,
      { records: [sampleRecords('m1').points] },
      readOnly,
    );
    const body = await expectError(response, 403, 'FORBIDDEN');
    expect(body.error.message).toContain('"ingest" scope');
    expect(await stored(programId, 'points')).toBe(0);
    expect((await postJson(app, `/v1/programs/${programId}/points`, { records: [] }, key)).status).toBe(200);
  });

  it('refuses a key of another program with 403, whatever the kind, before looking at the body', async () => {
    const { programId } = await programWithMember();
    const other = await programWithKey(deps);
    for (const kind of [...KINDS, 'no-such-kind']) {
      const response = await app.request(`/v1/programs/${programId}/${kind}`, {
        method: 'POST',
        headers: authHeaders(other.key, { 'content-type': 'application/json' }),
        body: 'not json',
      });
      await expectError(response, 403, 'FORBIDDEN');
    }
  });

  it('refuses a request without a key with 401', async () => {
    const { programId } = await programWithMember();
    const response = await postJson(app, `/v1/programs/${programId}/points`, {
      records: [sampleRecords('m1').points],
    });
    await expectError(response, 401, 'UNAUTHENTICATED');
    expect(await stored(programId, 'points')).toBe(0);
  });
});
