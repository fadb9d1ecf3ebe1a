import type { RuleLeaf, RuleOp, SchemeDefinition, SegmentRule } from '../../contracts/segments.ts';
import { DECLARED_AT_PREFIX, DECLARED_PREFIX } from '../features/feature-catalog.ts';
import {
  type BuiltInOverrides,
  type BuiltInThresholds,
  type DeclaredSelector,
  resolveThresholds,
} from './built-in-defaults.ts';

// The built-in schemes, written in the same rule language a marketer uses, so that they are
// validated, stored, explained and overridden exactly like custom segments.

const leaf = (feature: string, op: RuleOp, value: RuleLeaf['value']): RuleLeaf => ({ feature, op, value });
const all = (...rules: SegmentRule[]): SegmentRule => ({ all: rules });
const any = (...rules: SegmentRule[]): SegmentRule => ({ any: rules });
const not = (rule: SegmentRule): SegmentRule => ({ not: rule });

/**
 * High value by CLV percentile; a member the CLV scorer has not scored (clv_percentile null, e.g.
 * before `clv fit` or with one purchase) is judged by total spend in the program's top percent.
 */
function highValue(minPercentile: number, fallbackTopSpendPercent: number): SegmentRule {
  return any(
    leaf('clv_percentile', 'gte', minPercentile),
    all(
      leaf('clv_percentile', 'exists', false),
      leaf('monetary_total', 'top_percent', fallbackTopSpendPercent),
    ),
  );
}

/** The seeds' five loyalty-behaviour segments, in the seeds' order (first match wins). */
export function loyaltyScheme(t: BuiltInThresholds['loyalty']): SchemeDefinition {
  const segment = (name: string, label: string, description: string, rule: SegmentRule) => ({
    name,
    label,
    description,
    rule,
  });
  return {
    name: 'loyalty',
    label: 'Loyalty behaviour',
    mode: 'first_match',
    segments: [
      segment(
        'vips',
        'VIPs',
        'High CLV and high engagement.',
        all(
          highValue(t.vipMinClvPercentile, t.vipFallbackTopSpendPercent),
          leaf('engagements_90d', 'gte', t.vipMinEngagements90d),
        ),
      ),
      segment(
        'at_risk_loyals',
        'At-Risk Loyals',
        'High CLV with engagement falling or P(alive) low (without P(alive): long since the last purchase).',
        all(
          highValue(t.atRiskMinClvPercentile, t.atRiskFallbackTopSpendPercent),
          any(
            leaf('engagement_trend', 'lte', t.atRiskMaxEngagementTrend),
            leaf('p_alive', 'lt', t.atRiskMaxPAlive),
            all(
              leaf('p_alive', 'exists', false),
              leaf('recency_days', 'gte', t.atRiskFallbackMinRecencyDays),
            ),
          ),
        ),
      ),
      segment(
        'points_savers',
        'Points Savers',
        'High points balance, low redemption.',
        all(
          leaf('points_balance', 'top_percent', t.pointsSaverTopBalancePercent),
          leaf('points_balance', 'gte', t.pointsSaverMinBalance),
          leaf('redemption_ratio', 'lte', t.pointsSaverMaxRedemptionRatio),
        ),
      ),
      segment(
        'new_enthusiasts',
        'New Enthusiasts',
        'Recent joiners who have made a first purchase.',
        all(
          leaf('joined_at', 'within_days', t.newWithinDays),
          leaf('frequency_orders', 'between', [1, t.newMaxOrders]),
        ),
      ),
      segment(
        'engaged_advocates',
        'Engaged Advocates',
        'High non-purchase activity, not the top spenders.',
        all(
          any(
            leaf('advocacy_90d', 'gte', t.advocateMinActions90d),
            all(
              leaf('non_purchase_points_share', 'gte', t.advocateMinNonPurchaseShare),
              leaf('advocacy_90d', 'gte', t.advocateMinActionsWithShare),
            ),
          ),
          not(leaf('monetary_total', 'top_percent', t.advocateExcludeTopSpendPercent)),
        ),
      ),
    ],
  };
}

