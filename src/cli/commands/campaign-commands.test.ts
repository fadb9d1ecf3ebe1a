import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testCli } from '../../../test/fixtures/cli.ts';
import { openTestDatabase } from '../../../test/fixtures/database.ts';
import { programWithKey, testDeps } from '../../../test/fixtures/programs.ts';
import { mailHeaders, startSmtpPeer } from '../../../test/fixtures/smtp-peer.ts';
import { CampaignView } from '../../contracts/campaigns.ts';
import { ERROR_CODES } from '../../contracts/errors.ts';
import { campaignTestProgram } from '../../services/campaigns/campaign-test-program.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());
const { run } = testCli(deps);
const dir = mkdtempSync(join(tmpdir(), 'narrowcast-campaigns-'));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const yaml = `name: statement
label: Monthly points statement
goal: redeem
audience:
  segments: [loyalty/points_savers, loyalty/vips]
  exclude: [lifecycle/churned]
offer: { kind: none, unitCost: 0 }
channels: [email]
schedule: { kind: recurring, every: month, day: 1, time: "09:00" }
holdout: 0.05
variants:
  - name: a
    messages:
      email:
        subject: "{{ points.balance }} points"
        body: "{{ points.to_next_reward }} to go"
        fallback: "some"
`;

describe('narrowcast campaigns', () => {
  it('creates, shows, lists, approves and cancels a campaign with --json', async () => {
    const { programId } = await programWithKey(deps);
    const path = file('statement.yaml', yaml);
    const created = await run('campaigns', 'create', path, '--program', programId, '--json');
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      change: 'created',
      campaign: { name: 'statement', version: 1 },
    });

    const shown = await run('campaigns', 'show', 'statement', '--program', programId, '--json');
    expect(CampaignView.parse(JSON.parse(shown.stdout))).toMatchObject({
      status: 'draft',
      definition: { holdout: 0.05 },
    });

    const approved = await run(
      'campaigns',
      'approve',
      'statement',
      '--program',
      programId,
      '--by',
      'ada',
      '--json',
    );
    expect(JSON.parse(approved.stdout)).toMatchObject({ status: 'approved', approvedBy: 'ada' });

    const listed = await run('campaigns', 'list', '--program', programId, '--status', 'approved', '--json');
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ name: 'statement', version: 1, status: 'approved', goal: 'redeem' }),
    ]);

    const cancelled = await run('campaigns', 'cancel', 'statement', '--program', programId);
    expect(cancelled).toEqual({ code: 0, stdout: 'Cancelled campaign statement version 1.\n', stderr: '' });
  });

  it('describes a campaign in words without --json', async () => {
    const { programId } = await programWithKey(deps);
    await run('campaigns', 'create', file('words.yaml', yaml), '--program', programId);
    const shown = await run('campaigns', 'show', 'statement', '--program', programId);
    expect(shown.stdout).toContain('Campaign statement version 1');
    expect(shown.stdout).toContain(
      'audience loyalty/points_savers, loyalty/vips, excluding lifecycle/churned',
    );
    expect(shown.stdout).toContain('holdout 5%');
  });

  it('prints each problem of a bad definition with file, line and column, and exits 65', async () => {
    const { programId } = await programWithKey(deps);
    const path = file(
      'bad.yaml',
      yaml.replace('{{ points.balance }} points', '{{ points.balance | shout }} points'),
    );
    const result = await run('campaigns', 'create', path, '--program', programId);
    expect(result.code).toBe(ERROR_CODES.INVALID_INPUT.exit);
    expect(result.stderr).toContain(
      `${path}:1:1: variants[0].messages.email.subject: undefined filter: shout`,
    );
    expect(result.stderr).toMatch(/^error: the campaign definition has 1 problem/m);
  });

  it('exits 66 for a file it cannot read and for an unknown campaign', async () => {
    const { programId } = await programWithKey(deps);
    expect((await run('campaigns', 'create', join(dir, 'missing.yaml'), '--program', programId)).code).toBe(
      66,
    );
    expect((await run('campaigns', 'show', 'nope', '--program', programId)).code).toBe(66);
  });

  it('refuses a bad --status or --version as a usage error', async () => {
    const { programId } = await programWithKey(deps);
    expect((await run('campaigns', 'list', '--status', 'live', '--program', programId)).code).toBe(64);
    expect((await run('campaigns', 'show', 'x', '--version', 'two', '--program', programId)).code).toBe(64);
  });
});

