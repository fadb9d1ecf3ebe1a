import type { Channel, Purpose } from '../../contracts/records.ts';

/** One consent-ledger entry of a member. */
export interface ConsentEntry {
  channel: Channel;
  purpose: Purpose;
  status: 'granted' | 'revoked';
  at: Date;
}

/** What a member's history says about one channel, for one purpose. */
export interface ChannelState {
  channel: Channel;
  consented: boolean;
  /** An unsubscribe on the channel after the latest grant. */
  unsubscribed: boolean;
  /** The member has an address on the channel (email, phone, push token; in-app always). */
  reachable: boolean;
  /** The program can deliver on the channel: email always, SMS, push and in-app once an endpoint is set. */
  configured: boolean;
}

/** The latest ledger entry for channel × purpose decides; no entry means no consent. */
export function hasConsent(
  ledger: readonly ConsentEntry[],
  channel: Channel,
  purpose: Purpose,
): { consented: boolean; grantedAt: Date | null } {
  let latest: ConsentEntry | undefined;
  for (const entry of ledger) {
    if (entry.channel !== channel || entry.purpose !== purpose) continue;
    if (latest === undefined || entry.at.getTime() >= latest.at.getTime()) latest = entry;
  }
  return latest?.status === 'granted'
    ? { consented: true, grantedAt: latest.at }
    : { consented: false, grantedAt: null };
}

/**
 * A channel a member can be sent on: consented for the purpose, not unsubscribed since, reachable,
 * and one the program can deliver on.
 */
export const usable = (state: ChannelState): boolean =>
  state.consented && !state.unsubscribed && state.reachable && state.configured;

/**
 * The channel to send on: the first of the member's declared preferences that the campaign uses
 * and that is usable, else the first usable channel in the campaign's order; null when none is.
 * A channel without consent for the purpose, or that the program cannot deliver on, is never chosen.
 */
export function chooseChannel(
  campaignChannels: readonly Channel[],
  preferred: readonly string[],
  states: ReadonlyMap<Channel, ChannelState>,
): { channel: Channel; reason: 'declared_preference' | 'campaign_order' } | null {
  for (const wanted of preferred) {
    const channel = campaignChannels.find((c) => c === wanted);
    const state = channel === undefined ? undefined : states.get(channel);
    if (channel !== undefined && state !== undefined && usable(state))
      return { channel, reason: 'declared_preference' };
  }
  for (const channel of campaignChannels) {
    const state = states.get(channel);
    if (state !== undefined && usable(state)) return { channel, reason: 'campaign_order' };
  }
  return null;
}
