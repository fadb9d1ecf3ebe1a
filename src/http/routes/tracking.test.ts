import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { expectError, get } from '../../../test/fixtures/http.ts';
import { TEST_NOW, testDeps } from '../../../test/fixtures/programs.ts';
import { startSmtpPeer } from '../../../test/fixtures/smtp-peer.ts';
import { deliverDueMessages } from '../../services/campaigns/deliver-due-messages.ts';
import { linkSecret } from '../../services/campaigns/link-secret.ts';
import { createSmtpEmailSender } from '../../services/campaigns/smtp-email-sender.ts';
import { launchDeliveryCampaign } from '../../services/delivery/delivery-test-campaign.ts';
import { trackingToken } from '../../services/delivery/tracking-links.ts';
import { createApp } from '../app.ts';

// Email goes to a real SMTP peer; the links and pixel it received are then followed in-process.

const database = await openTestDatabase();
const deps = testDeps(database);
const peer = await startSmtpPeer();
beforeEach(() => peer.reset());
afterAll(async () => {
  await peer.close();
  await database.close();
});

const publicUrl = 'https://news.example/';
const BODY =
  'Hi {{ member.id }}. Your offer: https://shop.example/offer?a=1&b=2. Rules (https://shop.example/rules).';

/** The decoded text and HTML parts of a quoted-printable multipart message. */
function parts(raw: string): { text: string; html: string } {
  const decoded = raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  const section = (type: string) => {
    const at = decoded.indexOf(`Content-Type: ${type}`);
    const start = decoded.indexOf('\r\n\r\n', at) + 4;
    return decoded.slice(start, decoded.indexOf('\r\n----', start));
  };
  return { text: section('text/plain'), html: section('text/html') };
}

async function sentEmail() {
  const programId = await launchDeliveryCampaign(deps, {
    channel: 'email',
    members: [{ id: 'M1', consent: ['email'] }],
    body: BODY,
  });
  const email = createSmtpEmailSender({
    url: peer.url,
    from: 'news@coffee.example',
    messageIdDomain: 'coffee.example',
  });
  try {
    await deliverDueMessages(deps, { programId, senders: { email }, publicUrl });
  } finally {
    email.close();
  }
  const [mail] = peer.messagesTo('m1@example.com');
  const { text, html } = parts(mail?.raw ?? '');
  const clicks = [...text.matchAll(/https:\/\/news\.example\/t\/c\/([\w-]+\.[\w-]+)/g)].map(
    (m) => m[1] as string,
  );
  const pixel = /https:\/\/news\.example\/t\/o\/([\w-]+\.[\w-]+)\.gif/.exec(html)?.[1] as string;
  const row = await deps.db
    .selectFrom('outbox')
    .select('idempotency_key')
    .where('program_id', '=', programId)
    .executeTakeFirstOrThrow();
  return { programId, text, html, clicks, pixel, messageId: row.idempotency_key };
}

const eventsOf = (programId: string) =>
  deps.db
    .selectFrom('message_events')
    .select(['type', 'channel', 'campaign_id', 'message_id', 'url'])
    .where('program_id', '=', programId)
    .where('type', '!=', 'sent')
    .orderBy('type')
    .orderBy('url')
    .execute();

describe('tracked email', () => {
  it('rewrites every link to a signed redirect and adds an open pixel', async () => {
    const { text, html, clicks, pixel } = await sentEmail();
    expect(text).not.toContain('shop.example');
    expect(clicks).toHaveLength(2);
    expect(text).toMatch(
      /^Hi M1\. Your offer: https:\/\/news\.example\/t\/c\/\S+\. Rules \(https:\/\/news\.example\/t\/c\/\S+\)\.$/,
    );
    expect(html).toContain('<a href="https://news.example/t/c/');
    expect(html).toContain('>https://shop.example/offer?a=1&amp;b=2</a>');
    expect(pixel).toBeDefined();
  });

  it('records an open and a click as message events with the message id, and redirects to the link', async () => {
    const { programId, clicks, pixel, messageId } = await sentEmail();
    const app = createApp(deps);
    const open = await get(app, `/t/o/${pixel}.gif`);
    expect(open.status).toBe(200);
    expect(open.headers.get('content-type')).toBe('image/gif');
    const click = await get(app, `/t/c/${clicks[0]}`);
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe('https://shop.example/offer?a=1&b=2');
    const second = await get(app, `/t/c/${clicks[1]}`);
    expect(second.headers.get('location')).toBe('https://shop.example/rules');
    const common = { channel: 'email', campaign_id: 'nudge', message_id: messageId };
    expect(await eventsOf(programId)).toEqual([
      { ...common, type: 'clicked', url: 'https://shop.example/offer?a=1&b=2' },
      { ...common, type: 'clicked', url: 'https://shop.example/rules' },
      { ...common, type: 'opened', url: null },
    ]);
  });

  it('answers 404 to a tampered, forged or misplaced link and 410 to an expired one, recording nothing', async () => {
    const { programId, clicks, pixel, messageId } = await sentEmail();
    const app = createApp(deps);
    const click = clicks[0] as string;
    const tampered = `${click.slice(0, -2)}${click.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await get(app, `/t/c/${tampered}`)).status).toBe(404);
    expect((await get(app, '/t/c/not-a-token')).status).toBe(404);
    // A click token on the pixel's path, and the pixel's on the click path.
    await expectError(await get(app, `/t/o/${click}.gif`), 404, 'NOT_FOUND');
    expect((await get(app, `/t/c/${pixel}`)).status).toBe(404);
    // Correctly signed, but naming a link the message does not have: no open redirect.
    const secret = await linkSecret(deps.db, programId, TEST_NOW);
    const expires = TEST_NOW.getTime() / 1000 + 3600;
    const beyond = trackingToken({ programId, messageId, link: 2, expires }, secret);
    const missing = await get(app, `/t/c/${beyond}`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('location')).toBeNull();
    // Signed with another program's secret.
    const other = await launchDeliveryCampaign(deps, { channel: 'email' });
    const foreign = trackingToken(
      { programId, messageId, link: 0, expires },
      await linkSecret(deps.db, other, TEST_NOW),
    );
    expect((await get(app, `/t/c/${foreign}`)).status).toBe(404);
    const late = createApp({ ...deps, clock: () => new Date(TEST_NOW.getTime() + 91 * 86_400_000) });
    expect((await get(late, `/t/c/${click}`)).status).toBe(410);
    await expectError(await get(late, `/t/o/${pixel}.gif`), 410, 'LINK_EXPIRED');
    expect(await eventsOf(programId)).toEqual([]);
  });
});
