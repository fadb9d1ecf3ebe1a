import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RuleLeaf, SegmentRule } from '../../contracts/segments.ts';
import { evaluateRule, explain, matchRule } from './evaluate-rule.ts';
import { AS_OF, daysAgo, member, PROGRAM } from './scheme-fixtures.ts';
import { validateRule } from './validate-rule.ts';

const run = (rule: SegmentRule, features = member()) => evaluateRule(rule, features, PROGRAM);

describe('evaluateRule', () => {
  it('states each leaf as a fact, whichever way it went', () => {
    const ratio = (value: number) =>
      run({ feature: 'redemption_ratio', op: 'lte', value: 0.1 }, member({ redemption_ratio: value }));
    expect(ratio(0.02)).toEqual({ match: true, reasons: ['redemption ratio 0.02 ≤ 0.10'] });
    expect(ratio(0.32)).toEqual({ match: false, reasons: ['redemption ratio 0.32 > 0.10'] });
  });

  it('compares money exactly', () => {
    const spend = (total: string) =>
      run({ feature: 'monetary_total', op: 'gt', value: '100.0000' }, member({ monetary_total: total }));
    expect(spend('100.0001').match).toBe(true);
    expect(spend('100.0000')).toEqual({ match: false, reasons: ['total spend 100.00 ≤ 100.00'] });
  });

  it('ranks against the program for top_percent, and says so when there is no distribution', () => {
    expect(
      run({ feature: 'monetary_total', op: 'top_percent', value: 10 }, member({ monetary_total: '95.5000' })),
    ).toEqual({
      match: true,
      reasons: ['total spend 95.50 is in the top 10% (≥ 91.00)'],
    });
    expect(
      run({ feature: 'points_earned', op: 'top_percent', value: 10 }, member({ points_earned: 5 })).match,
    ).toBe(false);
  });

  it('reads within_days as the N days ending on the as-of day', () => {
    const recent = (days: number) =>
      run(
        { feature: 'last_purchase_at', op: 'within_days', value: 30 },
        member({ last_purchase_at: daysAgo(days) }),
      );
    expect(recent(29).match).toBe(true);
    expect(recent(30).match).toBe(false);
    expect(recent(-1).reasons[0]).toMatch(/after the as-of day/);
  });

  it('treats a missing value as not matching, except for exists', () => {
    expect(run({ feature: 'clv_percentile', op: 'gte', value: 80 })).toEqual({
      match: false,
      reasons: ['CLV percentile is unknown'],
    });
    expect(run({ feature: 'clv_percentile', op: 'exists', value: false }).match).toBe(true);
  });

  it('handles in, contains, between and eq on their types', () => {
    const f = member({ latest_csat: 3, 'declared.interest': ['coffee', 'tea'] });
    expect(run({ feature: 'latest_csat', op: 'in', value: [1, 2, 3] }, f).reasons).toEqual([
      'latest CSAT 3 is one of 1, 2, 3',
    ]);
    expect(run({ feature: 'declared.interest', op: 'in', value: ['tea', 'cake'] }, f).reasons).toEqual([
      'declared interest includes tea',
    ]);
    expect(run({ feature: 'declared.interest', op: 'contains', value: 'cake' }, f).reasons).toEqual([
      'declared interest (coffee, tea) does not include cake',
    ]);
    expect(run({ feature: 'latest_csat', op: 'between', value: [4, 5] }, f).reasons).toEqual([
      'latest CSAT 3 is not between 4 and 5',
    ]);
    expect(run({ feature: 'latest_csat', op: 'ne', value: 3 }, f)).toEqual({
      match: false,
      reasons: ['latest CSAT is 3'],
    });
  });

  it('gives the failing conditions of an all, and the first matching branch of an any', () => {
    const f = member({ recency_days: 10, frequency_orders: 1 });
    const recent: RuleLeaf = { feature: 'recency_days', op: 'lt', value: 30 };
    const repeat: RuleLeaf = { feature: 'frequency_orders', op: 'gte', value: 2 };
    expect(run({ all: [recent, repeat] }, f)).toEqual({ match: false, reasons: ['orders 1 < 2'] });
    expect(run({ any: [repeat, recent] }, f)).toEqual({
      match: true,
      reasons: ['days since last purchase 10 < 30'],
    });
    expect(explain('Recent', run({ all: [recent, { not: repeat }] }, f))).toBe(
      'Recent: days since last purchase 10 < 30 and orders 1 < 2',
    );
  });

  it('throws on an unknown feature: rules are validated before they are evaluated', () => {
    expect(() => run({ feature: 'nope', op: 'eq', value: 1 })).toThrow(/validateRule/);
  });
});

// Random rules over a few numeric features, and random members, for the algebraic properties.
const FEATURES = ['recency_days', 'frequency_orders', 'points_balance', 'engagements_90d'] as const;
const leafArb: fc.Arbitrary<SegmentRule> = fc.record({
  feature: fc.constantFrom(...FEATURES),
  op: fc.constantFrom(
    'eq' as const,
    'ne' as const,
    'lt' as const,
    'lte' as const,
    'gt' as const,
    'gte' as const,
  ),
  value: fc.integer({ min: 0, max: 20 }),
});
const { rule: ruleArb } = fc.letrec<{ rule: SegmentRule }>((tie) => ({
  rule: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArb,
    fc.array(tie('rule'), { minLength: 1, maxLength: 3 }).map((all) => ({ all })),
    fc.array(tie('rule'), { minLength: 1, maxLength: 3 }).map((any) => ({ any })),
    tie('rule').map((not) => ({ not })),
  ),
}));
const memberArb = fc
  .tuple(...FEATURES.map(() => fc.option(fc.integer({ min: 0, max: 20 }), { nil: null })))
  .map((values) => member(Object.fromEntries(FEATURES.map((name, i) => [name, values[i] ?? null]))));

describe('rule properties', () => {
  it('not inverts, and an all or any of one rule is that rule', () => {
    fc.assert(
      fc.property(ruleArb, memberArb, (rule, features) => {
        const base = run(rule, features).match;
        expect(run({ not: rule }, features).match).toBe(!base);
        expect(run({ all: [rule] }, features).match).toBe(base);
        expect(run({ any: [rule] }, features).match).toBe(base);
      }),
    );
  });

  it('matchRule agrees with evaluateRule, and every generated rule validates', () => {
    fc.assert(
      fc.property(ruleArb, memberArb, (rule, features) => {
        expect(validateRule(rule).ok).toBe(true);
        expect(matchRule(rule, features, PROGRAM)).toBe(run(rule, features).match);
      }),
    );
  });

  it('mentions the threshold and the actual value of a leaf in its reason', () => {
    fc.assert(
      fc.property(leafArb, fc.integer({ min: 0, max: 20 }), (leaf, value) => {
        const l = leaf as RuleLeaf;
        const [reason] = run(l, member({ [l.feature]: value })).reasons;
        expect(reason).toContain(String(value));
        expect(reason).toMatch(new RegExp(`\\b${l.value}\\b`));
      }),
    );
  });

  it('gives a context whose as-of decides within_days', () => {
    const rule: SegmentRule = { feature: 'joined_at', op: 'within_days', value: 1 };
    const features = member({ joined_at: AS_OF.toISOString() });
    expect(
      evaluateRule(rule, features, { asOf: new Date(AS_OF.getTime() + 86_400_000), distributions: {} }).match,
    ).toBe(false);
  });
});
