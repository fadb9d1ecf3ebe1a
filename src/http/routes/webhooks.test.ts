import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { expectError, get, postJson } from '../../../test/fixtures/http.ts';
import { keyFor, programWithKey, testDeps } from '../../../test/fixtures/programs.ts';
import { CreatedWebhook, WebhookView } from '../../contracts/segments.ts';
import { createApp } from '../app.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());
const app = createApp(deps);

describe('webhooks over HTTP', () => {
  it('creates a webhook showing its secret once, lists it without, and disables it', async () => {
    const { programId, key } = await programWithKey(deps);
    const created = await postJson(
      app,
      `/v1/programs/${programId}/webhooks`,
      { url: 'https://example.com/narrowcast', events: ['segment.entered'] },
      key,
    );
    expect(created.status).toBe(201);
    const webhook = CreatedWebhook.parse(await created.json());
    expect(webhook.events).toEqual(['segment.entered']);

    const listed = await get(app, `/v1/programs/${programId}/webhooks`, key);
    const text = await listed.text();
    expect(text).not.toContain(webhook.secret);
    const { webhooks } = JSON.parse(text) as { webhooks: unknown[] };
    expect(webhooks.map((w) => WebhookView.strict().parse(w).id)).toEqual([webhook.id]);

    const disabled = await postJson(app, `/v1/programs/${programId}/webhooks/${webhook.id}/disable`, {}, key);
    expect(disabled.status).toBe(200);
    expect(((await disabled.json()) as { disabledAt: string }).disabledAt).toBeTruthy();
  });

  it('answers 422 for a URL that is not http(s)', async () => {
    const { programId, key } = await programWithKey(deps);
    const response = await postJson(
      app,
      `/v1/programs/${programId}/webhooks`,
      { url: 'file:///etc/passwd' },
      key,
    );
    const body = await expectError(response, 422, 'INVALID_INPUT');
    expect((body.error.details as { issues: { path: string }[] }).issues[0]?.path).toBe('url');
  });

  it('needs the manage scope, even to list, and the key of the same program', async () => {
    const { programId } = await programWithKey(deps);
    const reader = await keyFor(deps, programId, ['read', 'ingest']);
    await expectError(await get(app, `/v1/programs/${programId}/webhooks`, reader), 403, 'FORBIDDEN');
    await expectError(
      await postJson(app, `/v1/programs/${programId}/webhooks`, { url: 'https://example.com' }, reader),
      403,
      'FORBIDDEN',
    );
    const other = await programWithKey(deps);
    await expectError(await get(app, `/v1/programs/${programId}/webhooks`, other.key), 403, 'FORBIDDEN');
    await expectError(
      await postJson(app, `/v1/programs/${programId}/webhooks/wh_x/disable`, {}, other.key),
      403,
      'FORBIDDEN',
    );
    await expectError(
      await postJson(app, `/v1/programs/${other.programId}/webhooks/wh_x/disable`, {}, other.key),
      404,
      'NOT_FOUND',
    );
  });
});
