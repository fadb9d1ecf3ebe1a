import type { RecordOf } from '../../contracts/records.ts';
import { drawEngagement, drawSurveys } from './demo-activity.ts';
import type { DemoCatalog } from './demo-defaults.ts';
import { DEMO_CATALOG, DEMO_DAY_MS, DEMO_DEFAULTS } from './demo-defaults.ts';
import { drawPoints } from './demo-points.ts';
import { drawConsents, drawDeclarations } from './demo-preferences.ts';
import type { DemoOrder } from './demo-purchases.ts';
import { drawPurchases } from './demo-purchases.ts';
import { isoUtc } from './iso-time.ts';
import type { MemberProfile } from './member-profile.ts';
import { drawProfile } from './member-profile.ts';
import type { Random } from './random.ts';
import { createRandom } from './random.ts';

/** One generated member with every record that belongs to them, each list sorted by time. */
export type DemoMember = {
  member: RecordOf['members'];
  purchases: RecordOf['purchases'][];
  points: RecordOf['points'][];
  engagement: RecordOf['engagement'][];
  surveys: RecordOf['surveys'][];
  declarations: RecordOf['declarations'][];
  consents: RecordOf['consents'][];
};

export type DemoMemberOptions = {
  /** Program seed: the same seed gives the same program. */
  seed: number;
  /** Member number, from 1; the member id is derived from it (1 -> M0000001). */
  index: number;
  /** The moment the demo program is generated at: every event is at or before it. */
  now: Date;
  /** Products to sell; defaults to DEMO_CATALOG. */
  catalog?: DemoCatalog;
};

const D = DEMO_DEFAULTS;
const FIRST_NAMES: Readonly<Record<string, readonly string[]>> = {
  en: ['Olivia', 'Amelia', 'Noah', 'Oliver', 'Isla', 'Jack', 'Maya', 'Leo', 'Grace', 'Ethan', 'Chloe', 'Sam'],
  de: ['Lena', 'Jonas', 'Mia', 'Felix', 'Hannah', 'Lukas'],
  fr: ['Camille', 'Louis', 'Chloé', 'Hugo', 'Léa', 'Jules'],
  es: ['Sofía', 'Mateo', 'Valentina', 'Diego'],
  ja: ['Haruto', 'Yui', 'Sota', 'Hina', 'Ren', 'Aoi'],
};
const GENDERS = { female: 48, male: 46, non_binary: 2, undisclosed: 4 };
const ACQUISITION = { web: 50, store: 20, referral: 12, social: 18 };
/** Birthdays of adult members: born between these ages before `now`. */
const BIRTH_AGE_YEARS = { min: 18, max: 75 };
const DAYS_PER_YEAR = 365.25;
const PUSH_TOKEN_HEX_DIGITS = 32;

function tierOf(orders: readonly DemoOrder[], now: number): string {
  const since = now - 365 * DEMO_DAY_MS;
  let minor = 0;
  for (const order of orders) {
    if (order.time >= since && !order.refund) minor += order.goodsMinor;
  }
  const spend = minor / 100;
  if (spend >= D.tierThresholds.gold) return 'gold';
  if (spend >= D.tierThresholds.silver) return 'silver';
  return 'bronze';
}

function hex(random: Random, digits: number): string {
  let out = '';
  for (let i = 0; i < digits; i++) out += random.int(0, 15).toString(16);
  return out;
}

function memberRecord(
  random: Random,
  profile: MemberProfile,
  orders: readonly DemoOrder[],
): RecordOf['members'] {
  const language = profile.locale.slice(0, 2);
  const firstName = random.pick(FIRST_NAMES[language] ?? FIRST_NAMES.en ?? ['Alex']);
  const member: RecordOf['members'] = {
    id: profile.id,
    joinedAt: isoUtc(profile.joinedAt),
    tier: tierOf(orders, profile.now),
    timezone: profile.zone.timezone,
    locale: profile.locale,
    region: profile.zone.region,
  };
  if (profile.hasEmail) member.email = `${profile.id.toLowerCase()}@example.com`;
  if (profile.hasPhone) {
    const { phonePrefix, phoneDigits } = profile.zone;
    member.phone = `${phonePrefix}${String(random.int(0, 10 ** phoneDigits - 1)).padStart(phoneDigits, '0')}`;
  }
  if (profile.appUser) member.pushToken = `demo-${hex(random, PUSH_TOKEN_HEX_DIGITS)}`;
  const gender = random.weighted(Object.keys(GENDERS) as (keyof typeof GENDERS)[], (g) => GENDERS[g]);
  if (gender !== 'undisclosed') member.gender = gender;
  if (random.chance(D.birthdayShare)) {
    const ageDays = random.between(BIRTH_AGE_YEARS.min, BIRTH_AGE_YEARS.max) * DAYS_PER_YEAR;
    member.birthday = new Date(profile.now - ageDays * DEMO_DAY_MS).toISOString().slice(0, 10);
  }
  member.attributes = {
    firstName,
    acquisitionChannel: random.weighted(
      Object.keys(ACQUISITION) as (keyof typeof ACQUISITION)[],
      (a) => ACQUISITION[a],
    ),
  };
  return member;
}

/**
 * Generates member `index` of the demo program `seed`, with all their records. Each member has its
 * own random stream, so any member can be generated alone and a program of any size streamed.
 */
export function demoMember({ seed, index, now, catalog = DEMO_CATALOG }: DemoMemberOptions): DemoMember {
  const random = createRandom(seed, index);
  const nowMs = now.getTime();
  const profile = drawProfile(random, index, nowMs, catalog);
  const { purchases, orders, activeUntil } = drawPurchases(random, profile, catalog);
  const member = memberRecord(random, profile, orders);
  const { engagement, earnings: activityEarnings } = drawEngagement(random, profile, orders, activeUntil);
  const surveys = drawSurveys(random, profile, orders, activeUntil);
  const { declarations, earnings: profileEarnings } = drawDeclarations(random, profile);
  const points = drawPoints(random, profile, orders, [...activityEarnings, ...profileEarnings]);
  const consents = drawConsents(random, profile, declarations);
  return { member, purchases, points, engagement, surveys, declarations, consents };
}
