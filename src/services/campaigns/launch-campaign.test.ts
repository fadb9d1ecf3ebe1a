import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { testDeps } from '../../../test/fixtures/programs.ts';
import { approveCampaign } from './approve-campaign.ts';
import { campaignTestProgram, internalId, type TestMember } from './campaign-test-program.ts';
import { cancelCampaign } from './cancel-campaign.ts';
import { createCampaign } from './create-campaign.ts';
import { explainDecision } from './explain-decision.ts';
import { launchCampaign } from './launch-campaign.ts';
import { previewCampaign } from './preview-campaign.ts';

// TEST_NOW is 2024-06-01T00:00Z: 09:00 in Tokyo (the members' default zone), 01:00 in London.

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());

const definition = (holdout = 0) => ({
  name: 'nudge',
  goal: 'redeem',
  audience: { segments: ['loyalty/points_savers'], exclude: ['lifecycle/churned'] },
  offer: { kind: 'bonus_points', value: 200, unitCost: '0.50', code: 'SAVE200' },
  channels: ['email'],
  holdout,
  variants: [
    {
      name: 'a',
      messages: {
        email: {
          subject: 'Hi {{ member.first_name }}',
          body: '{{ points.balance }} points; {{ points.to_next_reward }} to go. {{ offer.code }}',
          defaults: { 'member.first_name': 'there' },
        },
      },
    },
  ],
});

const cast: TestMember[] = [
  { id: 'M1', consent: ['email'], attributes: { first_name: 'Ada' }, features: { points_balance: 420 } },
  { id: 'M2' },
  { id: 'M3', consent: ['email'] },
  { id: 'M4', consent: ['email'], unsubscribed: ['email'] },
  { id: 'M5', consent: ['email'], email: null },
  { id: 'M6', consent: ['email'] },
  { id: 'M7', consent: ['email'], timezone: 'Europe/London' },
  { id: 'M8', consent: ['email'], segments: ['loyalty/points_savers', 'lifecycle/churned'] },
  { id: 'M9', consent: ['email'], segments: ['loyalty/vips'] },
];

async function approvedProgram(holdout = 0) {
  const programId = await campaignTestProgram(deps, cast);
  await deps.db
    .insertInto('suppressions')
    .values({
      program_id: programId,
      list: 'legal-hold',
      subject: 'm3@example.com',
      reason: null,
      added_at: new Date(),
    })
    .execute();
  // M6 already had three emails this week from another campaign.
  const m6 = await internalId(deps, programId, 'M6');
  await deps.db
    .insertInto('outbox')
    .values(
      [1, 2, 3].map((day) => ({
        program_id: programId,
        campaign: 'other',
        step: `s${day}`,
        member_id: m6,
        version: 1,
        variant: 'a',
        channel: 'email',
        purpose: 'marketing',
        idempotency_key: `${programId}-other-${day}`,
        recipient: 'm6@example.com',
        body: 'x',
        send_at: new Date(Date.UTC(2024, 4, 28 + day)),
        status: 'sent' as const,
        next_attempt_at: new Date(Date.UTC(2024, 4, 28 + day)),
      })),
    )
    .execute();
  await createCampaign(deps, { programId, source: { value: definition(holdout) } });
  await approveCampaign(deps, { programId, name: 'nudge', approvedBy: 'test' });
  return programId;
}

describe('previewing a campaign', () => {
  it('counts the audience, each rule that excludes, and renders samples, storing nothing', async () => {
    const programId = await approvedProgram();
    const preview = await previewCampaign(deps, { programId, name: 'nudge', members: ['M1', 'M7'] });
    expect(preview).toMatchObject({
      campaign: 'nudge@1',
      audience: 7,
      excluded: { consent: 1, suppression: 1, unsubscribe: 1, contact: 1, frequency_cap: 1 },
      holdout: 0,
      send: 2,
      deferred: 1,
      variants: { a: 2 },
      channels: { email: 2 },
    });
    const [m1, m7] = preview.samples;
    expect(m1?.message).toEqual({
      recipient: 'm1@example.com',
      subject: 'Hi Ada',
      body: '420 points; 80 to go. SAVE200',
    });
    expect(m7).toMatchObject({ outcome: 'deferred', sendAt: '2024-06-01T07:00:00.000Z' });
    expect(m7?.message?.subject).toBe('Hi there');
    expect(m7?.message?.body).not.toContain('undefined');
    const stored = await deps.db
      .selectFrom('campaign_decisions')
      .select('member_id')
      .where('program_id', '=', programId)
      .execute();
    expect(stored).toEqual([]);
  });
});