describe('narrowcast campaigns preview, launch and why', () => {
  it('previews, launches and explains a decision', async () => {
    const programId = await campaignTestProgram(deps, [
      { id: 'M1', consent: ['email'], features: { points_balance: 700 } },
      { id: 'M2' },
    ]);
    const path = file(
      'nudge.yaml',
      `name: nudge
goal: redeem
audience: { segments: [loyalty/points_savers] }
offer: { kind: none, unitCost: 0 }
channels: [email]
holdout: 0
variants: [{ name: a, messages: { email: { subject: "{{ points.balance }} points", body: "{{ points.to_next_reward }} to go" } } }]
`,
    );
    await run('campaigns', 'create', path, '--program', programId);
    await run('campaigns', 'approve', 'nudge', '--program', programId);

    const preview = await run('campaigns', 'preview', 'nudge', '--program', programId, '--member', 'M1');
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toContain('Preview of nudge@1: audience 2');
    expect(preview.stdout).toContain('excluded: consent 1');
    expect(preview.stdout).toContain('subject: 700 points');
    expect(preview.stdout).toContain('300 to go');

    const launched = await run('campaigns', 'launch', 'nudge', '--program', programId, '--json');
    expect(JSON.parse(launched.stdout)).toMatchObject({ status: 'running', queued: 1, audience: 2 });

    const why = await run('campaigns', 'why', 'nudge', 'M2', '--program', programId);
    expect(why.stdout).toContain('nudge once (version 1): excluded by consent');
    expect(why.stdout).toContain('fail  consent: no marketing consent on email');
    const whyJson = JSON.parse(
      (await run('campaigns', 'why', 'nudge', 'M1', '--program', programId, '--json')).stdout,
    );
    expect(whyJson.decisions[0]).toMatchObject({ outcome: 'send', delivery: { status: 'pending' } });
  });
});

describe('narrowcast worker', () => {
  it('delivers the queued email over SMTP and stops when idle with --until-idle', async () => {
    const peer = await startSmtpPeer();
    try {
      const programId = await campaignTestProgram(deps, [{ id: 'W1', consent: ['email'] }]);
      const path = file(
        'worker.yaml',
        `name: hello
goal: onboard
audience: { segments: [loyalty/points_savers] }
offer: { kind: none, unitCost: 0 }
channels: [email]
holdout: 0
variants: [{ name: a, messages: { email: { subject: "Hello", body: "Welcome" } } }]
`,
      );
      await run('campaigns', 'create', path, '--program', programId);
      await run('campaigns', 'approve', 'hello', '--program', programId);
      await run('campaigns', 'launch', 'hello', '--program', programId);
      const args = [
        '--smtp-url',
        peer.url,
        '--from',
        'Club <news@club.example>',
        '--public-url',
        'https://club.example',
      ];
      const result = await run('worker', ...args, '--until-idle', '--program', programId, '--json');
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ claimed: 1, sent: 1, retried: 0, failed: 0, withdrawn: 0 });
      const [mail] = peer.messagesTo('w1@example.com');
      expect(mailHeaders(mail?.raw ?? '')['list-unsubscribe']).toMatch(
        /^<https:\/\/club\.example\/u\/[\w-]+\.[\w-]+>$/,
      );
    } finally {
      await peer.close();
    }
  });

  it('refuses a From without an address as a usage error', async () => {
    const result = await run(
      'worker',
      '--smtp-url',
      'smtp://127.0.0.1:1',
      '--from',
      'nobody',
      '--public-url',
      'https://x.example',
    );
    expect(result.code).toBe(64);
  });
});

describe('narrowcast campaigns policy and suppress', () => {
  it('shows the send rules, changes them from a file, and adds to a suppression list', async () => {
    const { programId } = await programWithKey(deps);
    const shown = await run('campaigns', 'policy', '--program', programId);
    expect(shown.stdout).toContain('quiet hours: 21:00-08:00');
    const path = file(
      'policy.yaml',
      'quietHours: null\nfrequencyCaps:\n  email: { maxMessages: 1, windowHours: 24 }\n',
    );
    const changed = JSON.parse(
      (await run('campaigns', 'policy', '--set', path, '--program', programId, '--json')).stdout,
    );
    expect(changed).toMatchObject({
      quietHours: null,
      frequencyCaps: { email: { maxMessages: 1, windowHours: 24 } },
    });
    const suppressed = await run('campaigns', 'suppress', 'legal-hold', 'M1', 'M2', '--program', programId);
    expect(suppressed.stdout).toBe('Added 2 entries to suppression list "legal-hold".\n');
  });

  it('exits 65 for a policy file that is not valid', async () => {
    const { programId } = await programWithKey(deps);
    const path = file('bad-policy.yaml', 'defaultTimezone: Nowhere/Land\n');
    expect((await run('campaigns', 'policy', '--set', path, '--program', programId)).code).toBe(65);
  });
});
