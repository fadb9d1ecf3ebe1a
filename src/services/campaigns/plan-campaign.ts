import type { Kysely } from 'kysely';
import type { CampaignPreview, GovernancePolicy, MemberDecision } from '../../contracts/campaigns.ts';
import type { Schema } from '../../db/schema.ts';
import type { CompiledCampaign } from '../../domain/campaigns/compile-campaign.ts';
import { decideMember, type MemberPlan, type PlanMember } from '../../domain/campaigns/decide-member.ts';
import { templateEngine } from './campaign-store.ts';
import { loadAudience } from './load-audience.ts';

// The walk preview and launch share: read the audience batch by batch, decide each member, count.
// What happens to each batch of decisions (nothing, or stored with the outbox) is the caller's.

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

/** Decides every audience member, handing each batch of plans to `onBatch`. */
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
    onBatch: (plans: { plan: MemberPlan; member: PlanMember & { memberId: number } }[]) => Promise<void>;
  },
): Promise<void> {
  const key = campaignKey(options.programId, options.name);
  for await (const batch of loadAudience(db, {
    programId: options.programId,
    definition: options.compiled.definition,
    policy: options.policy,
    now: options.now,
    campaignKey: options.name,
    onlyMembers: options.onlyMembers,
    enteredSince: options.enteredSince,
  })) {
    const plans = batch.members.map((member) => ({
      member,
      plan: decideMember(
        templateEngine,
        { key, compiled: options.compiled },
        options.policy,
        member,
        options.now,
        {
          render: options.render,
        },
      ),
    }));
    await options.onBatch(plans);
  }
}
