import type { EngagementKind, RecordOf } from '../../contracts/records.ts';
import { DEMO_DAY_MS, DEMO_DEFAULTS } from './demo-defaults.ts';
import type { DemoOrder } from './demo-purchases.ts';
import { isoUtc } from './iso-time.ts';
import type { MemberProfile } from './member-profile.ts';
import { atLocalDaytime } from './member-profile.ts';
import type { Random } from './random.ts';

type EngagementRecord = RecordOf['engagement'];
type SurveyRecord = RecordOf['surveys'];

/** A points-earning moment outside purchases, handed to the points ledger. */
export type DemoEarning = { readonly time: number; readonly points: number; readonly reason: string };

const D = DEMO_DEFAULTS;
const DAYS_PER_YEAR = 365;

/** Share of a member's non-purchase activity that goes to each kind (reviews follow orders instead). */
const KIND_SHARE: Readonly<Record<Exclude<EngagementKind, 'review'>, number>> = {
  app_open: 0.6,
  share: 0.14,
  challenge: 0.1,
  ugc: 0.08,
  referral: 0.05,
  event_attended: 0.03,
};

const KIND_SHARES = Object.entries(KIND_SHARE) as [Exclude<EngagementKind, 'review'>, number][];

/** Chance to review an order: a floor for everyone, rising with the member's engagement rate. */
const REVIEW_BASE_CHANCE = 0.04;
const REVIEW_PER_ENGAGEMENT_RATE = 4;
const REVIEW_MAX_CHANCE = 0.9;
const REVIEW_DELAY_DAYS = { min: 2, max: 20 };
const SURVEY_DELAY_DAYS = { min: 1, max: 5 };
const MAX_NPS_ANSWERS = 4;

/** Where CSAT and NPS sit for an average member, and how strongly satisfaction moves them. */
const CSAT = { mean: 3.9, perSatisfaction: 0.9, noise: 0.6 };
const NPS = { mean: 7.4, perSatisfaction: 1.9, noise: 1 };

const CHALLENGES = ['7-day brew challenge', 'Origin passport', 'Latte art month', 'Tea discovery week'];
const EVENTS = ['Tasting evening', 'Roastery tour', 'Cupping workshop'];
const UGC = ['photo of a pour-over', 'recipe post', 'unboxing video'];
const LOW_COMMENTS = [
  'Delivery was late again.',
  'Points take too long to be useful.',
  'Beans arrived stale.',
];
const HIGH_COMMENTS = ['Lovely beans, fast delivery.', 'The tasting notes are spot on.', 'Great rewards.'];
/** Share of survey answers that come with a comment. */
const COMMENT_SHARE = 0.2;

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** The window in which a member still does things other than buying. */
export function engagementWindow(profile: MemberProfile, activeUntil: number): { from: number; to: number } {
  const fadesAt = profile.engagementFadesAt > profile.joinedAt ? profile.engagementFadesAt : profile.now;
  const to = Math.min(profile.now, activeUntil + D.dropoutTailDays * DEMO_DAY_MS, fadesAt);
  return { from: profile.joinedAt, to: Math.max(profile.joinedAt, to) };
}

function detailOf(
  random: Random,
  kind: EngagementKind,
  profile: MemberProfile,
  sku?: string,
): string | undefined {
  switch (kind) {
    case 'review': {
      const stars = clamp(Math.round(4 + 0.8 * profile.satisfaction + random.normal(0, 0.5)), 1, 5);
      return `rated ${stars}/5: ${sku ?? 'order'}`;
    }
    case 'challenge':
      return random.pick(CHALLENGES);
    case 'event_attended':
      return random.pick(EVENTS);
    case 'ugc':
      return random.pick(UGC);
    case 'referral':
      return 'referred a friend who joined';
    default:
      return undefined;
  }
}

