import type { FrequencyCap, GovernancePolicy } from '../../contracts/campaigns.ts';
import type { Channel, Purpose } from '../../contracts/records.ts';
import { type ChannelState, type ConsentEntry, chooseChannel, hasConsent } from './choose-channel.ts';
import { zoneOf } from './local-time.ts';
import { nextAllowedTime } from './quiet-hours.ts';

// Governance comes before every send (DESIGN.md §4): each rule is evaluated for each member and its
// outcome kept, so "why did (or didn't) member X get this?" has an answer afterwards. A member is
// excluded by the first rule that fails; quiet hours never exclude, they defer.

/** The governance rules, in the order they are applied. */
export const GOVERNANCE_RULES = [
  'sensitive_guard',
  'suppression',
  'consent',
  'unsubscribe',
  'endpoint',
  'contact',
  'frequency_cap',
  'quiet_hours',
] as const;
export type GovernanceRule = (typeof GOVERNANCE_RULES)[number];

/** One rule's outcome for one member, with the facts behind it. */
export interface RuleOutcome {
  rule: GovernanceRule;
  outcome: 'pass' | 'fail' | 'defer';
  detail: string;
}

/** The governance decision for one member. */
export type GovernanceDecision =
  | {
      outcome: 'send';
      channel: Channel;
      channelReason: 'declared_preference' | 'campaign_order';
      /** When the message may go: the planned time, or the end of the member's quiet hours. */
      sendAt: Date;
      deferred: boolean;
      rules: RuleOutcome[];
    }
  | { outcome: 'excluded'; excludedBy: GovernanceRule; rules: RuleOutcome[] };

/** A message the member was sent (or is due to be sent) on some campaign, for the frequency cap. */
export interface PastSend {
  campaignId: string;
  channel: Channel;
  at: Date;
}

/** What governance needs to know about one member. */
export interface GovernanceMember {
  id: string;
  timezone: string | null;
  /** Declared channel preferences (`channel_pref`), most preferred first. */
  preferredChannels: readonly string[];
  /** Channels the member has an address on. */
  reachable: ReadonlySet<Channel>;
  consents: readonly ConsentEntry[];
  /** Unsubscribe events per channel. */
  unsubscribes: readonly { channel: Channel; at: Date }[];
  /** Names of the suppression lists the member (or their address) is on. */
  suppressedBy: readonly string[];
  /** Sends of every campaign, planned or done, for the frequency cap. */
  sends: readonly PastSend[];
}

/** What governance needs to know about the campaign. */
export interface GovernanceCampaign {
  id: string;
  channels: readonly Channel[];
  purpose: Purpose;
  frequencyCaps: Partial<Record<Channel, FrequencyCap>>;
  /** Problems the sensitive guard found in the definition; any of them blocks every member. */
  sensitiveProblems: readonly string[];
  /**
   * Channels the program can deliver on: email (the worker's SMTP), and SMS, push and in-app once the
   * program has configured an endpoint for them. A message on any other channel could never leave.
   */
  deliverable: ReadonlySet<Channel>;
}

/** The caps that apply on a channel: the program's, and the campaign's own when it sets one (both must hold). */
export function capsOn(
  channel: Channel,
  policy: Pick<GovernancePolicy, 'frequencyCaps'>,
  campaign: Pick<GovernanceCampaign, 'frequencyCaps'>,
): { source: 'program' | 'campaign'; cap: FrequencyCap }[] {
  const caps: { source: 'program' | 'campaign'; cap: FrequencyCap }[] = [];
  const program = policy.frequencyCaps[channel];
  const own = campaign.frequencyCaps[channel];
  if (program !== undefined) caps.push({ source: 'program', cap: program });
  if (own !== undefined) caps.push({ source: 'campaign', cap: own });
  return caps;
}

