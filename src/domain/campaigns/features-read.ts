import { ruleLeaves } from '../segments/rule-features.ts';
import type { CompiledCampaign } from './compile-campaign.ts';

// The member features a campaign's decisions and messages can read, so that an audience read
// fetches those and not the whole feature vector (some sixty values a member). Template tokens are
// static paths (the sandbox refuses any other, liquid-sandbox.ts), so the list is exact:
//   - the audience filter's leaves;
//   - `features.<name>` and `declared.<key>` tokens, and `points.*` (read from the balance);
//   - the declared channel preference, which channel choice reads for every campaign.

/** The feature vector key of the declared channel preference. */
export const CHANNEL_PREFERENCE_FEATURE = 'declared.channel_pref';

/** Every token path the campaign's messages read, subjects and bodies of every variant and channel. */
export function campaignTokens(compiled: CompiledCampaign): string[] {
  return [...compiled.messages.values()].flatMap((byChannel) =>
    [...byChannel.values()].flatMap((message) => [
      ...(message.subject?.tokens ?? []),
      ...message.body.tokens,
    ]),
  );
}

/** The feature names the campaign reads, sorted. */
export function featuresRead(compiled: CompiledCampaign): string[] {
  const names = new Set<string>([CHANNEL_PREFERENCE_FEATURE]);
  const { filter } = compiled.definition.audience;
  if (filter !== undefined) for (const leaf of ruleLeaves(filter)) names.add(leaf.feature);
  for (const token of campaignTokens(compiled)) {
    const [namespace, key] = token.split('.', 2);
    if (key === undefined) continue;
    if (namespace === 'features') names.add(key);
    else if (namespace === 'declared') names.add(`declared.${key}`);
    else if (namespace === 'points') names.add('points_balance');
  }
  return [...names].sort();
}
