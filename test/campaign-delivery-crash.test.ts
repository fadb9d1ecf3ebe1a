import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.ts';
import { approveCampaign } from '../src/services/campaigns/approve-campaign.ts';
import { createCampaign } from '../src/services/campaigns/create-campaign.ts';
import { launchCampaign } from '../src/services/campaigns/launch-campaign.ts';
import { setGovernancePolicy } from '../src/services/campaigns/set-governance-policy.ts';
import { createProgram } from '../src/services/create-program.ts';
import { type Deps, silentLog } from '../src/services/deps.ts';
import { ingestBatch } from '../src/services/ingest-batch.ts';
import { freshProgramId } from './fixtures/database.ts';
import { mailHeaders, startSmtpPeer } from './fixtures/smtp-peer.ts';

// Kills the real `narrowcast worker` with SIGKILL in the middle of a 10,000-member send, starts it
// again, and checks what the SMTP peer received: every eligible member exactly one message (one
// Message-ID, the idempotency key), nobody else anything. The only message that can reach the
// peer twice is the one in flight at the kill (accepted by the peer, not yet marked sent); it comes
// again with the same Message-ID, which is how the channel recognises it.

const REPO = resolve(import.meta.dirname, '..');
const SERVER_URL = process.env.NARROWCAST_TEST_DATABASE_URL;
const MEMBERS = 10_000;
/** Every this many members has no consent and must get nothing. */
const NO_CONSENT_EVERY = 10;
const KILL_AFTER = 3_000;

const dataDir = SERVER_URL ? undefined : mkdtempSync(join(tmpdir(), 'narrowcast-crash-send-'));
const target = SERVER_URL ? ['--database-url', SERVER_URL] : ['--data-dir', dataDir as string];
const open = () => openDatabase(SERVER_URL ? { url: SERVER_URL } : { dataDir: dataDir as string });
const children = new Set<ChildProcess>();
const peer = await startSmtpPeer();

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await peer.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function seed(programId: string): Promise<void> {
  const database = await open();
  const deps: Deps = { db: database.db, clock: () => new Date(), log: silentLog };
  try {
    await createProgram(deps, { programId });
    const ids = Array.from({ length: MEMBERS }, (_, i) => `m${i}`);
    await ingestBatch(deps, {
      programId,
      kind: 'members',
      records: ids.map((id) => ({ id, joinedAt: '2024-01-01', email: `${id}@example.com` })),
    });
    await ingestBatch(deps, {
      programId,
      kind: 'consents',
      records: ids
        .filter((_, i) => i % NO_CONSENT_EVERY !== 0)
        .map((id) => ({
          id: `c-${id}`,
          memberId: id,
          occurredAt: '2024-02-01',
          channel: 'email',
          purpose: 'marketing',
          status: 'granted',
        })),
    });
    const rows = await deps.db
      .selectFrom('members')
      .select('member_id')
      .where('program_id', '=', programId)
      .execute();
    for (let i = 0; i < rows.length; i += 2_000) {
      await deps.db
        .insertInto('segment_memberships')
        .values(
          rows.slice(i, i + 2_000).map((r) => ({
            program_id: programId,
            member_id: r.member_id,
            scheme: 'loyalty',
            segment: 'points_savers',
            since: new Date('2024-05-01'),
            explanation: 'seeded',
          })),
        )
        .execute();
    }
    await setGovernancePolicy(deps, { programId, changes: { quietHours: null } });
    await createCampaign(deps, {
      programId,
      source: {
        value: {
          name: 'statement',
          goal: 'redeem',
          audience: { segments: ['loyalty/points_savers'] },
          offer: { kind: 'none', unitCost: 0 },
          channels: ['email'],
          holdout: 0,
          variants: [
            { name: 'a', messages: { email: { subject: 'Statement for {{ member.id }}', body: 'Hello' } } },
          ],
        },
      },
    });
    await approveCampaign(deps, { programId, name: 'statement', approvedBy: 'test' });
    const launched = await launchCampaign(deps, { programId, name: 'statement' });
    expect(launched.queued).toBe(MEMBERS - MEMBERS / NO_CONSENT_EVERY);
  } finally {
    await database.close();
  }
}

/** Runs the worker until idle; with `killAfter`, SIGKILLs it once the peer holds that many messages. */
function worker(
  programId: string,
  killAfter?: number,
): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const env = { ...process.env, DATABASE_URL: '', NARROWCAST_DATA_DIR: '' };
  const args = [
    'bin/narrowcast.mjs',
    'worker',
    ...target,
    '--program',
    programId,
    '--smtp-url',
    `${peer.url}?pool=true`,
    '--from',
    'Club <news@club.example>',
    '--public-url',
    'https://club.example',
    '--lease-seconds',
    '1',
    '--batch-size',
    '200',
    '--until-idle',
  ];
  const child = spawn(process.execPath, args, { cwd: REPO, env, stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer =
    killAfter === undefined
      ? undefined
      : setInterval(() => {
          if (peer.received.length >= killAfter) {
            clearInterval(timer);
            child.kill('SIGKILL');
          }
        }, 5);
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code, signal) => {
      children.delete(child);
      if (timer) clearInterval(timer);
      done({ code, signal, stderr });
    });
  });
}

describe('a worker killed mid-send', () => {
  it('leaves every eligible member with exactly one message once restarted', async () => {
    const programId = freshProgramId('crash');
    await seed(programId);

    const killed = await worker(programId, KILL_AFTER);
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const atKill = peer.received.length;
    expect(atKill).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(atKill).toBeLessThan(MEMBERS - MEMBERS / NO_CONSENT_EVERY);

    // Past the one-second lease, the killed worker's claims are free again.
    await new Promise((r) => setTimeout(r, 1_500));
    const restarted = await worker(programId);
    expect(restarted.code, restarted.stderr).toBe(0);

    const byRecipient = new Map<string, Set<string>>();
    for (const mail of peer.received) {
      const id = mailHeaders(mail.raw)['message-id'] ?? '';
      for (const to of mail.to) byRecipient.set(to, (byRecipient.get(to) ?? new Set()).add(id));
    }
    const eligible = Array.from({ length: MEMBERS }, (_, i) => i)
      .filter((i) => i % NO_CONSENT_EVERY !== 0)
      .map((i) => `m${i}@example.com`);
    expect(byRecipient.size).toBe(eligible.length);
    expect(eligible.filter((address) => byRecipient.get(address)?.size !== 1)).toEqual([]);
    // At most the one message in flight at the kill reached the peer twice, under the same Message-ID.
    expect(peer.received.length - eligible.length).toBeLessThanOrEqual(1);

    const database = await open();
    try {
      const statuses = await database.db
        .selectFrom('outbox')
        .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
        .where('program_id', '=', programId)
        .groupBy('status')
        .execute();
      expect(statuses.map((s) => [s.status, Number(s.n)])).toEqual([['sent', eligible.length]]);
    } finally {
      await database.close();
    }
  }, 600_000);
});