/** Non-purchase activity and the points it earns, sorted by time, with stable ids. */
export function drawEngagement(
  random: Random,
  profile: MemberProfile,
  orders: readonly DemoOrder[],
  activeUntil: number,
): { engagement: EngagementRecord[]; earnings: DemoEarning[] } {
  const { from, to } = engagementWindow(profile, activeUntil);
  const days = (to - from) / DEMO_DAY_MS;
  const drafts: { time: number; kind: EngagementKind; detail: string | undefined }[] = [];

  for (const [kind, share] of KIND_SHARES) {
    if (kind === 'app_open' && !profile.appUser) continue;
    const count = Math.min(D.maxEventsPerKind, random.poisson(profile.engagementRate * share * days));
    for (let i = 0; i < count; i++) {
      const time = atLocalDaytime(
        random,
        profile.zone,
        Math.round(from + random.uniform() * (to - from)),
        from,
        to,
      );
      drafts.push({ time, kind, detail: detailOf(random, kind, profile) });
    }
  }

  const reviewChance = Math.min(
    REVIEW_MAX_CHANCE,
    REVIEW_BASE_CHANCE + profile.engagementRate * REVIEW_PER_ENGAGEMENT_RATE,
  );
  for (const order of orders) {
    if (!random.chance(reviewChance)) continue;
    const time = Math.round(
      order.time + random.between(REVIEW_DELAY_DAYS.min, REVIEW_DELAY_DAYS.max) * DEMO_DAY_MS,
    );
    if (time <= profile.now)
      drafts.push({ time, kind: 'review', detail: detailOf(random, 'review', profile, order.firstSku) });
  }

  drafts.sort((a, b) => a.time - b.time);
  const engagement: EngagementRecord[] = [];
  const earnings: DemoEarning[] = [];
  const rewarded: Readonly<Record<string, number>> = D.activityPoints;
  drafts.forEach((draft, n) => {
    const record: EngagementRecord = {
      id: `${profile.id}-e-${n + 1}`,
      memberId: profile.id,
      occurredAt: isoUtc(draft.time),
      kind: draft.kind,
    };
    if (draft.detail !== undefined) record.detail = draft.detail;
    engagement.push(record);
    const points = rewarded[draft.kind];
    if (points !== undefined) earnings.push({ time: draft.time, points, reason: draft.kind });
  });
  return { engagement, earnings };
}

/** CSAT answers after some orders and NPS answers now and then, both driven by latent satisfaction. */
export function drawSurveys(
  random: Random,
  profile: MemberProfile,
  orders: readonly DemoOrder[],
  activeUntil: number,
): SurveyRecord[] {
  const drafts: { time: number; kind: 'csat' | 'nps'; score: number }[] = [];
  for (const order of orders) {
    if (!random.chance(D.csatPerOrder)) continue;
    const time = Math.round(
      order.time + random.between(SURVEY_DELAY_DAYS.min, SURVEY_DELAY_DAYS.max) * DEMO_DAY_MS,
    );
    const score = clamp(
      Math.round(CSAT.mean + CSAT.perSatisfaction * profile.satisfaction + random.normal(0, CSAT.noise)),
      1,
      5,
    );
    if (time <= profile.now) drafts.push({ time, kind: 'csat', score });
  }

  const { from, to } = engagementWindow(profile, activeUntil);
  const years = (to - from) / DEMO_DAY_MS / DAYS_PER_YEAR;
  const answers = Math.min(MAX_NPS_ANSWERS, random.poisson(D.npsPerYear * years));
  for (let i = 0; i < answers; i++) {
    const time = Math.round(from + random.uniform() * (to - from));
    const score = clamp(
      Math.round(NPS.mean + NPS.perSatisfaction * profile.satisfaction + random.normal(0, NPS.noise)),
      0,
      10,
    );
    drafts.push({ time, kind: 'nps', score });
  }

  drafts.sort((a, b) => a.time - b.time);
  return drafts.map((draft, n) => {
    const record: SurveyRecord = {
      id: `${profile.id}-s-${n + 1}`,
      memberId: profile.id,
      occurredAt: isoUtc(draft.time),
      kind: draft.kind,
      score: draft.score,
    };
    const low = draft.kind === 'csat' ? draft.score <= 2 : draft.score <= 6;
    const high = draft.kind === 'csat' ? draft.score >= 5 : draft.score >= 9;
    if ((low || high) && random.chance(COMMENT_SHARE))
      record.comment = random.pick(low ? LOW_COMMENTS : HIGH_COMMENTS);
    return record;
  });
}
