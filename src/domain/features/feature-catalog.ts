import type { EngagementKind } from '../../contracts/records.ts';
import type { FeatureType } from '../../contracts/segments.ts';

/** What a feature is measured in; it decides how values read in explanations. */
export type FeatureUnit =
  | 'days'
  | 'orders'
  | 'purchase_days'
  | 'currency'
  | 'points'
  | 'count'
  | 'ratio'
  | 'probability'
  | 'percentile'
  | 'score'
  | 'timestamp'
  | 'text';

/**
 * Where a value comes from, which decides when it must be recomputed:
 * - `history`: a stored aggregate, changed only by an event of the member;
 * - `as_of`: derived from stored aggregates and the as-of time (recency, 90-day windows), so a
 *   scheduled refresh recomputes it without reading history;
 * - `program`: relative to the whole program (R/F/M quintiles), recomputed when the distribution moves;
 * - `model`: a CLV model output, written by the CLV scorer; null until the program is scored;
 * - `declared`: zero-party data, one feature per declaration key.
 */
export type FeatureSource = 'history' | 'as_of' | 'program' | 'model' | 'declared';

export interface FeatureDefinition {
  name: string;
  type: FeatureType;
  unit: FeatureUnit;
  /** How the feature reads in an explanation ("points balance"). */
  label: string;
  doc: string;
  source: FeatureSource;
}

/** Length of the recent window and of the window before it, in UTC calendar days. */
export const WINDOW_DAYS = 90;

/** Engagement kinds and the plural stem of their count features. */
export const ENGAGEMENT_FEATURE_STEMS: Record<EngagementKind, string> = {
  review: 'reviews',
  share: 'shares',
  referral: 'referrals',
  ugc: 'ugc_posts',
  challenge: 'challenges',
  app_open: 'app_opens',
  event_attended: 'events_attended',
};

/** Kinds that count as advocacy: telling others, rather than using the app or turning up. */
export const ADVOCACY_KINDS: readonly EngagementKind[] = ['review', 'share', 'referral', 'ugc', 'challenge'];

const f = (
  name: string,
  type: FeatureType,
  unit: FeatureUnit,
  source: FeatureSource,
  label: string,
  doc: string,
): FeatureDefinition => ({ name, type, unit, source, label, doc });

const W = `${WINDOW_DAYS} days`;

function engagementFeatures(): FeatureDefinition[] {
  return Object.entries(ENGAGEMENT_FEATURE_STEMS).flatMap(([kind, stem]) => {
    const words = stem.replaceAll('_', ' ');
    return [
      f(stem, 'integer', 'count', 'history', words, `Engagement events of kind ${kind}, all time.`),
      f(`${stem}_90d`, 'integer', 'count', 'as_of', `${words} in ${W}`, `Kind ${kind}, last ${W}.`),
      f(
        `${stem}_prev_90d`,
        'integer',
        'count',
        'as_of',
        `${words} in the ${W} before`,
        `Kind ${kind}, the ${W} before the last ${W}.`,
      ),
    ];
  });
}

