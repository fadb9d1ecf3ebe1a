import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { authHeaders, expectError, get, postJson } from '../../../test/fixtures/http.ts';
import { keyFor, programWithKey, testDeps } from '../../../test/fixtures/programs.ts';
import { CampaignPreview, CampaignView } from '../../contracts/campaigns.ts';
import { campaignTestProgram } from '../../services/campaigns/campaign-test-program.ts';
import { createApp } from '../app.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());
const app = createApp(deps);

const definition = {
  name: 'welcome',
  goal: 'onboard',
  audience: { segments: ['loyalty/new_enthusiasts'] },
  offer: { kind: 'bonus_points', value: 100, unitCost: '0.20' },
  channels: ['email'],
  schedule: { kind: 'on_entry', segment: 'loyalty/new_enthusiasts', delayHours: 24 },
  variants: [{ name: 'a', messages: { email: { subject: 'Welcome!', body: 'Hi {{ member.first_name }}' } } }],
};

const base = (programId: string) => `/v1/programs/${programId}/campaigns`;

describe('campaign routes', () => {
  it('saves a JSON definition as a draft, shows and lists it', async () => {
    const { programId, key } = await programWithKey(deps);
    const created = await postJson(app, base(programId), definition, key);
    expect(created.status).toBe(201);
    const body = (await created.json()) as { change: string; campaign: unknown };
    expect(body.change).toBe('created');
    const view = CampaignView.parse(body.campaign);
    expect(view).toMatchObject({ name: 'welcome', version: 1, status: 'draft' });

    const shown = await get(app, `${base(programId)}/welcome`, key);
    expect(shown.status).toBe(200);
    expect(CampaignView.parse(await shown.json()).definition.schedule).toEqual({
      kind: 'on_entry',
      segment: { scheme: 'loyalty', segment: 'new_enthusiasts' },
      delayHours: 24,
    });
    const listed = (await (await get(app, base(programId), key)).json()) as { campaigns: { name: string }[] };
    expect(listed.campaigns.map((c) => c.name)).toEqual(['welcome']);
  });

  it('accepts a YAML definition', async () => {
    const { programId, key } = await programWithKey(deps);
    const yaml = `name: yaml-one
goal: launch
audience: { segments: [rfm/champions] }
offer: { kind: early_access, unitCost: 0 }
channels: [sms]
variants: [{ name: a, messages: { sms: { body: "New in: {{ campaign.name }}" } } }]
`;
    const response = await app.request(base(programId), {
      method: 'POST',
      headers: authHeaders(key, { 'content-type': 'application/yaml' }),
      body: yaml,
    });
    expect(response.status).toBe(201);
  });

  it('answers 422 with every issue, its path, line and column, for a template that does not compile', async () => {
    const { programId, key } = await programWithKey(deps);
    const bad = {
      ...definition,
      variants: [
        { name: 'a', messages: { email: { subject: 'x', body: 'line 1\n{% include "secrets" %}' } } },
      ],
    };
    const body = await expectError(await postJson(app, base(programId), bad, key), 422, 'INVALID_INPUT');
    expect(body.error.details).toEqual({
      issues: [expect.objectContaining({ path: 'variants[0].messages.email.body', line: 2, column: 1 })],
    });
  });

  it('approves with a manage key, recording which key, and freezes the content', async () => {
    const { programId, key, keyId } = await programWithKey(deps);
    await postJson(app, base(programId), definition, key);
    const approved = await postJson(app, `${base(programId)}/welcome/approve`, {}, key);
    expect(approved.status).toBe(200);
    expect(CampaignView.parse(await approved.json())).toMatchObject({
      status: 'approved',
      approvedBy: `key:${keyId}`,
    });
    const changed = await postJson(app, base(programId), { ...definition, label: 'Welcome v2' }, key);
    expect(changed.status).toBe(201);
    expect(await changed.json()).toMatchObject({
      change: 'new_version',
      campaign: { version: 2, status: 'draft' },
    });
  });

  it('refuses approval by a key without the manage scope with 403, leaving the draft as it was', async () => {
    const { programId, key } = await programWithKey(deps);
    await postJson(app, base(programId), definition, key);
    const readOnly = await keyFor(deps, programId, ['read', 'ingest']);
    const body = await expectError(
      await postJson(app, `${base(programId)}/welcome/approve`, {}, readOnly),
      403,
      'FORBIDDEN',
    );
    expect(body.error.message).toContain('"manage" scope');
    expect(
      ((await (await get(app, `${base(programId)}/welcome`, readOnly)).json()) as CampaignView).status,
    ).toBe('draft');
    await expectError(await postJson(app, base(programId), definition, readOnly), 403, 'FORBIDDEN');
  });

  it('refuses a key of another program with 403 and an unknown campaign with 404', async () => {
    const { programId, key } = await programWithKey(deps);
    await postJson(app, base(programId), definition, key);
    const other = await programWithKey(deps);
    await expectError(await get(app, `${base(programId)}/welcome`, other.key), 403, 'FORBIDDEN');
    await expectError(
      await postJson(app, `${base(programId)}/welcome/cancel`, {}, other.key),
      403,
      'FORBIDDEN',
    );
    await expectError(await get(app, `${base(other.programId)}/welcome`, other.key), 404, 'NOT_FOUND');
    await expectError(await get(app, `${base(programId)}/welcome`), 401, 'UNAUTHENTICATED');
  });

  it('cancels, and answers 409 when cancelling twice', async () => {
    const { programId, key } = await programWithKey(deps);
    await postJson(app, base(programId), definition, key);
    const cancelled = await postJson(app, `${base(programId)}/welcome/cancel`, {}, key);
    expect(((await cancelled.json()) as CampaignView).status).toBe('cancelled');
    await expectError(
      await postJson(app, `${base(programId)}/welcome/cancel`, {}, key),
      409,
      'INVALID_STATE',
    );
  });

  it('answers 422 for a bad status filter or version', async () => {
    const { programId, key } = await programWithKey(deps);
    await expectError(await get(app, `${base(programId)}?status=launched`, key), 422, 'INVALID_INPUT');
    await expectError(await get(app, `${base(programId)}/welcome?version=0`, key), 422, 'INVALID_INPUT');
  });
});

