import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { testDeps } from '../../../test/fixtures/programs.ts';
import { FEATURE_CATALOG } from '../../domain/features/feature-catalog.ts';
import { configureChannel } from '../delivery/configure-channel.ts';
import { ingestBatch } from '../ingest-batch.ts';
import { approveCampaign } from './approve-campaign.ts';
import { campaignTestProgram, internalId } from './campaign-test-program.ts';
import { createCampaign } from './create-campaign.ts';
import { launchCampaign } from './launch-campaign.ts';

// A launch reads only the features its campaign reads (features-read.ts). These members carry many
// more than that; what the filter, channel choice and messages see must be what is stored.

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());

const noise = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`unused_${i}`, i]));
const message = '{{ features.orders_90d }} orders; {{ declared.interest }}; {{ points.balance }} pts';

/**
 * Creates, approves and launches an email campaign to the Points Savers with one message; returns
 * the launch's result and the bodies it queued, by recipient.
 */
async function launchEmail(
  programId: string,
  name: string,
  email: { subject: string; body: string; defaults?: Record<string, string> },
) {
  await createCampaign(deps, {
    programId,
    source: {
      value: {
        name,
        goal: 'redeem',
        audience: { segments: ['loyalty/points_savers'] },
        offer: { kind: 'bonus_points', value: 200, unitCost: '0.50', code: 'SAVE200' },
        channels: ['email'],
        holdout: 0,
        variants: [{ name: 'a', messages: { email } }],
      },
    },
  });
  await approveCampaign(deps, { programId, name, approvedBy: 'test' });
  const result = await launchCampaign(deps, { programId, name });
  const rows = await deps.db
    .selectFrom('outbox')
    .select('body')
    .where('program_id', '=', programId)
    .where('campaign', '=', name)
    .orderBy('recipient')
    .execute();
  return { result, bodies: rows.map((r) => r.body) };
}

describe('the features a launch reads', () => {
  it('filter, choose the channel and render from the stored values, whatever else the member has', async () => {
    const programId = await campaignTestProgram(deps, [
      {
        id: 'A',
        consent: ['email', 'sms'],
        features: {
          ...noise,
          clv_percentile: 80,
          orders_90d: 3,
          points_balance: 420,
          'declared.interest': ['running', 'yoga'],
          'declared.channel_pref': ['sms'],
        },
      },
      { id: 'B', consent: ['email', 'sms'], features: { ...noise, clv_percentile: 20, orders_90d: 9 } },
      {
        id: 'C',
        consent: ['email', 'sms'],
        features: { clv_percentile: 90, orders_90d: 0, points_balance: 5 },
      },
    ]);
    await configureChannel(deps, { programId, channel: 'sms', input: { url: 'https://sms.example/hook' } });
    await createCampaign(deps, {
      programId,
      source: {
        value: {
          name: 'picked',
          goal: 'redeem',
          audience: {
            segments: ['loyalty/points_savers'],
            filter: { feature: 'clv_percentile', op: 'gte', value: 50 },
          },
          offer: { kind: 'bonus_points', value: 200, unitCost: '0.50', code: 'SAVE200' },
          channels: ['email', 'sms'],
          holdout: 0,
          variants: [
            {
              name: 'a',
              messages: {
                email: { subject: 'For you', body: message, defaults: { 'declared.interest': 'anything' } },
                sms: { body: message, defaults: { 'declared.interest': 'anything' } },
              },
            },
          ],
        },
      },
    });
    await approveCampaign(deps, { programId, name: 'picked', approvedBy: 'test' });
    const result = await launchCampaign(deps, { programId, name: 'picked' });
    expect(result).toMatchObject({ audience: 2, queued: 2 });
    const outbox = await deps.db
      .selectFrom('outbox as o')
      .innerJoin('members as m', (join) =>
        join.onRef('m.program_id', '=', 'o.program_id').onRef('m.member_id', '=', 'o.member_id'),
      )
      .select(['m.external_id', 'o.channel', 'o.body'])
      .where('o.program_id', '=', programId)
      .orderBy('m.external_id')
      .execute();
    expect(outbox).toEqual([
      { external_id: 'A', channel: 'sms', body: '3 orders; running, yoga; 420 pts' },
      { external_id: 'C', channel: 'email', body: '0 orders; anything; 5 pts' },
    ]);
  });
  it('reads a campaign that prints every feature of the catalogue, more than one jsonb_build_object takes', async () => {
    const names = FEATURE_CATALOG.map((f) => f.name);
    expect(names.length).toBeGreaterThan(50);
    const programId = await campaignTestProgram(deps, [
      { id: 'A', consent: ['email'], features: Object.fromEntries(names.map((name, i) => [name, i])) },
    ]);
    const body = names.map((name) => `{{ features.${name} }}`).join('|');
    const { result, bodies } = await launchEmail(programId, 'everything', { subject: 'All', body });
    expect(result).toMatchObject({ queued: 1 });
    expect(bodies[0]).toBe(names.map((_, i) => String(i)).join('|'));
  });
  it('prints the latest purchase only a campaign whose message reads last.*', async () => {
    const programId = await campaignTestProgram(deps, [
      { id: 'A', consent: ['email'] },
      { id: 'B', consent: ['email'] },
    ]);
    await ingestBatch(deps, {
      programId,
      kind: 'purchases',
      records: [
        {
          id: 'o1',
          memberId: 'A',
          occurredAt: '2024-02-01T10:00:00Z',
          items: [{ sku: 'T1', description: 'Tea', quantity: 1, unitPrice: 3 }],
        },
        {
          id: 'o2',
          memberId: 'A',
          occurredAt: '2024-04-01T10:00:00Z',
          items: [
            { sku: 'S1', description: 'Running shoes', category: 'Shoes', quantity: 1, unitPrice: 80 },
            { sku: 'POST', quantity: 1, unitPrice: 5, merchandise: false },
          ],
        },
      ],
    });
    // The purchases' segment upkeep may have moved A: the audience segment is set again.
    await deps.db
      .insertInto('segment_memberships')
      .values({
        program_id: programId,
        member_id: await internalId(deps, programId, 'A'),
        scheme: 'loyalty',
        segment: 'points_savers',
        since: new Date('2024-05-30T12:00:00Z'),
        explanation: 'test',
      })
      .onConflict((oc) => oc.columns(['program_id', 'member_id', 'scheme', 'segment']).doNothing())
      .execute();
    const launch = async (name: string, body: string) =>
      (await launchEmail(programId, name, { subject: 'Hi', body, defaults: { 'last.product': 'none' } }))
        .bodies;
    expect(await launch('latest', '{{ last.product }} ({{ last.category }})')).toEqual([
      'Running shoes (Shoes)',
      'none ()',
    ]);
    expect(await launch('plain', 'Hello {{ offer.code }}')).toEqual(['Hello SAVE200', 'Hello SAVE200']);
  });
});
