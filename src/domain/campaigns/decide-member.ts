import type { Liquid } from 'liquidjs';
import type { GovernancePolicy } from '../../contracts/campaigns.ts';
import type { Channel } from '../../contracts/records.ts';
import { type Arm, assignArm } from './assign-arm.ts';
import { type CompiledCampaign, type RenderedMessage, renderMessage } from './compile-campaign.ts';
import {
  evaluateGovernance,
  type GovernanceMember,
  type GovernanceRule,
  type RuleOutcome,
} from './governance.ts';
import { zoneOf } from './local-time.ts';
import type { CampaignMember } from './message-tokens.ts';
import { plannedSendTime } from './send-time.ts';

// One audience member through the whole decision: when the message is planned, what governance
// says, which arm the member is in, and (for treated members) the rendered message. The result is
// what a launch stores per member and what `campaigns why` reads back.

/** Renders tried before a member is excluded for a template that ran past its bound. */
export const RENDER_ATTEMPTS = 3;

/** Everything known about one audience member at decision time. */
export type PlanMember = CampaignMember &
  GovernanceMember & {
    /** Where each channel reaches the member: email address, phone number, push token, member id. */
    contacts: Partial<Record<Channel, string>>;
    /** When the member entered the trigger segment (on_entry schedules). */
    enteredAt?: Date | undefined;
  };

/** Why a member gets no message beyond the governance rules. */
export type PlanRule = GovernanceRule | 'schedule' | 'holdout' | 'render';

/** The decision for one member. */
export interface MemberPlan {
  memberId: string;
  arm: Arm;
  outcome: 'send' | 'deferred' | 'excluded' | 'holdout';
  excludedBy: PlanRule | null;
  channel: Channel | null;
  sendAt: Date | null;
  rules: { rule: PlanRule; outcome: RuleOutcome['outcome']; detail: string }[];
  message: (RenderedMessage & { recipient: string }) | null;
}

/** What the decision needs about the campaign besides its compiled templates. */
export interface PlanCampaign {
  /** The stable key arms are hashed with: the same for every version of the campaign. */
  key: string;
  compiled: CompiledCampaign;
  /** Channels the program can deliver on (see GovernanceCampaign.deliverable). */
  deliverable: ReadonlySet<Channel>;
}

/** Decides one member; `render: false` skips rendering (counts only). */
export function decideMember(
  engine: Liquid,
  campaign: PlanCampaign,
  policy: GovernancePolicy,
  member: PlanMember,
  now: Date,
  options: { render: boolean } = { render: true },
): MemberPlan {
  const { definition } = campaign.compiled;
  const arm = assignArm(campaign.key, member.id, definition.holdout, definition.variants);
  const zone = zoneOf(member.timezone, policy.defaultTimezone);
  const base = { memberId: member.id, arm, channel: null, sendAt: null, message: null };
  const planned = plannedSendTime(definition.schedule, { zone, enteredAt: member.enteredAt }, now);
  if (planned === null) {
    const detail =
      definition.schedule.kind === 'on_entry'
        ? 'has not entered the trigger segment'
        : 'the schedule has ended';
    return {
      ...base,
      outcome: 'excluded',
      excludedBy: 'schedule',
      rules: [{ rule: 'schedule', outcome: 'fail', detail }],
    };
  }
  const governance = evaluateGovernance(
    {
      id: campaign.key,
      channels: definition.channels,
      purpose: definition.purpose,
      frequencyCaps: definition.frequencyCaps,
      sensitiveProblems: [],
      deliverable: campaign.deliverable,
    },
    policy,
    member,
    planned,
  );
  const rules: MemberPlan['rules'] = [...governance.rules];
  if (governance.outcome === 'excluded') {
    return { ...base, outcome: 'excluded', excludedBy: governance.excludedBy, rules };
  }
  if (arm.arm === 'holdout') {
    rules.push({
      rule: 'holdout',
      outcome: 'fail',
      detail: `in the ${definition.holdout * 100}% holdout (control group)`,
    });
    return { ...base, outcome: 'holdout', excludedBy: 'holdout', channel: governance.channel, rules };
  }
  const sent = {
    ...base,
    outcome: governance.deferred ? ('deferred' as const) : ('send' as const),
    excludedBy: null,
    channel: governance.channel,
    sendAt: governance.sendAt,
    rules,
  };
  return options.render ? renderPlan(engine, campaign, policy, member, sent) : sent;
}

/**
 * Renders the message of a plan to send (a plan decided with `render: false`); a plan that sends
 * nothing comes back as it is. A template that fails to render excludes the member.
 */
export function renderPlan(
  engine: Liquid,
  campaign: PlanCampaign,
  policy: GovernancePolicy,
  member: PlanMember,
  plan: MemberPlan,
): MemberPlan {
  if ((plan.outcome !== 'send' && plan.outcome !== 'deferred') || plan.channel === null) return plan;
  const { definition } = campaign.compiled;
  const channel = plan.channel;
  const variant = plan.arm.arm === 'treatment' ? plan.arm.variant : undefined;
  const compiled = variant === undefined ? undefined : campaign.compiled.messages.get(variant)?.get(channel);
  let rendered: ReturnType<typeof renderMessage> | undefined;
  // The render bound is wall-clock time, so a pause of the whole process (a garbage collection, a
  // busy machine) can trip it for a template that compiled and rendered in bounds at definition time;
  // try again before excluding anyone for it.
  for (let attempt = 0; compiled !== undefined && attempt < RENDER_ATTEMPTS; attempt++) {
    rendered = renderMessage(engine, compiled, member, definition, policy.rewardThresholds);
    if (rendered.ok || !/limit exceeded/.test(rendered.error.message)) break;
  }
  if (rendered === undefined || !rendered.ok) {
    const detail =
      rendered?.ok === false ? `${rendered.part}: ${rendered.error.message}` : 'no message for the channel';
    return {
      ...plan,
      outcome: 'excluded',
      excludedBy: 'render',
      channel: null,
      sendAt: null,
      rules: [...plan.rules, { rule: 'render', outcome: 'fail', detail }],
    };
  }
  const recipient = member.contacts[channel] ?? member.id;
  return { ...plan, message: { ...rendered.message, recipient } };
}
