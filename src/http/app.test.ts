import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/fixtures/database.ts';
import { authHeaders, expectError, get, postJson } from '../../test/fixtures/http.ts';
import { keyFor, programWithKey, sampleRecords, testDeps } from '../../test/fixtures/programs.ts';
import { createApp } from './app.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());
const app = createApp(deps);

describe('the HTTP app', () => {
  it('answers /health without a key', async () => {
    const response = await app.request('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it('answers an unknown route with the error body and 404', async () => {
    await expectError(await app.request('/nowhere'), 404, 'NOT_FOUND');
    await expectError(await app.request('/health', { method: 'DELETE' }), 404, 'NOT_FOUND');
  });

  it('answers an unknown /v1 route with 404 once the key is valid', async () => {
    const { key } = await programWithKey(deps);
    await expectError(await get(app, '/v1/nowhere', key), 404, 'NOT_FOUND');
  });

  it('sends security headers on every response', async () => {
    const response = await app.request('/health');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('echoes a well-formed X-Request-Id and replaces a malformed one', async () => {
    const kept = await app.request('/nowhere', { headers: { 'x-request-id': 'client-req-1' } });
    expect((await expectError(kept, 404, 'NOT_FOUND')).error.requestId).toBe('client-req-1');
    const replaced = await app.request('/nowhere', { headers: { 'x-request-id': 'bad id <script>' } });
    expect((await expectError(replaced, 404, 'NOT_FOUND')).error.requestId).not.toContain('<');
  });
});

describe('authentication', () => {
  const path = (programId: string) => `/v1/programs/${programId}/members/m1`;

  it('refuses a request without a key with 401', async () => {
    const { programId } = await programWithKey(deps);
    const body = await expectError(await get(app, path(programId)), 401, 'UNAUTHENTICATED');
    expect(body.error.message).toContain('Authorization: Bearer');
  });

  it('refuses a malformed key, a key under another scheme and an empty bearer with 401', async () => {
    const { programId, key } = await programWithKey(deps);
    for (const authorization of [
      `Basic ${key}`,
      'Bearer ',
      'Bearer nck_short_secret',
      `Bearer ${key}x`,
      key,
    ]) {
      const response = await app.request(path(programId), { headers: { authorization } });
      await expectError(response, 401, 'UNAUTHENTICATED');
    }
  });

  it('refuses an unknown key and a known id with the wrong secret alike', async () => {
    const { programId, key } = await programWithKey(deps);
    const wrongSecret =
      `${key.slice(0, -4)}AAAA` === key ? `${key.slice(0, -4)}BBBB` : `${key.slice(0, -4)}AAAA`;
    const unknownId = `nck_AAAAAAAAAAAA_${key.slice(-43)}`;
    const a = await expectError(await get(app, path(programId), wrongSecret), 401, 'UNAUTHENTICATED');
    const b = await expectError(await get(app, path(programId), unknownId), 401, 'UNAUTHENTICATED');
    expect(a.error.message).toBe(b.error.message);
  });

  it('refuses a revoked key with 401', async () => {
    const { programId, key, keyId } = await programWithKey(deps);
    await postJson(app, `/v1/programs/${programId}/members`, { records: [sampleRecords('m1').members] }, key);
    expect((await get(app, path(programId), key)).status).toBe(200);
    await deps.db.updateTable('api_keys').set({ revoked_at: new Date() }).where('id', '=', keyId).execute();
    await expectError(await get(app, path(programId), key), 401, 'UNAUTHENTICATED');
  });

  it('accepts the bearer scheme in any letter case', async () => {
    const { programId, key } = await programWithKey(deps);
    await postJson(app, `/v1/programs/${programId}/members`, { records: [sampleRecords('m1').members] }, key);
    const response = await app.request(path(programId), { headers: { authorization: `bearer ${key}` } });
    expect(response.status).toBe(200);
  });

  it('checks the key before reading the body, so an anonymous oversized body gets 401', async () => {
    const small = createApp(deps, { maxBodyBytes: 100 });
    const { programId } = await programWithKey(deps);
    const response = await small.request(`/v1/programs/${programId}/members`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ records: [{ id: 'x'.repeat(500) }] }),
    });
    await expectError(response, 401, 'UNAUTHENTICATED');
  });
});

describe('the body limit', () => {
  const small = createApp(deps, { maxBodyBytes: 200 });
  const bigBody = JSON.stringify({ records: [{ id: 'm1', tier: 'x'.repeat(400) }] });

  it('refuses a body over the limit with 413 and applies nothing', async () => {
    const { programId, key } = await programWithKey(deps);
    const response = await small.request(`/v1/programs/${programId}/members`, {
      method: 'POST',
      headers: authHeaders(key, { 'content-type': 'application/json' }),
      body: bigBody,
    });
    const body = await expectError(response, 413, 'PAYLOAD_TOO_LARGE');
    expect(body.error.message).toContain('200 bytes');
    const stored = await deps.db
      .selectFrom('members')
      .select('external_id')
      .where('program_id', '=', programId)
      .execute();
    expect(stored).toEqual([]);
  });

  it('refuses a body over the limit by its declared length without reading it', async () => {
    const { programId, key } = await programWithKey(deps);
    const response = await small.request(`/v1/programs/${programId}/members`, {
      method: 'POST',
      headers: authHeaders(key, { 'content-type': 'application/json', 'content-length': '5000' }),
      body: '{}',
    });
    await expectError(response, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('accepts a body under the limit', async () => {
    const { programId, key } = await programWithKey(deps);
    const response = await postJson(
      small,
      `/v1/programs/${programId}/members`,
      { records: [{ id: 'm1' }] },
      key,
    );
    expect(response.status).toBe(201);
  });
});

describe('unexpected errors', () => {
  it('answer 500 with the error body and log the cause without showing it', async () => {
    const logged: unknown[] = [];
    const { programId, key } = await programWithKey(deps);
    const broken = createApp({
      ...deps,
      log: { info() {}, warn() {}, error: (message, fields) => logged.push({ message, fields }) },
      // A fault injected into the real database, not a mock of it.
      db: new Proxy(deps.db, {
        get(target, property) {
          if (property === 'transaction')
            return () => {
              throw new Error('database exploded: secret detail');
            };
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }),
    });
    const response = await postJson(
      broken,
      `/v1/programs/${programId}/members`,
      { records: [{ id: 'm1' }] },
      key,
    );
    const body = await expectError(response, 500, 'INTERNAL');
    expect(JSON.stringify(body)).not.toContain('secret detail');
    expect(JSON.stringify(logged)).toContain('secret detail');
    expect(JSON.stringify(logged)).toContain(body.error.requestId);
  });

  it('keeps a second key of the program working when the first is revoked', async () => {
    const { programId, keyId } = await programWithKey(deps);
    const second = await keyFor(deps, programId, ['read']);
    await deps.db.updateTable('api_keys').set({ revoked_at: new Date() }).where('id', '=', keyId).execute();
    await expectError(await get(app, `/v1/programs/${programId}/members/none`, second), 404, 'NOT_FOUND');
  });
});