/** Every fixed-name feature, in the order a member's features are shown. */
export const FEATURE_CATALOG: readonly FeatureDefinition[] = [
  f(
    'joined_at',
    'date',
    'timestamp',
    'history',
    'joined',
    'When the member joined (first purchase if no join date).',
  ),
  f('tenure_days', 'integer', 'days', 'as_of', 'tenure', 'UTC calendar days from joining to the as-of day.'),
  f('first_purchase_at', 'date', 'timestamp', 'history', 'first purchase', 'Time of the first order.'),
  f('last_purchase_at', 'date', 'timestamp', 'history', 'last purchase', 'Time of the latest order.'),
  f(
    'recency_days',
    'integer',
    'days',
    'as_of',
    'days since last purchase',
    'UTC days from the last order to as-of.',
  ),
  f(
    'frequency_orders',
    'integer',
    'orders',
    'history',
    'orders',
    'Orders placed (refunds do not reduce it).',
  ),
  f(
    'frequency_days',
    'integer',
    'purchase_days',
    'history',
    'purchase days',
    'Distinct UTC days with an order.',
  ),
  f(
    'monetary_total',
    'money',
    'currency',
    'history',
    'total spend',
    'Merchandise spend less refunded merchandise.',
  ),
  f('monetary_avg', 'money', 'currency', 'history', 'average order', 'monetary_total / frequency_orders.'),
  f('orders_90d', 'integer', 'orders', 'as_of', `orders in ${W}`, `Orders in the last ${W}.`),
  f(
    'orders_prev_90d',
    'integer',
    'orders',
    'as_of',
    `orders in the ${W} before`,
    `Orders in the ${W} before.`,
  ),
  f('spend_90d', 'money', 'currency', 'as_of', `spend in ${W}`, `Net merchandise spend, last ${W}.`),
  f(
    'spend_prev_90d',
    'money',
    'currency',
    'as_of',
    `spend in the ${W} before`,
    `Net spend, the ${W} before.`,
  ),
  f('points_earned', 'integer', 'points', 'history', 'points earned', 'Points earned, all time.'),
  f('points_redeemed', 'integer', 'points', 'history', 'points redeemed', 'Points redeemed, all time.'),
  f('points_expired', 'integer', 'points', 'history', 'points expired', 'Points expired, all time.'),
  f(
    'points_balance',
    'integer',
    'points',
    'history',
    'points balance',
    'Earned - redeemed - expired + adjustments.',
  ),
  f('points_earned_90d', 'integer', 'points', 'as_of', `points earned in ${W}`, `Points earned, last ${W}.`),
  f(
    'redemption_ratio',
    'number',
    'ratio',
    'history',
    'redemption ratio',
    'Redeemed / earned; null before any earn.',
  ),
  f(
    'last_redemption_at',
    'date',
    'timestamp',
    'history',
    'last redemption',
    'Time of the latest redemption.',
  ),
  f(
    'days_since_redemption',
    'integer',
    'days',
    'as_of',
    'days since redemption',
    'UTC days since last redemption.',
  ),
  f(
    'non_purchase_points_share',
    'number',
    'ratio',
    'history',
    'share of points from non-purchase activity',
    'Earned points not tied to an order (reviews, referrals, profile...) / all earned points.',
  ),
  ...engagementFeatures(),
  f(
    'engagements',
    'integer',
    'count',
    'history',
    'engagements',
    'Engagement events of every kind, all time.',
  ),
  f('engagements_90d', 'integer', 'count', 'as_of', `engagements in ${W}`, `All kinds, last ${W}.`),
  f(
    'engagements_prev_90d',
    'integer',
    'count',
    'as_of',
    `engagements in the ${W} before`,
    'All kinds, before.',
  ),
  f(
    'engagement_trend',
    'number',
    'ratio',
    'as_of',
    'engagement trend',
    `(last ${W} - the ${W} before) / the ${W} before; -1 is a full stop; null when the earlier window is empty.`,
  ),
  f(
    'advocacy_90d',
    'integer',
    'count',
    'as_of',
    `advocacy actions in ${W}`,
    'Reviews, shares, referrals, UGC, challenges.',
  ),
  f('latest_csat', 'integer', 'score', 'history', 'latest CSAT', 'Latest CSAT answer, 1-5.'),
  f('latest_nps', 'integer', 'score', 'history', 'latest NPS', 'Latest NPS answer, 0-10.'),
  f(
    'satisfaction',
    'integer',
    'score',
    'history',
    'satisfaction',
    'Latest survey of either kind on a 1-5 scale (NPS 0-2 -> 1, 3-4 -> 2, 5-6 -> 3, 7-8 -> 4, 9-10 -> 5).',
  ),
  f('r_score', 'integer', 'score', 'program', 'R score', 'Recency quintile in the program, 5 = most recent.'),
  f(
    'f_score',
    'integer',
    'score',
    'program',
    'F score',
    'Frequency quintile in the program, 5 = most orders.',
  ),
  f(
    'm_score',
    'integer',
    'score',
    'program',
    'M score',
    'Monetary quintile in the program, 5 = highest spend.',
  ),
  f(
    'expected_purchases_12m',
    'number',
    'count',
    'model',
    'expected purchases in 12 months',
    'BG/NBD or Pareto/NBD.',
  ),
  f('p_alive', 'number', 'probability', 'model', 'P(alive)', 'Probability the member is still active.'),
  f(
    'expected_spend',
    'money',
    'currency',
    'model',
    'expected order value',
    'Gamma-Gamma expected spend per order.',
  ),
  f('clv_12m', 'money', 'currency', 'model', '12-month CLV', 'Discounted 12-month margin.'),
  f(
    'clv_percentile',
    'number',
    'percentile',
    'model',
    'CLV percentile',
    'CLV percentile (0-100) in the program.',
  ),
];

const BY_NAME = new Map(FEATURE_CATALOG.map((d) => [d.name, d]));

/** Prefix of the declared-value features: `declared.interest` holds every declared interest. */
export const DECLARED_PREFIX = 'declared.';
/** Prefix of the freshness features: `declared_at.interest` is when an interest was last confirmed. */
export const DECLARED_AT_PREFIX = 'declared_at.';

// Same as the Key scalar of contracts/scalars.ts: the declaration keys a member can have.
const DECLARATION_KEY = /^[a-z][a-z0-9_.:-]{0,63}$/;

/** The definition of a feature by name, including `declared.<key>` and `declared_at.<key>`; undefined if unknown. */
export function featureDefinition(name: string): FeatureDefinition | undefined {
  const fixed = BY_NAME.get(name);
  if (fixed !== undefined) return fixed;
  if (name.startsWith(DECLARED_PREFIX)) {
    const key = name.slice(DECLARED_PREFIX.length);
    if (!DECLARATION_KEY.test(key)) return undefined;
    const label = `declared ${key.replaceAll('_', ' ')}`;
    return f(name, 'string[]', 'text', 'declared', label, `Values the member declared for ${key}.`);
  }
  if (name.startsWith(DECLARED_AT_PREFIX)) {
    const key = name.slice(DECLARED_AT_PREFIX.length);
    if (!DECLARATION_KEY.test(key)) return undefined;
    const label = `${key.replaceAll('_', ' ')} last confirmed`;
    return f(name, 'date', 'timestamp', 'declared', label, `When the member last declared ${key}.`);
  }
  return undefined;
}
