import { hash } from 'node:crypto';
import type { CampaignDefinition, LaunchResult } from '../../contracts/campaigns.ts';
import { AppError } from '../../contracts/errors.ts';
import type { MemberPlan } from '../../domain/campaigns/decide-member.ts';
import { canMove } from '../../domain/campaigns/lifecycle.ts';
import { nextOccurrence } from '../../domain/campaigns/send-time.ts';
import type { Deps } from '../deps.ts';
import { latestVersion, readGovernancePolicy, segmentFeatureLookup } from './campaign-store.ts';
import { recompileOrRefuse } from './compile-or-refuse.ts';
import { count, emptyCounts, type PlanTimings, planCampaign } from './plan-campaign.ts';
import { type LaunchRow, writeLaunchBatch } from './write-launch-batch.ts';

/**
 * The step a member's message belongs to: one per campaign for a one-off send, one per occurrence
 * for a recurring one, one per segment entry for a triggered one. At most one message goes per
 * (campaign, step, member).
 */
function stepOf(
  definition: CampaignDefinition,
  plan: MemberPlan,
  enteredAt: Date | undefined,
  now: Date,
  zone: string,
) {
  const { schedule } = definition;
  if (schedule.kind === 'on_entry') return `entry:${enteredAt?.toISOString() ?? 'unknown'}`;
  if (schedule.kind === 'recurring') {
    const next = nextOccurrence(schedule, zone, now);
    return `occurrence:${(next ?? plan.sendAt ?? now).toISOString().slice(0, 10)}`;
  }
  return 'once';
}

/** The key handed to the channel so that a retried send is recognised as the same message. */
export function idempotencyKey(programId: string, campaign: string, step: string, memberId: string): string {
  const digest = hash('sha256', `${programId}\u0000${campaign}\u0000${step}\u0000${memberId}`, 'base64url');
  return `ncm_${digest.slice(0, 32)}`;
}

/**
 * Launches the approved campaign: decides every audience member and, in one transaction per batch,
 * records each decision (the audit trail) and writes an outbox row for each message to send. The
 * next batch is decided while one is written (one write at a time, in order). Running it again, or
 * after a launch that stopped part way, is safe: decisions and messages already written are kept,
 * none is written twice, and the members not yet decided are (ADR 0026).
 */
export async function launchCampaign(
  deps: Pick<Deps, 'db' | 'clock'>,
  {
    programId,
    name,
    batchSize,
    timings,
  }: {
    programId: string;
    name: string;
    /** Members per batch (default AUDIENCE_BATCH_SIZE). */
    batchSize?: number | undefined;
    /** Filled with the time spent in each phase, for benchmarks. */
    timings?: PlanTimings | undefined;
  },
): Promise<LaunchResult> {
  const row = await latestVersion(deps.db, programId, name);
  if (!row) throw new AppError('NOT_FOUND', `campaign "${name}" does not exist in program "${programId}"`);
  if (row.status !== 'running' && !canMove(row.status, 'running')) {
    throw new AppError(
      'INVALID_STATE',
      `campaign "${name}" version ${row.version} is ${row.status}; only an approved campaign can be launched`,
    );
  }
  const policy = await readGovernancePolicy(deps.db, programId);
  const compiled = recompileOrRefuse(
    row.definition as never,
    policy,
    await segmentFeatureLookup(deps.db, programId),
  );
  const now = deps.clock();
  const counts = emptyCounts();
  const context = {
    programId,
    campaign: name,
    version: row.version,
    purpose: compiled.definition.purpose,
    decidedAt: now,
    snapshots: new Map<string, number>(),
    trails: new Map<string, number>(),
  };
  let queued = 0;
  // The write of the batch before, if any: awaited before the next one starts, so batches commit
  // in member order and a failed write stops the launch.
  let writing: Promise<void> = Promise.resolve();
  await planCampaign(deps.db, {
    programId,
    name,
    compiled,
    policy,
    now,
    render: true,
    snapshots: true,
    batchSize,
    timings,
    // A triggered campaign greets members who enter after its approval, not everyone already there.
    enteredSince:
      compiled.definition.schedule.kind === 'on_entry' ? (row.approved_at ?? undefined) : undefined,
    onBatch: async (plans) => {
      const rows = plans.map(({ plan, member }): LaunchRow => {
        const step = stepOf(compiled.definition, plan, member.enteredAt, now, policy.defaultTimezone);
        return {
          memberId: member.memberId,
          step,
          plan,
          idempotencyKey: plan.message === null ? '' : idempotencyKey(programId, name, step, member.id),
          snapshot: member.snapshot,
        };
      });
      await writing;
      writing = writeLaunchBatch(deps.db, context, rows).then((written) => {
        queued += written;
        for (const { plan } of plans) count(counts, plan);
      });
      writing.catch(() => undefined);
    },
  });
  await writing;
  const status = 'running' as const;
  await deps.db
    .updateTable('campaigns')
    .set({ status, updated_at: now })
    .where('program_id', '=', programId)
    .where('name', '=', name)
    .where('version', '=', row.version)
    .where('status', 'in', ['approved', 'scheduled', 'running'])
    .execute();
  return { campaign: `${row.name}@${row.version}`, status, queued, ...counts };
}
