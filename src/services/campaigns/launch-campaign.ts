import { createHash } from 'node:crypto';
import type { CampaignDefinition, LaunchResult } from '../../contracts/campaigns.ts';
import { AppError } from '../../contracts/errors.ts';
import type { MemberPlan } from '../../domain/campaigns/decide-member.ts';
import { canMove } from '../../domain/campaigns/lifecycle.ts';
import { nextOccurrence } from '../../domain/campaigns/send-time.ts';
import type { Deps } from '../deps.ts';
import { latestVersion, readGovernancePolicy, segmentFeatureLookup } from './campaign-store.ts';
import { recompileOrRefuse } from './compile-or-refuse.ts';
import { count, emptyCounts, planCampaign } from './plan-campaign.ts';
import { recordAssignmentSegments } from './record-assignment-segments.ts';

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
  const digest = createHash('sha256')
    .update(`${programId}\u0000${campaign}\u0000${step}\u0000${memberId}`)
    .digest('base64url');
  return `ncm_${digest.slice(0, 32)}`;
}

/**
 * Launches the approved campaign: decides every audience member and, in the same transaction per
 * batch, records each decision (the audit trail) and writes an outbox row for each message to send.
 * Running it again is safe: decisions and messages already written are kept, none is written twice.
 */
export async function launchCampaign(
  deps: Pick<Deps, 'db' | 'clock'>,
  { programId, name }: { programId: string; name: string },
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
  let queued = 0;
  await planCampaign(deps.db, {
    programId,
    name,
    compiled,
    policy,
    now,
    render: true,
    // A triggered campaign greets members who enter after its approval, not everyone already there.
    enteredSince:
      compiled.definition.schedule.kind === 'on_entry' ? (row.approved_at ?? undefined) : undefined,
    onBatch: async (plans) => {
      const decided = plans.map(({ plan, member }) => ({
        plan,
        member,
        step: stepOf(compiled.definition, plan, member.enteredAt, now, policy.defaultTimezone),
      }));
      await deps.db.transaction().execute(async (tx) => {
        await tx
          .insertInto('campaign_decisions')
          .values(
            decided.map(({ plan, member, step }) => ({
              program_id: programId,
              campaign: name,
              step,
              member_id: member.memberId,
              version: row.version,
              arm: plan.arm.arm,
              variant: plan.arm.arm === 'treatment' ? plan.arm.variant : null,
              outcome: plan.outcome,
              excluded_by: plan.excludedBy,
              channel: plan.channel,
              send_at: plan.sendAt,
              rules: JSON.stringify(plan.rules),
              decided_at: now,
            })),
          )
          .onConflict((oc) => oc.columns(['program_id', 'campaign', 'step', 'member_id']).doNothing())
          .execute();
        await recordAssignmentSegments(tx, {
          programId,
          campaign: name,
          decisions: decided.map(({ plan, member }) => ({
            memberId: member.memberId,
            outcome: plan.outcome,
            excludedBy: plan.excludedBy,
          })),
        });
        const messages = decided.filter(
          ({ plan }) => plan.message !== null && plan.channel !== null && plan.sendAt,
        );
        if (messages.length === 0) return;
        const inserted = await tx
          .insertInto('outbox')
          .values(
            messages.map(({ plan, member, step }) => ({
              program_id: programId,
              campaign: name,
              step,
              member_id: member.memberId,
              version: row.version,
              variant: plan.arm.arm === 'treatment' ? plan.arm.variant : '',
              channel: plan.channel as string,
              purpose: compiled.definition.purpose,
              idempotency_key: idempotencyKey(programId, name, step, member.id),
              recipient: plan.message?.recipient ?? member.id,
              subject: plan.message?.subject ?? null,
              body: plan.message?.body ?? '',
              send_at: plan.sendAt as Date,
              status: 'pending' as const,
              next_attempt_at: plan.sendAt as Date,
            })),
          )
          .onConflict((oc) => oc.columns(['program_id', 'campaign', 'step', 'member_id']).doNothing())
          .returning('id')
          .execute();
        queued += inserted.length;
      });
      for (const { plan } of plans) count(counts, plan);
    },
  });
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
