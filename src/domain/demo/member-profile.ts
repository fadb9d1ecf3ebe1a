import type { DemoCatalog, DemoZone } from './demo-defaults.ts';
import { DEMO_DAY_MS, DEMO_DEFAULTS, DEMO_ZONES } from './demo-defaults.ts';
import type { Random, WeightedTable } from './random.ts';
import { weightedTable } from './random.ts';

/** How a member treats their points balance. */
export type RedemptionHabit = 'hoarder' | 'occasional' | 'frequent';

/**
 * The hidden traits a demo member's records are drawn from. Segments should rediscover these from
 * the records alone; they are never emitted.
 */
export type MemberProfile = {
  readonly id: string;
  readonly joinedAt: number;
  readonly now: number;
  readonly zone: DemoZone;
  readonly locale: string;
  readonly buyer: boolean;
  /** Purchases per day while active (BG/NBD lambda). */
  readonly purchaseRate: number;
  /** Chance of dropping out after each purchase (BG/NBD p). */
  readonly dropoutChance: number;
  /** Log of the member's own median order value. */
  readonly orderValueMu: number;
  readonly advocate: boolean;
  readonly hostage: boolean;
  /** Non-purchase events per day while active. */
  readonly engagementRate: number;
  /** Engagement stops here even if purchases go on (fading interest), or `now`. */
  readonly engagementFadesAt: number;
  readonly habit: RedemptionHabit;
  /** Latent satisfaction, about standard normal; drives CSAT and NPS. */
  readonly satisfaction: number;
  readonly appUser: boolean;
  readonly hasEmail: boolean;
  readonly hasPhone: boolean;
  /** Relative liking for each catalog category. */
  readonly affinity: ReadonlyMap<string, number>;
  /** The same, ready for drawing a category per order line. */
  readonly categoryTable: WeightedTable<string>;
};

const D = DEMO_DEFAULTS;
const DAYS_PER_YEAR = 365;
/** Gamma shape of category affinities: below 1, most members clearly prefer one or two categories. */
const AFFINITY_SHAPE = 0.5;
/** Weight of buying often (log rate relative to the mean, clamped) and of dropout-proneness in latent satisfaction. */
const SATISFACTION_RATE_WEIGHT = 0.25;
const SATISFACTION_RATE_CLAMP = 2;
const SATISFACTION_DROPOUT_WEIGHT = 3;
const ADVOCATE_SATISFACTION_BOOST = 1;
const HOSTAGE_SATISFACTION = -1.6;
/** Fading members stop engaging between these many days before `now`. */
const FADE_DAYS = { min: 30, max: 150 };

const clampAbs = (value: number, limit: number) =>
  Number.isFinite(value) ? Math.max(-limit, Math.min(limit, value)) : -limit;

/** Formats the member id: M0000001 for index 1. */
export function demoMemberId(index: number): string {
  return `M${String(index).padStart(7, '0')}`;
}

/** The categories of a catalog, in catalog order. */
export function categoriesOf(catalog: DemoCatalog): string[] {
  return [...new Set(catalog.map((product) => product.category))];
}

