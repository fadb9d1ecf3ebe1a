import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { testDeps } from '../../../test/fixtures/programs.ts';
import { approveCampaign } from '../../services/campaigns/approve-campaign.ts';
import { campaignTestProgram } from '../../services/campaigns/campaign-test-program.ts';
import type { ChannelSender, OutgoingMessage } from '../../services/campaigns/channel-sender.ts';
import { createCampaign } from '../../services/campaigns/create-campaign.ts';
import { deliverDueMessages } from '../../services/campaigns/deliver-due-messages.ts';
import { launchCampaign } from '../../services/campaigns/launch-campaign.ts';
import { previewCampaign } from '../../services/campaigns/preview-campaign.ts';
import { createApp } from '../app.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());
const app = createApp(deps);

/** A channel that keeps what it is given (the SMTP channel has its own test against a real server). */
function keepingChannel(): ChannelSender & { sent: OutgoingMessage[] } {
  const sent: OutgoingMessage[] = [];
  return {
    sent,
    async send(message) {
      sent.push(message);
      return { ok: true, providerId: message.idempotencyKey };
    },
  };
}

const definition = (name: string) => ({
  name,
  goal: 'redeem',
  audience: { segments: ['loyalty/points_savers'] },
  offer: { kind: 'none', unitCost: 0 },
  channels: ['email'],
  holdout: 0,
  variants: [{ name: 'a', messages: { email: { subject: 'Hi', body: 'News' } } }],
});

async function sentLink(): Promise<{ programId: string; path: string }> {
  const programId = await campaignTestProgram(deps, [{ id: 'M1', consent: ['email'] }]);
  await createCampaign(deps, { programId, source: { value: definition('first') } });
  await approveCampaign(deps, { programId, name: 'first', approvedBy: 'test' });
  await launchCampaign(deps, { programId, name: 'first' });
  const email = keepingChannel();
  await deliverDueMessages(deps, { programId, senders: { email }, publicUrl: 'https://news.example' });
  const url = new URL(email.sent[0]?.unsubscribeUrl ?? 'https://none.example/');
  return { programId, path: url.pathname };
}

describe('unsubscribe links', () => {
  it('shows a page on GET without changing anything, and unsubscribes on the one-click POST', async () => {
    const { programId, path } = await sentLink();
    const page = await app.request(path);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    const before = await deps.db
      .selectFrom('message_events')
      .select('type')
      .where('program_id', '=', programId)
      .where('type', '=', 'unsubscribed')
      .execute();
    expect(before).toEqual([]);

    const response = await app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Unsubscribed');
    const consents = await deps.db
      .selectFrom('consents')
      .select(['channel', 'status', 'source'])
      .where('program_id', '=', programId)
      .orderBy('occurred_at')
      .execute();
    expect(consents.at(-1)).toEqual({ channel: 'email', status: 'revoked', source: 'unsubscribe_link' });

    // The next campaign's governance sees it.
    await createCampaign(deps, { programId, source: { value: definition('second') } });
    const preview = await previewCampaign(deps, { programId, name: 'second' });
    expect(preview.excluded).toEqual({ consent: 1 });
  });

  it('answers 404 for a forged or altered link, and changes nothing', async () => {
    const { programId, path } = await sentLink();
    const forged = `${path.slice(0, -3)}abc`;
    expect((await app.request(forged, { method: 'POST' })).status).toBe(404);
    expect((await app.request('/u/not-a-token', { method: 'POST' })).status).toBe(404);
    expect((await app.request('/u/not-a-token')).status).toBe(404);
    const events = await deps.db
      .selectFrom('message_events')
      .select('type')
      .where('program_id', '=', programId)
      .where('type', '=', 'unsubscribed')
      .execute();
    expect(events).toEqual([]);
  });
});
