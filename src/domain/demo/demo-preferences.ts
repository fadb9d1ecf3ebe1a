import type { Channel, RecordOf } from '../../contracts/records.ts';
import type { DemoEarning } from './demo-activity.ts';
import { DEMO_DAY_MS, DEMO_DEFAULTS } from './demo-defaults.ts';
import { isoUtc } from './iso-time.ts';
import type { MemberProfile } from './member-profile.ts';
import type { Random } from './random.ts';

type DeclarationRecord = RecordOf['declarations'];
type ConsentRecord = RecordOf['consents'];

const D = DEMO_DEFAULTS;

/** Mean days from joining to opening the preference centre, and to the quiz after that. */
const PREFERENCE_DELAY_DAYS = 30;
const QUIZ_DELAY_DAYS = 45;
/** Advocates fill in the preference centre this much more often. */
const ADVOCATE_PREFERENCE_SHARE = 0.85;
/** How many product interests a member ticks, at most. */
const MAX_INTERESTS = 3;
/** Share of preference-centre users who state a personal value. */
const VALUE_SHARE = 0.6;
/** Mean days from joining to installing the app (when push consent is asked). */
const APP_INSTALL_DAYS = 20;
/** Unhappy members (satisfaction below this) revoke marketing consent twice as often. */
const UNHAPPY_SATISFACTION = -1;

/** Zero-party answers, weighted. The quiz answers feed Routine Seekers and Flavor Innovators. */
const FREQUENCY_PREFS = { weekly_digest: 3, only_new_rewards: 4, only_big_sales: 3 };
const VALUES = { sustainability: 5, local_charities: 3, fair_trade: 2 };
const REWARD_PREFS = { free_shipping: 4, discounts: 4, experiential: 2 };
const QUIZ_KEY = 'quiz.coffee_style';
const QUIZ_ANSWERS = { same_favourite_every_time: 4, always_trying_new_flavours: 4, depends_on_mood: 2 };
/** The keys a member may change their mind about later. */
const CHANGEABLE = ['frequency_pref', 'reward_pref'] as const;

function weightedKey<T extends Record<string, number>>(random: Random, weights: T): keyof T & string {
  return random.weighted(Object.keys(weights), (key) => weights[key] ?? 0) as keyof T & string;
}

type Draft = { time: number; key: string; value: string; source: string };

/** Preference-centre and quiz declarations, and the points each first answer earns. */
export function drawDeclarations(
  random: Random,
  profile: MemberProfile,
): { declarations: DeclarationRecord[]; earnings: DemoEarning[] } {
  const share = profile.advocate ? ADVOCATE_PREFERENCE_SHARE : D.preferenceCentreShare;
  const at = Math.round(profile.joinedAt + random.exponential(1 / PREFERENCE_DELAY_DAYS) * DEMO_DAY_MS);
  if (!random.chance(share) || at > profile.now) return { declarations: [], earnings: [] };

  const drafts: Draft[] = [];
  const declare = (key: string, value: string, time = at, source = 'preference_centre') =>
    drafts.push({ time, key, value, source });

  const interests = [...profile.affinity.entries()].sort((a, b) => b[1] - a[1]);
  const interestCount = random.int(1, Math.min(MAX_INTERESTS, interests.length));
  for (const [category] of interests.slice(0, interestCount)) declare('interest', category);

  const channels: Channel[] = ['email'];
  if (profile.hasPhone) channels.push('sms');
  if (profile.appUser) channels.push('push');
  declare('channel_pref', random.pick(channels));
  declare('frequency_pref', weightedKey(random, FREQUENCY_PREFS));
  if (random.chance(VALUE_SHARE)) declare('value', weightedKey(random, VALUES));
  declare('reward_pref', weightedKey(random, REWARD_PREFS));

  if (random.chance(D.quizShare)) {
    const quizAt = Math.round(at + random.exponential(1 / QUIZ_DELAY_DAYS) * DEMO_DAY_MS);
    if (quizAt <= profile.now) declare(QUIZ_KEY, weightedKey(random, QUIZ_ANSWERS), quizAt, 'quiz');
  }

  const earnings: DemoEarning[] = [];
  const seen = new Set<string>();
  for (const draft of drafts) {
    if (seen.has(draft.key)) continue;
    seen.add(draft.key);
    earnings.push({
      time: draft.time,
      points: D.profileItemPoints,
      reason: draft.source === 'quiz' ? 'quiz' : 'profile',
    });
  }

  // A later change of mind: the ledger keeps both answers and the newest one is the fresh one.
  if (random.chance(D.redeclareShare)) {
    const key = random.pick(CHANGEABLE);
    const time = Math.round(random.between(at, profile.now));
    declare(key, weightedKey(random, key === 'frequency_pref' ? FREQUENCY_PREFS : REWARD_PREFS), time);
  }

  drafts.sort((a, b) => a.time - b.time);
  const declarations = drafts.map((draft, n) => ({
    id: `${profile.id}-d-${n + 1}`,
    memberId: profile.id,
    occurredAt: isoUtc(draft.time),
    key: draft.key,
    value: draft.value,
    source: draft.source,
  }));
  return { declarations, earnings };
}