const scoreIn = (feature: string, [low, high]: [number, number]) =>
  low === high ? leaf(feature, 'eq', low) : leaf(feature, 'between', [low, high]);

/**
 * The 11 named RFM segments from R, F and M quintile scores (ranges in built-in-defaults.ts), then
 * "Other Customers" for the combinations the named ranges leave out.
 */
export function rfmScheme(ranges: BuiltInThresholds['rfm']): SchemeDefinition {
  return {
    name: 'rfm',
    label: 'RFM',
    mode: 'first_match',
    segments: [
      ...ranges.map((range) => ({
        name: range.name,
        label: range.label,
        rule: all(scoreIn('r_score', range.r), scoreIn('f_score', range.f), scoreIn('m_score', range.m)),
      })),
      // The named ranges leave some score combinations out (a long-ago single big order: 1-1-5);
      // every scored customer still gets a label, and the explanation shows the scores.
      {
        name: 'other',
        label: 'Other Customers',
        description: 'Scored customers whose R, F and M combination none of the named segments covers.',
        rule: all(
          leaf('r_score', 'exists', true),
          leaf('f_score', 'exists', true),
          leaf('m_score', 'exists', true),
        ),
      },
    ],
  };
}

/** Lifecycle stages by time since the first and the last purchase; every member has exactly one. */
export function lifecycleScheme(t: BuiltInThresholds['lifecycle']): SchemeDefinition {
  return {
    name: 'lifecycle',
    label: 'Lifecycle',
    mode: 'first_match',
    segments: [
      { name: 'prospect', label: 'Prospect', rule: leaf('frequency_orders', 'eq', 0) },
      { name: 'new', label: 'New', rule: leaf('first_purchase_at', 'within_days', t.newWithinDays) },
      { name: 'active', label: 'Active', rule: leaf('last_purchase_at', 'within_days', t.activeWithinDays) },
      {
        name: 'at_risk',
        label: 'At Risk',
        rule: leaf('last_purchase_at', 'within_days', t.atRiskWithinDays),
      },
      { name: 'lapsed', label: 'Lapsed', rule: leaf('last_purchase_at', 'within_days', t.lapsedWithinDays) },
      {
        name: 'churned',
        label: 'Churned',
        rule: not(leaf('last_purchase_at', 'within_days', t.lapsedWithinDays)),
      },
    ],
  };
}

/**
 * The Apostle model (Jones & Sasser, "Why Satisfied Customers Defect", HBR 1995): satisfaction
 * against behavioural loyalty. Loyalty is behaviour, not attitude: repeat orders and still earning,
 * so a member who keeps earning but never redeems and is unhappy is a hostage. Members with no
 * survey answer have no satisfaction and get no Apostle segment.
 */
export function apostleScheme(t: BuiltInThresholds['apostle']): SchemeDefinition {
  const loyal = all(
    leaf('frequency_orders', 'gte', t.loyalMinOrders),
    any(leaf('orders_90d', 'gte', 1), leaf('points_earned_90d', 'gte', t.loyalMinPointsEarned90d)),
  );
  const satisfied = leaf('satisfaction', 'gte', t.satisfiedMinSatisfaction);
  const dissatisfied = leaf('satisfaction', 'lt', t.satisfiedMinSatisfaction);
  return {
    name: 'apostle',
    label: 'Apostle model',
    mode: 'first_match',
    segments: [
      {
        name: 'apostles',
        label: 'Apostles',
        rule: all(leaf('satisfaction', 'gte', t.apostleMinSatisfaction), loyal),
      },
      { name: 'loyalists', label: 'Loyalists', rule: all(satisfied, loyal) },
      { name: 'mercenaries', label: 'Mercenaries', rule: satisfied },
      { name: 'hostages', label: 'Hostages', rule: all(dissatisfied, loyal) },
      { name: 'defectors', label: 'Defectors', rule: dissatisfied },
    ],
  };
}