describe('campaign preview, launch and why routes', () => {
  async function launchedProgram() {
    const programId = await campaignTestProgram(deps, [{ id: 'M1', consent: ['email'] }, { id: 'M2' }]);
    const key = await keyFor(deps, programId, ['read', 'manage']);
    const nudge = {
      ...definition,
      name: 'nudge',
      holdout: 0,
      schedule: { kind: 'now' },
      audience: { segments: ['loyalty/points_savers'] },
    };
    await postJson(app, base(programId), nudge, key);
    await postJson(app, `${base(programId)}/nudge/approve`, {}, key);
    return { programId, key };
  }

  it('previews with sample members, launches with a manage key, and explains', async () => {
    const { programId, key } = await launchedProgram();
    const preview = await get(app, `${base(programId)}/nudge/preview?member=M1&member=M2`, key);
    expect(preview.status).toBe(200);
    const body = CampaignPreview.parse(await preview.json());
    expect(body).toMatchObject({ audience: 2, send: 1, excluded: { consent: 1 } });
    expect(body.samples.map((s) => s.outcome)).toEqual(['send', 'excluded']);

    const launched = await postJson(app, `${base(programId)}/nudge/launch`, {}, key);
    expect(await launched.json()).toMatchObject({ queued: 1 });
    const why = await get(app, `${base(programId)}/nudge/members/M2/why`, key);
    expect(await why.json()).toMatchObject({ decisions: [{ outcome: 'excluded', excludedBy: 'consent' }] });
  });

  it('refuses a launch by a read-only key, and a why for another program', async () => {
    const { programId } = await launchedProgram();
    const readOnly = await keyFor(deps, programId, ['read']);
    await expectError(await postJson(app, `${base(programId)}/nudge/launch`, {}, readOnly), 403, 'FORBIDDEN');
    const other = await programWithKey(deps);
    await expectError(await get(app, `${base(programId)}/nudge/members/M1/why`, other.key), 403, 'FORBIDDEN');
    await expectError(
      await get(app, `${base(programId)}/nudge/members/nobody/why`, readOnly),
      404,
      'NOT_FOUND',
    );
  });
});

describe('campaign policy and suppression routes', () => {
  it('shows and changes the send rules with a manage key, and refuses a read key', async () => {
    const { programId, key } = await programWithKey(deps);
    const shown = await get(app, `/v1/programs/${programId}/campaign-policy`, key);
    expect(await shown.json()).toMatchObject({ quietHours: { start: '21:00', end: '08:00' } });
    const changed = await app.request(`/v1/programs/${programId}/campaign-policy`, {
      method: 'PUT',
      headers: authHeaders(key, { 'content-type': 'application/json' }),
      body: JSON.stringify({ quietHours: { start: '22:00', end: '07:00' } }),
    });
    expect(await changed.json()).toMatchObject({ quietHours: { start: '22:00', end: '07:00' } });
    const readOnly = await keyFor(deps, programId, ['read']);
    const refused = await app.request(`/v1/programs/${programId}/campaign-policy`, {
      method: 'PUT',
      headers: authHeaders(readOnly, { 'content-type': 'application/json' }),
      body: JSON.stringify({ quietHours: null }),
    });
    await expectError(refused, 403, 'FORBIDDEN');
  });

  it('adds to a suppression list, and answers 422 for a body without subjects', async () => {
    const { programId, key } = await programWithKey(deps);
    const added = await postJson(
      app,
      `/v1/programs/${programId}/suppressions/legal-hold`,
      { subjects: ['M1', 'a@b.example'] },
      key,
    );
    expect(await added.json()).toEqual({ list: 'legal-hold', added: 2 });
    await expectError(
      await postJson(app, `/v1/programs/${programId}/suppressions/legal-hold`, {}, key),
      422,
      'INVALID_INPUT',
    );
    const other = await programWithKey(deps);
    await expectError(
      await postJson(
        app,
        `/v1/programs/${programId}/suppressions/legal-hold`,
        { subjects: ['M1'] },
        other.key,
      ),
      403,
      'FORBIDDEN',
    );
  });
});