describe('launching a campaign', () => {
  it('records every decision and queues exactly the sendable messages, once, however often it runs', async () => {
    const programId = await approvedProgram();
    const first = await launchCampaign(deps, { programId, name: 'nudge' });
    expect(first).toMatchObject({ status: 'running', audience: 7, send: 2, queued: 2 });
    const again = await launchCampaign(deps, { programId, name: 'nudge' });
    expect(again.queued).toBe(0);
    const outbox = await deps.db
      .selectFrom('outbox')
      .select(['recipient', 'subject', 'send_at', 'status'])
      .where('program_id', '=', programId)
      .where('campaign', '=', 'nudge')
      .orderBy('recipient')
      .execute();
    expect(outbox).toEqual([
      {
        recipient: 'm1@example.com',
        subject: 'Hi Ada',
        send_at: new Date('2024-06-01T00:00:00Z'),
        status: 'pending',
      },
      {
        recipient: 'm7@example.com',
        subject: 'Hi there',
        send_at: new Date('2024-06-01T07:00:00Z'),
        status: 'pending',
      },
    ]);
    const decisions = await deps.db
      .selectFrom('campaign_decisions')
      .select('outcome')
      .where('program_id', '=', programId)
      .execute();
    expect(decisions).toHaveLength(7);
  });

  it('answers why a member was or was not sent, rule by rule', async () => {
    const programId = await approvedProgram();
    await launchCampaign(deps, { programId, name: 'nudge' });
    const m6 = await explainDecision(deps, { programId, name: 'nudge', memberId: 'M6' });
    expect(m6.decisions).toHaveLength(1);
    expect(m6.decisions[0]).toMatchObject({
      outcome: 'excluded',
      excludedBy: 'frequency_cap',
      delivery: null,
    });
    expect(m6.decisions[0]?.rules.at(-1)?.detail).toContain('3 email message(s)');
    const m7 = await explainDecision(deps, { programId, name: 'nudge', memberId: 'M7' });
    expect(m7.decisions[0]).toMatchObject({
      outcome: 'deferred',
      delivery: { status: 'pending', attempts: 0 },
    });
    expect(m7.decisions[0]?.rules.find((r) => r.rule === 'quiet_hours')?.outcome).toBe('defer');
    // Not in the audience at all: nothing recorded.
    expect((await explainDecision(deps, { programId, name: 'nudge', memberId: 'M9' })).decisions).toEqual([]);
  });

  it('records holdout members as the control group and never queues them', async () => {
    const programId = await approvedProgram(0.5);
    const result = await launchCampaign(deps, { programId, name: 'nudge' });
    const holdout = await deps.db
      .selectFrom('campaign_decisions')
      .select('member_id')
      .where('program_id', '=', programId)
      .where('outcome', '=', 'holdout')
      .execute();
    expect(holdout).toHaveLength(result.holdout);
    const queued = await deps.db
      .selectFrom('outbox')
      .select('member_id')
      .where('program_id', '=', programId)
      .where('campaign', '=', 'nudge')
      .execute();
    const held = new Set(holdout.map((h) => h.member_id));
    expect(queued.filter((q) => held.has(q.member_id))).toEqual([]);
    expect(queued.length + result.holdout).toBe(2);
  });

  it('refuses to launch a draft, and withdraws pending messages when cancelled', async () => {
    const programId = await approvedProgram();
    await launchCampaign(deps, { programId, name: 'nudge' });
    await cancelCampaign(deps, { programId, name: 'nudge' });
    const statuses = await deps.db
      .selectFrom('outbox')
      .select('status')
      .where('program_id', '=', programId)
      .where('campaign', '=', 'nudge')
      .execute();
    expect(statuses.map((s) => s.status)).toEqual(['cancelled', 'cancelled']);
    await createCampaign(deps, { programId, source: { value: { ...definition(), label: 'again' } } });
    await expect(launchCampaign(deps, { programId, name: 'nudge' })).rejects.toMatchObject({
      code: 'INVALID_STATE',
    });
  });
});