/** Draws the hidden traits of member `index`; `random` must be that member's own stream. */
export function drawProfile(random: Random, index: number, now: number, catalog: DemoCatalog): MemberProfile {
  const historyMs = D.historyDays * DEMO_DAY_MS;
  const joinedAt = Math.round(now - historyMs * random.uniform() ** D.joinRecencySkew);
  const zone = random.fromTable(ZONE_TABLE);

  const buyer = !random.chance(D.neverPurchaseShare);
  const advocate = random.chance(D.advocateShare);
  const hostage = buyer && !advocate && random.chance(D.hostageShare);
  const meanRate = D.purchasesPerYear / DAYS_PER_YEAR;
  let purchaseRate = random.gamma(D.purchaseRateShape, meanRate / D.purchaseRateShape);
  if (advocate) purchaseRate *= D.advocateSpendFactor;
  if (hostage) purchaseRate = Math.max(purchaseRate, meanRate) * D.hostagePurchaseFactor;
  const dropoutChance = hostage ? 0 : random.beta(D.dropoutBeta.a, D.dropoutBeta.b);

  let orderValueMu = random.normal(Math.log(D.medianOrderValue), D.memberOrderValueSigma);
  if (advocate) orderValueMu += Math.log(D.advocateSpendFactor);

  const meanEngagement = D.engagementPerMonth / 30;
  let engagementRate = random.gamma(D.engagementShape, meanEngagement / D.engagementShape);
  if (advocate) engagementRate = Math.max(engagementRate, meanEngagement) * D.advocateEngagementFactor;
  const fades = !advocate && random.chance(D.fadingEngagementShare);
  const engagementFadesAt = fades ? now - random.between(FADE_DAYS.min, FADE_DAYS.max) * DEMO_DAY_MS : now;

  const habits = D.redemptionHabits;
  const habit: RedemptionHabit = hostage
    ? 'hoarder'
    : random.weighted(['hoarder', 'occasional', 'frequent'] as const, (h) => habits[h]);

  const meanDropout = D.dropoutBeta.a / (D.dropoutBeta.a + D.dropoutBeta.b);
  const satisfaction = hostage
    ? HOSTAGE_SATISFACTION + random.normal(0, 0.3)
    : random.normal(0, 1) +
      SATISFACTION_RATE_WEIGHT * clampAbs(Math.log(purchaseRate / meanRate), SATISFACTION_RATE_CLAMP) -
      SATISFACTION_DROPOUT_WEIGHT * (dropoutChance - meanDropout) +
      (advocate ? ADVOCATE_SATISFACTION_BOOST : 0);

  const affinity = new Map<string, number>();
  const categories = categoriesOf(catalog);
  for (const category of categories) affinity.set(category, random.gamma(AFFINITY_SHAPE, 1));

  return {
    id: demoMemberId(index),
    joinedAt,
    now,
    zone,
    locale: random.pick(zone.locales),
    buyer,
    purchaseRate,
    dropoutChance,
    orderValueMu,
    advocate,
    hostage,
    engagementRate,
    engagementFadesAt,
    habit,
    satisfaction,
    appUser: random.chance(advocate ? Math.min(1, D.appShare * 1.6) : D.appShare),
    hasEmail: random.chance(D.emailShare),
    hasPhone: random.chance(D.phoneShare),
    affinity,
    categoryTable: weightedTable(categories, (category) => affinity.get(category) ?? 0),
  };
}

/**
 * Moves a time to a plausible hour of the member's local day (shops are quiet at 3 am), keeping it
 * within [from, to]; a time that would leave the bounds is kept as it was.
 */
export function atLocalDaytime(
  random: Random,
  zone: DemoZone,
  time: number,
  from: number,
  to: number,
): number {
  const offsetMs = zone.utcOffsetHours * 3_600_000;
  const localDayStart = Math.floor((time + offsetMs) / DEMO_DAY_MS) * DEMO_DAY_MS - offsetMs;
  const hour = random.fromTable(HOUR_TABLE).hour;
  const moved = localDayStart + (hour + random.uniform()) * 3_600_000;
  return moved >= from && moved <= to ? Math.round(moved) : time;
}

/** How busy each local hour is: a morning bump, a lunch bump and an evening peak. */
const LOCAL_HOURS: readonly { hour: number; weight: number }[] = [
  { hour: 7, weight: 3 },
  { hour: 8, weight: 5 },
  { hour: 9, weight: 5 },
  { hour: 10, weight: 4 },
  { hour: 11, weight: 4 },
  { hour: 12, weight: 6 },
  { hour: 13, weight: 5 },
  { hour: 14, weight: 3 },
  { hour: 15, weight: 3 },
  { hour: 16, weight: 3 },
  { hour: 17, weight: 4 },
  { hour: 18, weight: 5 },
  { hour: 19, weight: 7 },
  { hour: 20, weight: 8 },
  { hour: 21, weight: 6 },
  { hour: 22, weight: 3 },
  { hour: 23, weight: 1 },
];
const HOUR_TABLE = weightedTable(LOCAL_HOURS, (h) => h.weight);
const ZONE_TABLE = weightedTable(DEMO_ZONES, (zone) => zone.weight);
