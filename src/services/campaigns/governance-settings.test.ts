import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { testDeps } from '../../../test/fixtures/programs.ts';
import type { AppError } from '../../contracts/errors.ts';
import { addSuppressions } from './add-suppressions.ts';
import { approveCampaign } from './approve-campaign.ts';
import { campaignTestProgram } from './campaign-test-program.ts';
import { createCampaign } from './create-campaign.ts';
import { previewCampaign } from './preview-campaign.ts';
import { setGovernancePolicy } from './set-governance-policy.ts';
import { showGovernancePolicy } from './show-governance-policy.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());

const definition = (segments: string[] = ['loyalty/points_savers']) => ({
  name: 'nudge',
  goal: 'redeem',
  audience: { segments },
  offer: { kind: 'none', unitCost: 0 },
  channels: ['email'],
  holdout: 0,
  variants: [{ name: 'a', messages: { email: { subject: 'Hi', body: 'News' } } }],
});

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected a failure');
}

describe("a program's send rules", () => {
  it('starts from the defaults and changes only the fields given', async () => {
    const programId = await campaignTestProgram(deps, []);
    expect((await showGovernancePolicy(deps, { programId })).quietHours).toEqual({
      start: '21:00',
      end: '08:00',
    });
    const changed = await setGovernancePolicy(deps, {
      programId,
      changes: { quietHours: null, defaultTimezone: 'Europe/Paris' },
    });
    expect(changed).toMatchObject({ quietHours: null, defaultTimezone: 'Europe/Paris' });
    expect(changed.frequencyCaps.email).toEqual({ maxMessages: 3, windowHours: 168 });
    expect(await showGovernancePolicy(deps, { programId })).toEqual(changed);
  });

  it('refuses a policy that is not valid, naming the field', async () => {
    const programId = await campaignTestProgram(deps, []);
    const error = await failure(
      setGovernancePolicy(deps, { programId, changes: { defaultTimezone: 'Mars/Olympus' } }),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.details).toEqual({ issues: [expect.objectContaining({ path: 'defaultTimezone' })] });
  });

  it('applies changed quiet hours to the next preview', async () => {
    // 01:00 in London at TEST_NOW: deferred under the default quiet hours, not without them.
    const programId = await campaignTestProgram(deps, [
      { id: 'L1', consent: ['email'], timezone: 'Europe/London' },
    ]);
    await createCampaign(deps, { programId, source: { value: definition() } });
    expect((await previewCampaign(deps, { programId, name: 'nudge' })).deferred).toBe(1);
    await setGovernancePolicy(deps, { programId, changes: { quietHours: null } });
    expect((await previewCampaign(deps, { programId, name: 'nudge' })).deferred).toBe(0);
  });

  it('excludes members, or their addresses, put on a suppression list', async () => {
    const programId = await campaignTestProgram(deps, [
      { id: 'S1', consent: ['email'] },
      { id: 'S2', consent: ['email'] },
      { id: 'S3', consent: ['email'] },
    ]);
    expect(
      await addSuppressions(deps, { programId, list: 'legal-hold', subjects: ['S1', 'S2@Example.com'] }),
    ).toEqual({
      list: 'legal-hold',
      added: 2,
    });
    expect((await addSuppressions(deps, { programId, list: 'legal-hold', subjects: ['S1'] })).added).toBe(0);
    await createCampaign(deps, { programId, source: { value: definition() } });
    expect((await previewCampaign(deps, { programId, name: 'nudge' })).excluded).toEqual({ suppression: 2 });
  });
});

describe('the sensitive guard through stored segments', () => {
  it('refuses a campaign whose segment is built on a declared value marked sensitive, at save and at approval', async () => {
    const programId = await campaignTestProgram(deps, []);
    await deps.db
      .insertInto('segment_definitions')
      .values({
        program_id: programId,
        scheme: 'care',
        name: 'wellness',
        version: 1,
        label: 'Wellness',
        description: null,
        rule: JSON.stringify({ feature: 'declared.health', op: 'contains', value: 'diabetes' }),
        position: 0,
        scheme_mode: 'overlapping',
      })
      .execute();
    const error = await failure(
      createCampaign(deps, { programId, source: { value: definition(['care/wellness']) } }),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('declared.health');

    // A key marked sensitive after a draft was saved stops its approval.
    await createCampaign(deps, {
      programId,
      source: {
        value: {
          ...definition(),
          audience: {
            segments: ['loyalty/vips'],
            filter: { feature: 'declared.diet', op: 'contains', value: 'vegan' },
          },
        },
      },
    });
    await setGovernancePolicy(deps, { programId, changes: { sensitiveDeclarationKeys: ['health', 'diet'] } });
    expect(
      await failure(approveCampaign(deps, { programId, name: 'nudge', approvedBy: 'test' })),
    ).toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});
