import { describe, expect, it } from 'vitest';
import type { Channel } from '../../contracts/records.ts';
import { samplePolicy } from './campaign-fixtures.ts';
import { evaluateGovernance, type GovernanceCampaign, type GovernanceMember } from './governance.ts';

// One test per rule: each starts from a member who would be sent, and changes one fact.

const planned = new Date('2024-06-03T12:00:00Z'); // a Monday noon in London (13:00 BST)
const hoursBefore = (hours: number) => new Date(planned.getTime() - hours * 3_600_000);

const campaign: GovernanceCampaign = {
  id: 'c-1',
  channels: ['email', 'sms'],
  purpose: 'marketing',
  frequencyCaps: {},
  sensitiveProblems: [],
  deliverable: new Set<Channel>(['email', 'sms']),
};

const granted = (channel: Channel, at = hoursBefore(1000)) => ({
  channel,
  purpose: 'marketing' as const,
  status: 'granted' as const,
  at,
});

const member: GovernanceMember = {
  id: 'M1',
  timezone: 'Europe/London',
  preferredChannels: [],
  reachable: new Set<Channel>(['email', 'sms']),
  consents: [granted('email'), granted('sms')],
  unsubscribes: [],
  suppressedBy: [],
  sends: [],
};

const policy = samplePolicy();

