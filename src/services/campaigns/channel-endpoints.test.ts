import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { testDeps } from '../../../test/fixtures/programs.ts';
import { configureChannel } from '../delivery/configure-channel.ts';
import { approveCampaign } from './approve-campaign.ts';
import { campaignTestProgram } from './campaign-test-program.ts';
import { createCampaign } from './create-campaign.ts';
import { explainDecision } from './explain-decision.ts';
import { launchCampaign } from './launch-campaign.ts';
import { previewCampaign } from './preview-campaign.ts';

// SMS, push and in-app leave only through the endpoint a program configures for them, so a channel
// without one is passed over at decision time, as a channel without consent is.

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());

const smsFirst = {
  name: 'nudge',
  goal: 'redeem',
  audience: { segments: ['loyalty/points_savers'] },
  offer: { kind: 'none', unitCost: 0 },
  channels: ['sms', 'email'],
  holdout: 0,
  variants: [
    {
      name: 'a',
      messages: { sms: { body: 'News, {{ member.id }}' }, email: { subject: 'Hi', body: 'News' } },
    },
  ],
};

/** B reaches both channels, S only SMS, E only email. */
async function smsFirstProgram(): Promise<string> {
  const programId = await campaignTestProgram(deps, [
    { id: 'B', consent: ['sms', 'email'] },
    { id: 'S', consent: ['sms'] },
    { id: 'E', consent: ['email'] },
  ]);
  await createCampaign(deps, { programId, source: { value: smsFirst } });
  return programId;
}

const smsEndpoint = (url: string | null) => ({ channel: 'sms', input: { url } });

describe('choosing among channels the program can deliver on', () => {
  it('previews an SMS-first campaign on email while SMS has no endpoint, counting SMS-only members under endpoint', async () => {
    const programId = await smsFirstProgram();
    expect(await previewCampaign(deps, { programId, name: 'nudge' })).toMatchObject({
      audience: 3,
      excluded: { endpoint: 1 },
      send: 2,
      channels: { email: 2 },
    });
    await configureChannel(deps, { programId, ...smsEndpoint('https://sms.example/hook') });
    const configured = await previewCampaign(deps, { programId, name: 'nudge' });
    expect(configured).toMatchObject({ audience: 3, send: 3, channels: { sms: 2, email: 1 } });
    expect(configured.excluded).toEqual({});
  });

  it('launches no message on a channel without an endpoint, and records why the SMS-only member got none', async () => {
    const programId = await smsFirstProgram();
    await approveCampaign(deps, { programId, name: 'nudge', approvedBy: 'test' });
    expect(await launchCampaign(deps, { programId, name: 'nudge' })).toMatchObject({
      queued: 2,
      excluded: { endpoint: 1 },
    });
    const outbox = await deps.db
      .selectFrom('outbox')
      .select(['channel', 'recipient'])
      .where('program_id', '=', programId)
      .orderBy('recipient')
      .execute();
    expect(outbox).toEqual([
      { channel: 'email', recipient: 'b@example.com' },
      { channel: 'email', recipient: 'e@example.com' },
    ]);
    const why = await explainDecision(deps, { programId, name: 'nudge', memberId: 'S' });
    expect(why.decisions[0]).toMatchObject({ outcome: 'excluded', excludedBy: 'endpoint', delivery: null });
    expect(why.decisions[0]?.rules.at(-1)).toEqual({
      rule: 'endpoint',
      outcome: 'fail',
      detail: 'the program has no endpoint configured for sms',
    });
  });

  it('passes over SMS again once its endpoint is removed', async () => {
    const programId = await smsFirstProgram();
    await configureChannel(deps, { programId, ...smsEndpoint('https://sms.example/hook') });
    await configureChannel(deps, { programId, ...smsEndpoint(null) });
    expect(await previewCampaign(deps, { programId, name: 'nudge' })).toMatchObject({
      excluded: { endpoint: 1 },
      channels: { email: 2 },
    });
  });
});
