import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { testDeps } from '../../../test/fixtures/programs.ts';
import { advanceCampaigns } from './advance-campaigns.ts';
import { approveCampaign } from './approve-campaign.ts';
import { campaignTestProgram, internalId } from './campaign-test-program.ts';
import type { ChannelSender } from './channel-sender.ts';
import { createCampaign } from './create-campaign.ts';
import { deliverDueMessages } from './deliver-due-messages.ts';
import { launchCampaign } from './launch-campaign.ts';
import { showCampaign } from './show-campaign.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());

const accepting: ChannelSender = { send: async (m) => ({ ok: true, providerId: m.idempotencyKey }) };

const base = {
  goal: 'onboard',
  offer: { kind: 'none', unitCost: 0 },
  channels: ['email'],
  holdout: 0,
  variants: [{ name: 'a', messages: { email: { subject: 'Welcome', body: 'Hello' } } }],
};

async function outboxOf(programId: string) {
  return deps.db
    .selectFrom('outbox')
    .select(['member_id', 'step', 'send_at'])
    .where('program_id', '=', programId)
    .orderBy('member_id')
    .execute();
}

describe('the campaign scheduler', () => {
  it('greets members who enter the trigger segment after approval, after the delay, once each', async () => {
    const programId = await campaignTestProgram(deps, [
      { id: 'E0', consent: ['email'], segments: ['loyalty/new_enthusiasts'] }, // there before approval
      { id: 'E1', consent: ['email'], segments: [] },
    ]);
    await createCampaign(deps, {
      programId,
      source: {
        value: {
          ...base,
          name: 'onboarding',
          audience: { segments: ['loyalty/new_enthusiasts'] },
          schedule: { kind: 'on_entry', segment: 'loyalty/new_enthusiasts', delayHours: 24 },
        },
      },
    });
    await approveCampaign(deps, { programId, name: 'onboarding', approvedBy: 'test' });
    expect((await launchCampaign(deps, { programId, name: 'onboarding' })).queued).toBe(0);

    const e1 = await internalId(deps, programId, 'E1');
    const entered = new Date('2024-06-01T01:00:00Z');
    await deps.db
      .insertInto('segment_memberships')
      .values({
        program_id: programId,
        member_id: e1,
        scheme: 'loyalty',
        segment: 'new_enthusiasts',
        since: entered,
        explanation: 'new',
      })
      .execute();
    const later = { ...deps, clock: () => new Date('2024-06-01T02:00:00Z') };
    expect((await advanceCampaigns(later, { programId })).launched).toEqual(['onboarding@1']);
    await advanceCampaigns(later, { programId });
    expect(await outboxOf(programId)).toEqual([
      { member_id: e1, step: `entry:${entered.toISOString()}`, send_at: new Date('2024-06-02T01:00:00Z') },
    ]);
  });

  it('completes a one-off campaign once none of its messages waits', async () => {
    const programId = await campaignTestProgram(deps, [{ id: 'C1', consent: ['email'] }]);
    await createCampaign(deps, {
      programId,
      source: { value: { ...base, name: 'once', audience: { segments: ['loyalty/points_savers'] } } },
    });
    await approveCampaign(deps, { programId, name: 'once', approvedBy: 'test' });
    await launchCampaign(deps, { programId, name: 'once' });
    expect((await advanceCampaigns(deps, { programId })).completed).toEqual([]);
    await deliverDueMessages(deps, {
      programId,
      senders: { email: accepting },
      publicUrl: 'https://x.example',
    });
    expect((await advanceCampaigns(deps, { programId })).completed).toEqual(['once@1']);
    expect((await showCampaign(deps, { programId, name: 'once' })).status).toBe('completed');
  });

  it('decides a recurring campaign only when its next occurrence is near', async () => {
    const programId = await campaignTestProgram(deps, [{ id: 'R1', consent: ['email'] }]);
    await createCampaign(deps, {
      programId,
      source: {
        value: {
          ...base,
          name: 'statement',
          audience: { segments: ['loyalty/points_savers'] },
          schedule: { kind: 'recurring', every: 'month', day: 1, time: '09:00' },
        },
      },
    });
    await approveCampaign(deps, { programId, name: 'statement', approvedBy: 'test' });
    await launchCampaign(deps, { programId, name: 'statement' }); // the 1 June 09:00 statement
    const midMonth = { ...deps, clock: () => new Date('2024-06-15T00:00:00Z') };
    expect((await advanceCampaigns(midMonth, { programId })).launched).toEqual([]);
    const endOfMonth = { ...deps, clock: () => new Date('2024-06-30T12:00:00Z') };
    expect((await advanceCampaigns(endOfMonth, { programId })).launched).toEqual(['statement@1']);
    expect((await outboxOf(programId)).map((r) => r.step)).toEqual([
      'occurrence:2024-06-01',
      'occurrence:2024-07-01',
    ]);
  });
});