describe('governance', () => {
  it('sends a member who passes every rule, on the first channel of the campaign, at the planned time', () => {
    const decision = evaluateGovernance(campaign, policy, member, planned);
    expect(decision).toMatchObject({
      outcome: 'send',
      channel: 'email',
      channelReason: 'campaign_order',
      deferred: false,
    });
    if (decision.outcome === 'send') expect(decision.sendAt).toEqual(planned);
    expect(decision.rules.map((r) => [r.rule, r.outcome])).toEqual([
      ['sensitive_guard', 'pass'],
      ['suppression', 'pass'],
      ['consent', 'pass'],
      ['unsubscribe', 'pass'],
      ['endpoint', 'pass'],
      ['contact', 'pass'],
      ['frequency_cap', 'pass'],
      ['quiet_hours', 'pass'],
    ]);
  });

  it('refuses every member of a campaign that the sensitive guard flagged', () => {
    const flagged = { ...campaign, sensitiveProblems: ['audience.filter selects on declared.health'] };
    const decision = evaluateGovernance(flagged, policy, member, planned);
    expect(decision).toMatchObject({ outcome: 'excluded', excludedBy: 'sensitive_guard' });
    expect(decision.rules.at(-1)?.detail).toContain('declared.health');
  });

  it('excludes a member on a suppression list, naming the list', () => {
    const decision = evaluateGovernance(
      campaign,
      policy,
      { ...member, suppressedBy: ['legal-hold'] },
      planned,
    );
    expect(decision).toMatchObject({ outcome: 'excluded', excludedBy: 'suppression' });
    expect(decision.rules.at(-1)?.detail).toBe('on suppression list "legal-hold"');
  });

  it('excludes a member whose latest consent entry revokes, and never uses a channel without consent', () => {
    const revoked = {
      ...member,
      consents: [...member.consents, { ...granted('email', hoursBefore(10)), status: 'revoked' as const }],
    };
    // SMS still consented: the member gets SMS, not email.
    expect(evaluateGovernance(campaign, policy, revoked, planned)).toMatchObject({
      outcome: 'send',
      channel: 'sms',
    });
    const noConsent = { ...revoked, consents: revoked.consents.filter((c) => c.channel === 'email') };
    expect(evaluateGovernance(campaign, policy, noConsent, planned)).toMatchObject({
      outcome: 'excluded',
      excludedBy: 'consent',
    });
  });

  it('reads consent per purpose: service consent does not allow marketing', () => {
    const serviceOnly = {
      ...member,
      consents: member.consents.map((c) => ({ ...c, purpose: 'service' as const })),
    };
    expect(evaluateGovernance(campaign, policy, serviceOnly, planned)).toMatchObject({
      excludedBy: 'consent',
    });
  });

  it('excludes a member who unsubscribed after their latest grant, but not one who granted again since', () => {
    const unsubscribed = {
      ...member,
      unsubscribes: [
        { channel: 'email' as const, at: hoursBefore(5) },
        { channel: 'sms' as const, at: hoursBefore(5) },
      ],
    };
    expect(evaluateGovernance(campaign, policy, unsubscribed, planned)).toMatchObject({
      excludedBy: 'unsubscribe',
    });
    const regranted = { ...unsubscribed, consents: [...member.consents, granted('sms', hoursBefore(1))] };
    expect(evaluateGovernance(campaign, policy, regranted, planned)).toMatchObject({
      outcome: 'send',
      channel: 'sms',
    });
  });

  it('passes over a channel the program has no endpoint for, as over one without consent', () => {
    const smsFirst = { ...campaign, channels: ['sms', 'email'] as Channel[] };
    expect(evaluateGovernance(smsFirst, policy, member, planned)).toMatchObject({
      outcome: 'send',
      channel: 'sms',
    });
    const noSmsEndpoint = { ...smsFirst, deliverable: new Set<Channel>(['email']) };
    const decision = evaluateGovernance(noSmsEndpoint, policy, member, planned);
    expect(decision).toMatchObject({ outcome: 'send', channel: 'email', channelReason: 'campaign_order' });
    expect(decision.rules.find((r) => r.rule === 'endpoint')).toEqual({
      rule: 'endpoint',
      outcome: 'pass',
      detail: 'the program delivers on email',
    });
    // A declared preference for the channel does not bring it back.
    const prefersSms = { ...member, preferredChannels: ['sms'] };
    expect(evaluateGovernance(noSmsEndpoint, policy, prefersSms, planned)).toMatchObject({
      channel: 'email',
      channelReason: 'campaign_order',
    });
  });

  it('excludes a member under the endpoint rule when no channel left to them can be delivered on', () => {
    const smsOnly = { ...member, consents: [granted('sms')] };
    const noSmsEndpoint = { ...campaign, deliverable: new Set<Channel>(['email']) };
    const decision = evaluateGovernance(noSmsEndpoint, policy, smsOnly, planned);
    expect(decision).toMatchObject({ outcome: 'excluded', excludedBy: 'endpoint' });
    expect(decision.rules.at(-1)?.detail).toBe('the program has no endpoint configured for sms');
    // With the endpoint set, the same member is sent on SMS.
    expect(evaluateGovernance(campaign, policy, smsOnly, planned)).toMatchObject({
      outcome: 'send',
      channel: 'sms',
    });
  });

  it('excludes a member with no address on any consented channel', () => {
    const noAddress = { ...member, reachable: new Set<Channel>() };
    expect(evaluateGovernance(campaign, policy, noAddress, planned)).toMatchObject({ excludedBy: 'contact' });
  });

  it("sends on the member's declared channel preference where it is consented", () => {
    const prefersSms = { ...member, preferredChannels: ['sms'] };
    expect(evaluateGovernance(campaign, policy, prefersSms, planned)).toMatchObject({
      channel: 'sms',
      channelReason: 'declared_preference',
    });
    const prefersUnconsented = { ...prefersSms, consents: [granted('email')] };
    expect(evaluateGovernance(campaign, policy, prefersUnconsented, planned)).toMatchObject({
      channel: 'email',
      channelReason: 'campaign_order',
    });
  });

  it('excludes a member at the frequency cap from another campaign', () => {
    const capped = {
      ...member,
      sends: [1, 2, 3].map((i) => ({
        campaignId: `other-${i}`,
        channel: 'email' as const,
        at: hoursBefore(24 * i),
      })),
    };
    const decision = evaluateGovernance(campaign, policy, capped, planned);
    expect(decision).toMatchObject({ outcome: 'excluded', excludedBy: 'frequency_cap' });
    expect(decision.rules.at(-1)?.detail).toContain('3 email message(s) in the 168h');
    // The window rolls: a send older than 7 days no longer counts.
    const older = {
      ...capped,
      sends: capped.sends.map((s, i) => (i === 2 ? { ...s, at: hoursBefore(169) } : s)),
    };
    expect(evaluateGovernance(campaign, policy, older, planned)).toMatchObject({ outcome: 'send' });
  });

  it('applies a stricter campaign cap on top of the program default', () => {
    const oneSend = {
      ...member,
      sends: [{ campaignId: 'other', channel: 'email' as const, at: hoursBefore(30) }],
    };
    expect(evaluateGovernance(campaign, policy, oneSend, planned)).toMatchObject({ outcome: 'send' });
    const strict = { ...campaign, frequencyCaps: { email: { maxMessages: 1, windowHours: 48 } } };
    const decision = evaluateGovernance(strict, policy, oneSend, planned);
    expect(decision).toMatchObject({ excludedBy: 'frequency_cap' });
    expect(decision.rules.at(-1)?.detail).toContain('campaign cap 1');
  });

  it("defers a send planned in the member's quiet hours to the next allowed time, not dropping it", () => {
    const late = new Date('2024-06-03T21:30:00Z'); // 22:30 in London
    const decision = evaluateGovernance(campaign, policy, member, late);
    expect(decision).toMatchObject({ outcome: 'send', deferred: true });
    if (decision.outcome === 'send') expect(decision.sendAt.toISOString()).toBe('2024-06-04T07:00:00.000Z'); // 08:00 BST
    expect(decision.rules.at(-1)).toMatchObject({ rule: 'quiet_hours', outcome: 'defer' });
    // The same instant is 17:30 in New York: no deferral there.
    expect(
      evaluateGovernance(campaign, policy, { ...member, timezone: 'America/New_York' }, late),
    ).toMatchObject({
      deferred: false,
    });
  });
});
