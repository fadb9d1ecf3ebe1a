import { afterAll, describe, expect, it } from 'vitest';
import { testCli } from '../../../test/fixtures/cli.ts';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { authHeaders, expectError, get, postJson } from '../../../test/fixtures/http.ts';
import { keyFor, programWithKey, testDeps } from '../../../test/fixtures/programs.ts';
import { createApp } from '../app.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());
const app = createApp(deps);

const put = (path: string, body: unknown, key?: string) =>
  app.request(path, {
    method: 'PUT',
    headers: authHeaders(key, { 'content-type': 'application/json' }),
    body: JSON.stringify(body),
  });

describe('delivery settings', () => {
  it('sets an SMS endpoint and rate, shows its secret once, and lists channels without it', async () => {
    const { programId, key } = await programWithKey(deps);
    const base = `/v1/programs/${programId}/delivery`;
    const set = await put(
      `${base}/channels/sms`,
      { url: 'https://sms.example/hook', ratePerSecond: 20 },
      key,
    );
    expect(set.status).toBe(200);
    const created = (await set.json()) as { secret: string };
    expect(created).toMatchObject({
      channel: 'sms',
      url: 'https://sms.example/hook',
      ratePerSecond: 20,
      hasSecret: true,
    });
    expect(created.secret).toMatch(/^chsec_[\w-]{43}$/);
    // A rate change keeps the endpoint and its secret, and does not show the secret again.
    const again = (await (await put(`${base}/channels/sms`, { ratePerSecond: 5 }, key)).json()) as object;
    expect(again).toMatchObject({ url: 'https://sms.example/hook', ratePerSecond: 5 });
    expect(again).not.toHaveProperty('secret');
    const rotated = (await (await put(`${base}/channels/sms`, { rotateSecret: true }, key)).json()) as {
      secret: string;
    };
    expect(rotated.secret).toMatch(/^chsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    const listed = await get(app, `${base}/channels`, key);
    const text = await listed.text();
    expect(text).not.toContain('chsec_');
    expect(JSON.parse(text).channels.map((c: { channel: string }) => c.channel)).toEqual([
      'email',
      'sms',
      'push',
      'in_app',
    ]);
    const secret = await postJson(app, `${base}/feedback-secret`, {}, key);
    expect(secret.status).toBe(201);
    expect(((await secret.json()) as { secret: string }).secret).toMatch(/^fbsec_/);
  });

  it('refuses an endpoint for email, an unknown channel and a rate that is not positive', async () => {
    const { programId, key } = await programWithKey(deps);
    const base = `/v1/programs/${programId}/delivery/channels`;
    const email = await expectError(
      await put(`${base}/email`, { url: 'https://x.example' }, key),
      422,
      'INVALID_INPUT',
    );
    expect(email.error.message).toContain('SMTP');
    expect((await put(`${base}/email`, { ratePerSecond: 10 }, key)).status).toBe(200);
    await expectError(await put(`${base}/fax`, { ratePerSecond: 1 }, key), 422, 'INVALID_INPUT');
    await expectError(await put(`${base}/sms`, { ratePerSecond: 0 }, key), 422, 'INVALID_INPUT');
    await expectError(await put(`${base}/sms`, { url: 'ftp://x.example' }, key), 422, 'INVALID_INPUT');
    await expectError(await put(`${base}/push`, { rotateSecret: true }, key), 409, 'INVALID_STATE');
  });

  it('needs a manage key of the same program', async () => {
    const { programId, key } = await programWithKey(deps);
    const reader = await keyFor(deps, programId, ['read']);
    const other = await programWithKey(deps);
    const base = `/v1/programs/${programId}/delivery`;
    await expectError(
      await put(`${base}/channels/sms`, { url: 'https://sms.example' }, reader),
      403,
      'FORBIDDEN',
    );
    await expectError(
      await put(`${base}/channels/sms`, { url: 'https://sms.example' }, other.key),
      403,
      'FORBIDDEN',
    );
    await expectError(await get(app, `${base}/channels`, reader), 403, 'FORBIDDEN');
    await expectError(await postJson(app, `${base}/feedback-secret`, {}, other.key), 403, 'FORBIDDEN');
    await expectError(
      await put(`${base}/channels/sms`, { url: 'https://sms.example' }),
      401,
      'UNAUTHENTICATED',
    );
    const listed = (await (await get(app, `${base}/channels`, key)).json()) as {
      channels: { url: string | null }[];
    };
    expect(listed.channels.every((c) => c.url === null)).toBe(true);
  });

  it('is set and listed from the command line, with the secret printed once', async () => {
    const { programId } = await programWithKey(deps);
    const { run } = testCli(deps);
    const set = await run(
      'channels',
      'set',
      'push',
      '--url',
      'https://push.example/hook',
      '--rate',
      '50',
      '--program',
      programId,
    );
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/^chsec_\S+\n\nThat is the push endpoint's signing secret/);
    const listed = await run('channels', 'list', '--json', '--program', programId);
    const channels = JSON.parse(listed.stdout) as {
      channel: string;
      url: string | null;
      ratePerSecond: number | null;
    }[];
    expect(channels.find((c) => c.channel === 'push')).toMatchObject({
      url: 'https://push.example/hook',
      ratePerSecond: 50,
    });
    expect(listed.stdout).not.toContain('chsec_');
    const bad = await run('channels', 'set', 'push', '--rate', 'fast', '--program', programId);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toBe('error: --rate must be a positive number of messages per second\n');
  });
});