/**
 * The consent ledger: what was granted at signup and in the app, channels opted into from the
 * preference centre, and later revocations. Marketing only on a channel the member can be reached on.
 */
export function drawConsents(
  random: Random,
  profile: MemberProfile,
  declarations: readonly DeclarationRecord[],
): ConsentRecord[] {
  type ConsentDraft = Omit<ConsentRecord, 'id' | 'memberId' | 'occurredAt'> & { time: number };
  const drafts: ConsentDraft[] = [];
  const granted = new Map<Channel, number>();
  const grant = (channel: Channel, time: number, source: string) => {
    drafts.push({ time, channel, purpose: 'marketing', status: 'granted', source });
    granted.set(channel, time);
  };

  const { joinedAt, now } = profile;
  if (profile.hasEmail) {
    drafts.push({
      time: joinedAt,
      channel: 'email',
      purpose: 'service',
      status: 'granted',
      source: 'signup',
    });
    if (random.chance(D.marketingOptIn.email)) grant('email', joinedAt, 'signup');
  }
  if (profile.hasPhone && random.chance(D.marketingOptIn.sms)) grant('sms', joinedAt, 'signup');
  if (profile.appUser) {
    const installedAt = Math.min(
      now,
      Math.round(joinedAt + random.exponential(1 / APP_INSTALL_DAYS) * DEMO_DAY_MS),
    );
    if (random.chance(D.marketingOptIn.push)) grant('push', installedAt, 'app');
  }

  const reachable: Record<Channel, boolean> = {
    email: profile.hasEmail,
    sms: profile.hasPhone,
    push: profile.appUser,
    in_app: profile.appUser,
  };
  for (const declaration of declarations) {
    if (declaration.key !== 'channel_pref') continue;
    const channel = declaration.value as Channel;
    if (reachable[channel] && !granted.has(channel))
      grant(channel, Date.parse(declaration.occurredAt), 'preference_centre');
  }

  const revokeShare = D.revocationShare * (profile.satisfaction < UNHAPPY_SATISFACTION ? 2 : 1);
  for (const [channel, since] of granted) {
    if (!random.chance(revokeShare)) continue;
    const source = channel === 'push' ? 'app' : 'unsubscribe_link';
    const time = Math.round(random.between(since, now));
    drafts.push({ time, channel, purpose: 'marketing', status: 'revoked', source });
  }

  drafts.sort((a, b) => a.time - b.time);
  return drafts.map(({ time, ...rest }, n) => ({
    id: `${profile.id}-c-${n + 1}`,
    memberId: profile.id,
    occurredAt: isoUtc(time),
    ...rest,
  }));
}
