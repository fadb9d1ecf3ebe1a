import type { Kysely } from 'kysely';
import type { CampaignPreview, GovernancePolicy, MemberDecision } from '../../contracts/campaigns.ts';
import type { Schema } from '../../db/schema.ts';
import type { CompiledCampaign } from '../../domain/campaigns/compile-campaign.ts';
import { decideMember, type MemberPlan, renderPlan } from '../../domain/campaigns/decide-member.ts';
import { campaignTokens, featuresRead } from '../../domain/campaigns/features-read.ts';
import { readDeliverableChannels } from '../delivery/read-deliverable-channels.ts';
import { templateEngine } from './campaign-store.ts';
import { type AudienceMember, loadAudience } from './load-audience.ts';

// The walk preview and launch share: read the channels the program can deliver on once, then the
// audience batch by batch, decide each member, count. What happens to each batch of decisions
// (nothing, or stored with the outbox) is the caller's.

/** The key arms are hashed with: the same for every version of a campaign. */
export const campaignKey = (programId: string, name: string) => `${programId}:${name}`;

/** Counts of a plan, without samples. */
export type PlanCounts = Omit<CampaignPreview, 'samples' | 'campaign'>;

export function emptyCounts(): PlanCounts {
  return { audience: 0, excluded: {}, holdout: 0, send: 0, deferred: 0, variants: {}, channels: {} };
}

/** Adds one decision to the counts. */
export function count(counts: PlanCounts, plan: MemberPlan): void {
  counts.audience++;
  const bump = (record: Record<string, number>, key: string) => {
    record[key] = (record[key] ?? 0) + 1;
  };
  if (plan.outcome === 'excluded') bump(counts.excluded, plan.excludedBy ?? 'unknown');
  else if (plan.outcome === 'holdout') counts.holdout++;
  else {
    counts.send++;
    if (plan.outcome === 'deferred') counts.deferred++;
    if (plan.arm.arm === 'treatment') bump(counts.variants, plan.arm.variant);
    if (plan.channel) bump(counts.channels, plan.channel);
  }
}

/** A decision as the API shows it. */
export function decisionView(plan: MemberPlan): MemberDecision {
  return {
    memberId: plan.memberId,
    arm: plan.arm.arm,
    variant: plan.arm.arm === 'treatment' ? plan.arm.variant : null,
    outcome: plan.outcome,
    excludedBy: plan.excludedBy,
    channel: plan.channel,
    sendAt: plan.sendAt?.toISOString() ?? null,
    rules: plan.rules,
    message: plan.message,
  };
}

/** Milliseconds spent in each phase of a plan, summed over its batches (for benchmarks). */
export interface PlanTimings {
  /** Waiting for the audience reads (a batch is read while the one before it is decided). */
  read: number;
  /** Arm, schedule and governance. */
  decide: number;
  render: number;
  /** Waiting for `onBatch` (for a launch, the decisions and outbox writes). */
  write: number;
}

/**
 * Decides every audience member, handing each batch of plans to `onBatch`. The next batch is read
 * while one is decided and handed on, so the database and this process work at the same time.
 */
export async function planCampaign(
  db: Kysely<Schema>,
  options: {
    programId: string;
    name: string;
    compiled: CompiledCampaign;
    policy: GovernancePolicy;
    now: Date;
    render: boolean;
    onlyMembers?: readonly string[] | undefined;
    enteredSince?: Date | undefined;
    batchSize?: number | undefined;
    timings?: PlanTimings | undefined;
    /** Read each member's segment snapshot (a launch records it at assignment). */
    snapshots?: boolean | undefined;
    onBatch: (plans: { plan: MemberPlan; member: AudienceMember }[]) => Promise<void>;
  },
): Promise<void> {
  const campaign = {
    key: campaignKey(options.programId, options.name),
    compiled: options.compiled,
    deliverable: await readDeliverableChannels(db, options.programId),
  };
  const timings = options.timings ?? { read: 0, decide: 0, render: 0, write: 0 };
  const batches = loadAudience(db, {
    programId: options.programId,
    definition: options.compiled.definition,
    policy: options.policy,
    now: options.now,
    campaignKey: options.name,
    onlyMembers: options.onlyMembers,
    enteredSince: options.enteredSince,
    batchSize: options.batchSize,
    lastPurchase:
      options.render && campaignTokens(options.compiled).some((token) => token.startsWith('last.')),
    features: featuresRead(options.compiled),
    snapshots: options.snapshots,
  });
  try {
    let next = batches.next();
    for (;;) {
      let started = performance.now();
      const current = await next;
      timings.read += performance.now() - started;
      if (current.done) return;
      next = batches.next();
      // A failed read is reported when it is awaited, not as an unhandled rejection meanwhile.
      next.catch(() => undefined);
      started = performance.now();
      const decided = current.value.members.map((member) => ({
        member,
        plan: decideMember(templateEngine, campaign, options.policy, member, options.now, { render: false }),
      }));
      timings.decide += performance.now() - started;
      started = performance.now();
      const plans = options.render
        ? decided.map(({ member, plan }) => ({
            member,
            plan: renderPlan(templateEngine, campaign, options.policy, member, plan),
          }))
        : decided;
      timings.render += performance.now() - started;
      started = performance.now();
      await options.onBatch(plans);
      timings.write += performance.now() - started;
    }
  } finally {
    await batches.return(undefined);
  }
}
