import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { freshProgramId, openTestDatabase } from '../../../test/fixtures/database.ts';
import { testDeps } from '../../../test/fixtures/programs.ts';
import type { AppError } from '../../contracts/errors.ts';
import { createProgram } from '../create-program.ts';
import { approveCampaign } from './approve-campaign.ts';
import { cancelCampaign } from './cancel-campaign.ts';
import { createCampaign } from './create-campaign.ts';
import { listCampaigns } from './list-campaigns.ts';
import { showCampaign } from './show-campaign.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());

const yaml = (subject = 'Your points are waiting') => `
name: points-nudge
goal: redeem
audience: { segments: [loyalty/points_savers] }
offer: { kind: bonus_points, value: 200, unitCost: "0.50" }
channels: [email]
variants:
  - name: a
    messages:
      email: { subject: "${subject}", body: "Hi {{ member.first_name }}, you have {{ points.balance }} points." }
`;

async function program(): Promise<string> {
  const programId = freshProgramId('cmp');
  await createProgram(deps, { programId });
  return programId;
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected a failure');
}

describe('campaign lifecycle', () => {
  it('creates a draft at version 1 and shows it', async () => {
    const programId = await program();
    const created = await createCampaign(deps, { programId, source: { text: yaml() } });
    expect(created.change).toBe('created');
    expect(created.campaign).toMatchObject({
      id: 'points-nudge@1',
      version: 1,
      status: 'draft',
      approvedAt: null,
    });
    expect(created.campaign.definition.holdout).toBe(0.1);
    expect(await showCampaign(deps, { programId, name: 'points-nudge' })).toEqual(created.campaign);
  });

  it('edits a draft in place, and saving the same content changes nothing', async () => {
    const programId = await program();
    await createCampaign(deps, { programId, source: { text: yaml() } });
    const edited = await createCampaign(deps, { programId, source: { text: yaml('New subject') } });
    expect(edited).toMatchObject({ change: 'updated', campaign: { version: 1, status: 'draft' } });
    const again = await createCampaign(deps, { programId, source: { text: yaml('New subject') } });
    expect(again.change).toBe('unchanged');
  });

  it('freezes an approved campaign: a change makes a new draft version that supersedes it', async () => {
    const programId = await program();
    await createCampaign(deps, { programId, source: { text: yaml() } });
    const approved = await approveCampaign(deps, { programId, name: 'points-nudge', approvedBy: 'key:abc' });
    expect(approved).toMatchObject({
      status: 'approved',
      approvedBy: 'key:abc',
      approvedAt: '2024-06-01T00:00:00.000Z',
    });

    const changed = await createCampaign(deps, { programId, source: { text: yaml('Changed') } });
    expect(changed).toMatchObject({
      change: 'new_version',
      campaign: { version: 2, status: 'draft', supersedes: 'points-nudge@1' },
    });
    const v1 = await showCampaign(deps, { programId, name: 'points-nudge', version: 1 });
    expect(v1.status).toBe('approved');
    expect(v1.definition.variants[0]?.messages.email?.subject).toBe('Your points are waiting');

    // Approving version 2 retires version 1.
    await approveCampaign(deps, { programId, name: 'points-nudge', approvedBy: 'cli' });
    expect((await showCampaign(deps, { programId, name: 'points-nudge', version: 1 })).status).toBe(
      'cancelled',
    );
  });

  it('refuses, in the database itself, an update to the content of an approved version', async () => {
    const programId = await program();
    await createCampaign(deps, { programId, source: { text: yaml() } });
    await approveCampaign(deps, { programId, name: 'points-nudge', approvedBy: 'cli' });
    await expect(
      sql`UPDATE campaigns SET definition = '{}'::jsonb WHERE program_id = ${programId}`.execute(deps.db),
    ).rejects.toThrow(/content is frozen/);
  });

  it('approves only a draft, and cancels only what has not finished', async () => {
    const programId = await program();
    await createCampaign(deps, { programId, source: { text: yaml() } });
    await approveCampaign(deps, { programId, name: 'points-nudge', approvedBy: 'cli' });
    const twice = await failure(
      approveCampaign(deps, { programId, name: 'points-nudge', approvedBy: 'cli' }),
    );
    expect(twice).toMatchObject({ code: 'INVALID_STATE' });
    expect(twice.message).toContain('only a draft can be approved');

    expect(await cancelCampaign(deps, { programId, name: 'points-nudge' })).toMatchObject({
      status: 'cancelled',
      cancelledAt: '2024-06-01T00:00:00.000Z',
    });
    expect(await failure(cancelCampaign(deps, { programId, name: 'points-nudge' }))).toMatchObject({
      code: 'INVALID_STATE',
    });
    // A cancelled campaign can be written again as a new draft.
    expect((await createCampaign(deps, { programId, source: { text: yaml() } })).change).toBe('new_version');
  });

  it('refuses a definition whose template does not compile, storing nothing, with the place of each issue', async () => {
    const programId = await program();
    const bad = yaml().replace('{{ points.balance }}', '{{ points.balance | nope }}');
    const error = await failure(createCampaign(deps, { programId, source: { text: bad } }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.details).toEqual({
      issues: [expect.objectContaining({ path: 'variants[0].messages.email.body', line: 1, column: 38 })],
    });
    expect(await listCampaigns(deps, { programId })).toEqual([]);
  });

  it('lists the latest version of each campaign, filtered by status', async () => {
    const programId = await program();
    await createCampaign(deps, { programId, source: { text: yaml() } });
    await approveCampaign(deps, { programId, name: 'points-nudge', approvedBy: 'cli' });
    await createCampaign(deps, { programId, source: { text: yaml('v2') } });
    await createCampaign(deps, { programId, source: { text: yaml().replace('points-nudge', 'another') } });
    const all = await listCampaigns(deps, { programId });
    expect(all.map((c) => [c.name, c.version, c.status])).toEqual([
      ['another', 1, 'draft'],
      ['points-nudge', 2, 'draft'],
    ]);
    expect(await listCampaigns(deps, { programId, status: 'approved' })).toEqual([]);
  });

  it('keeps programs apart: a campaign of one program is not found in another', async () => {
    const one = await program();
    const two = await program();
    await createCampaign(deps, { programId: one, source: { text: yaml() } });
    expect(await failure(showCampaign(deps, { programId: two, name: 'points-nudge' }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(
      await failure(approveCampaign(deps, { programId: two, name: 'points-nudge', approvedBy: 'cli' })),
    ).toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
