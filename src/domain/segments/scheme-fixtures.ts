import type { FeatureVector, SchemeDefinition } from '../../contracts/segments.ts';
import type { BuiltInOverrides } from './built-in-defaults.ts';
import { builtInSchemes } from './built-in-schemes.ts';
import { evaluateRule } from './evaluate-rule.ts';
import type { ProgramContext } from './program-context.ts';

// Members and a program for the built-in scheme tests: feature vectors written by hand, so each
// test can put one value just inside or just outside one threshold.

export const AS_OF = new Date('2024-06-30T12:00:00Z');
const DAY_MS = 86_400_000;

/** An ISO time `n` UTC days before the as-of day, at 09:00. */
export function daysAgo(n: number): string {
  const day = Math.floor(AS_OF.getTime() / DAY_MS) - n;
  return new Date(day * DAY_MS + 9 * 3_600_000).toISOString();
}

const range = (n: number, step: number) => Array.from({ length: n }, (_, i) => (i + 1) * step);

/**
 * A program of 100 members: total spend 1..100 (top 10% from 91, top 20% from 81, top 30% from 71)
 * and points balances 100..10,000 (top 20% from 8,100).
 */
export const PROGRAM: ProgramContext = {
  asOf: AS_OF,
  distributions: { monetary_total: range(100, 1), points_balance: range(100, 100) },
};

/** A member with nothing remarkable: one order long ago, no points, no engagement, no survey, unscored. */
export function member(overrides: FeatureVector = {}): FeatureVector {
  return {
    joined_at: daysAgo(1000),
    first_purchase_at: daysAgo(900),
    last_purchase_at: daysAgo(900),
    recency_days: 900,
    frequency_orders: 1,
    monetary_total: '10.0000',
    orders_90d: 0,
    points_balance: 0,
    points_earned_90d: 0,
    redemption_ratio: null,
    engagements_90d: 0,
    advocacy_90d: 0,
    engagement_trend: null,
    non_purchase_points_share: null,
    satisfaction: null,
    clv_percentile: null,
    p_alive: null,
    ...overrides,
  };
}

/** A built-in scheme by name, with overrides. */
export function scheme(
  name: string,
  overrides: BuiltInOverrides = {},
  interests: string[] = [],
): SchemeDefinition {
  const found = builtInSchemes({ overrides, interests }).find((s) => s.name === name);
  if (found === undefined) throw new Error(`no built-in scheme ${name}`);
  return found;
}

/** Whether one segment's own rule matches (ignoring the segments before it). */
export function inSegment(
  s: SchemeDefinition,
  segment: string,
  features: FeatureVector,
  context: ProgramContext = PROGRAM,
): boolean {
  const found = s.segments.find((x) => x.name === segment);
  if (found === undefined) throw new Error(`no segment ${segment} in ${s.name}`);
  return evaluateRule(found.rule, features, context).match;
}