/** Evaluates every rule for one member, whose message is planned for `plannedAt`. */
export function evaluateGovernance(
  campaign: GovernanceCampaign,
  policy: GovernancePolicy,
  member: GovernanceMember,
  plannedAt: Date,
): GovernanceDecision {
  const rules: RuleOutcome[] = [];
  const exclude = (rule: GovernanceRule, detail: string): GovernanceDecision => {
    rules.push({ rule, outcome: 'fail', detail });
    return { outcome: 'excluded', excludedBy: rule, rules };
  };

  if (campaign.sensitiveProblems.length > 0) {
    return exclude('sensitive_guard', campaign.sensitiveProblems.join('; '));
  }
  rules.push({ rule: 'sensitive_guard', outcome: 'pass', detail: 'no sensitive declared value is used' });

  if (member.suppressedBy.length > 0) {
    return exclude(
      'suppression',
      `on suppression list ${member.suppressedBy.map((l) => `"${l}"`).join(', ')}`,
    );
  }
  rules.push({ rule: 'suppression', outcome: 'pass', detail: 'on no suppression list' });

  const states = new Map<Channel, ChannelState>();
  for (const channel of campaign.channels) {
    const consent = hasConsent(member.consents, channel, campaign.purpose);
    const unsubscribed = member.unsubscribes.some(
      (u) =>
        u.channel === channel && (consent.grantedAt === null || u.at.getTime() > consent.grantedAt.getTime()),
    );
    states.set(channel, {
      channel,
      consented: consent.consented,
      unsubscribed,
      reachable: member.reachable.has(channel),
      configured: campaign.deliverable.has(channel),
    });
  }
  const consented = campaign.channels.filter((c) => states.get(c)?.consented);
  if (consented.length === 0) {
    return exclude('consent', `no ${campaign.purpose} consent on ${campaign.channels.join(', ')}`);
  }
  rules.push({
    rule: 'consent',
    outcome: 'pass',
    detail: `${campaign.purpose} consent on ${consented.join(', ')}`,
  });

  const subscribed = consented.filter((c) => !states.get(c)?.unsubscribed);
  if (subscribed.length === 0) return exclude('unsubscribe', `unsubscribed from ${consented.join(', ')}`);
  rules.push({
    rule: 'unsubscribe',
    outcome: 'pass',
    detail: `subscribed on ${subscribed.join(', ')}`,
  });

  // Like a channel without consent, one the program cannot deliver on is passed over for the next.
  const deliverable = subscribed.filter((c) => states.get(c)?.configured);
  if (deliverable.length === 0) {
    return exclude('endpoint', `the program has no endpoint configured for ${subscribed.join(', ')}`);
  }
  rules.push({
    rule: 'endpoint',
    outcome: 'pass',
    detail: `the program delivers on ${deliverable.join(', ')}`,
  });

  const choice = chooseChannel(campaign.channels, member.preferredChannels, states);
  if (choice === null) return exclude('contact', `no address on ${deliverable.join(', ')}`);
  rules.push({
    rule: 'contact',
    outcome: 'pass',
    detail:
      choice.reason === 'declared_preference'
        ? `${choice.channel}: the member's declared preference`
        : `${choice.channel}: first usable channel in the campaign's order`,
  });

  const caps = capsOn(choice.channel, policy, campaign);
  const counts: string[] = [];
  for (const { source, cap } of caps) {
    const from = plannedAt.getTime() - cap.windowHours * 3_600_000;
    const inWindow = member.sends.filter(
      (s) => s.channel === choice.channel && s.at.getTime() > from && s.at.getTime() <= plannedAt.getTime(),
    ).length;
    const detail = `${inWindow} ${choice.channel} message(s) in the ${cap.windowHours}h before ${plannedAt.toISOString()}, ${source} cap ${cap.maxMessages}`;
    if (inWindow >= cap.maxMessages) return exclude('frequency_cap', detail);
    counts.push(detail);
  }
  rules.push({
    rule: 'frequency_cap',
    outcome: 'pass',
    detail: counts.length > 0 ? counts.join('; ') : `no cap on ${choice.channel}`,
  });

  const zone = zoneOf(member.timezone, policy.defaultTimezone);
  const allowed = nextAllowedTime(plannedAt, policy.quietHours, zone);
  rules.push(
    allowed.deferred
      ? {
          rule: 'quiet_hours',
          outcome: 'defer',
          detail: `${plannedAt.toISOString()} is within quiet hours ${policy.quietHours?.start}-${policy.quietHours?.end} in ${zone}; deferred to ${allowed.at.toISOString()}`,
        }
      : { rule: 'quiet_hours', outcome: 'pass', detail: `outside quiet hours in ${zone}` },
  );
  return {
    outcome: 'send',
    channel: choice.channel,
    channelReason: choice.reason,
    sendAt: allowed.at,
    deferred: allowed.deferred,
    rules,
  };
}
