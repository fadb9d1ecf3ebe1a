import { afterAll, describe, expect, it } from 'vitest';
import { testCli } from '../../../test/fixtures/cli.ts';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { testDeps } from '../../../test/fixtures/programs.ts';
import { mailHeaders, startSmtpPeer } from '../../../test/fixtures/smtp-peer.ts';
import { launchDeliveryCampaign } from '../../services/delivery/delivery-test-campaign.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
const peer = await startSmtpPeer();
afterAll(async () => {
  await peer.close();
  await database.close();
});

/** Polls until `probe` gives a value (the server works in the background); fails after a while. */
async function until<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('narrowcast serve with campaign delivery', () => {
  it('delivers queued email beside the API, with tracking pointing at the server, and stops cleanly', async () => {
    const programId = await launchDeliveryCampaign(deps, {
      channel: 'email',
      body: 'See https://shop.example/a',
    });
    const listeners = process.listenerCount('SIGINT') + process.listenerCount('SIGTERM');
    const cli = testCli(deps);
    const running = cli.run(
      'serve',
      '--port',
      '0',
      '--no-webhooks',
      '--refresh-every',
      '0',
      '--smtp-url',
      peer.url,
      '--from',
      'Coffee Club <news@coffee.example>',
      '--public-url',
      'https://club.example/',
      '--delivery-program',
      programId,
    );
    await until(() => (peer.received.length >= 2 ? true : undefined));
    expect(cli.printed().stdout).toContain(
      'Campaign delivery: sms, push, in_app by webhook; email over SMTP',
    );
    process.emit('SIGINT');
    expect((await running).code).toBe(0);
    expect(cli.sessions).toEqual({ opened: 1, closed: 1 });
    expect(process.listenerCount('SIGINT') + process.listenerCount('SIGTERM')).toBe(listeners);
    const [mail] = peer.messagesTo('m1@example.com');
    expect(mailHeaders(mail?.raw ?? '')['list-unsubscribe']).toMatch(/^<https:\/\/club\.example\/u\//);
    expect(mail?.raw).toContain('https://club.example/t/c/');
    const rows = await deps.db
      .selectFrom('outbox')
      .select('status')
      .where('program_id', '=', programId)
      .execute();
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);
    // Each member once.
    expect(peer.received.map((m) => m.to.join()).sort()).toEqual(['m1@example.com', 'm2@example.com']);
  });

  it('refuses --smtp-url without --from before opening the database', async () => {
    const { run, sessions } = testCli(deps);
    const result = await run('serve', '--port', '0', '--smtp-url', peer.url);
    expect(result.code).toBe(64);
    expect(result.stderr).toBe('error: --smtp-url needs --from, the address mail comes from\n');
    expect(sessions.opened).toBe(0);
  });
});