function declaredRule(selector: DeclaredSelector, maxAgeDays: number): SegmentRule {
  return all(
    leaf(`${DECLARED_PREFIX}${selector.key}`, 'in', selector.values),
    leaf(`${DECLARED_AT_PREFIX}${selector.key}`, 'within_days', maxAgeDays),
  );
}

/** A declared value as a segment-name suffix: "Men's Footwear" -> "men_s_footwear". */
export function interestSlug(value: string): string {
  const slug = value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return slug === '' ? 'other' : slug.slice(0, 48);
}

/**
 * A declared segment that quiz, poll or challenge answers lead to ("Eco-Allies"): a member is in it
 * while they hold any of the selected answers, confirmed within the declared freshness.
 */
export interface AnswerSegment {
  name: string;
  label: string;
  selectors: DeclaredSelector[];
}

/**
 * Zero-party segments, overlapping (a member can be an Eco-Ally and a Routine Seeker): the seeds'
 * three, one per product interest in `interests` (the values the program's members declared), and
 * one per segment the program's quiz answers lead to. An answer segment named like one of the
 * seeds' three (a pledge -> "Eco-Allies") widens it: either route places the member there.
 * A declaration counts while its key was confirmed within `maxAgeDays`.
 */
export function declaredScheme(
  t: BuiltInThresholds['declared'],
  interests: readonly string[],
  answers: readonly AnswerSegment[] = [],
): SchemeDefinition {
  const seen = new Set<string>();
  const interestSegments = interests.flatMap((interest) => {
    const name = `interest:${interestSlug(interest)}`;
    if (seen.has(name)) return [];
    seen.add(name);
    return [
      {
        name,
        label: `Interest: ${interest}`,
        rule: declaredRule({ key: t.interestKey, values: [interest] }, t.maxAgeDays),
      },
    ];
  });
  const byName = new Map(answers.map((a) => [a.name, a]));
  const rule = (name: string, selectors: readonly DeclaredSelector[]): SegmentRule => {
    const rules = [...selectors, ...(byName.get(name)?.selectors ?? [])].map((s) =>
      declaredRule(s, t.maxAgeDays),
    );
    return rules.length === 1 ? (rules[0] as SegmentRule) : any(...rules);
  };
  const seeds = [
    { name: 'eco_allies', label: 'Eco-Allies', rule: rule('eco_allies', [t.ecoAllies]) },
    { name: 'routine_seekers', label: 'Routine Seekers', rule: rule('routine_seekers', [t.routineSeekers]) },
    {
      name: 'flavor_innovators',
      label: 'Flavor Innovators',
      rule: rule('flavor_innovators', [t.flavorInnovators]),
    },
  ];
  const seedNames = new Set(seeds.map((s) => s.name));
  const answerSegments = answers
    .filter((a) => !seedNames.has(a.name) && a.selectors.length > 0)
    .map((a) => ({ name: a.name, label: a.label, rule: rule(a.name, []) }));
  return {
    name: 'declared',
    label: 'Declared',
    mode: 'overlapping',
    segments: [...seeds, ...answerSegments, ...interestSegments],
  };
}

export interface BuiltInSchemeOptions {
  overrides?: BuiltInOverrides;
  /** Product interests declared in the program, one segment each. */
  interests?: readonly string[];
  /** The declared segments the program's active quiz answers lead to. */
  answers?: readonly AnswerSegment[];
}

/** All built-in schemes with a program's overrides: loyalty, rfm, lifecycle, apostle, declared. */
export function builtInSchemes(options: BuiltInSchemeOptions = {}): SchemeDefinition[] {
  const t = resolveThresholds(options.overrides);
  return [
    loyaltyScheme(t.loyalty),
    rfmScheme(t.rfm),
    lifecycleScheme(t.lifecycle),
    apostleScheme(t.apostle),
    declaredScheme(t.declared, options.interests ?? [], options.answers ?? []),
  ];
}
