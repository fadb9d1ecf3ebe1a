import { describe, expect, it } from 'vitest';
import { builtInSchemes } from './built-in-schemes.ts';
import { MAX_RULE_DEPTH, validateRule } from './validate-rule.ts';

const issues = (rule: unknown) => {
  const result = validateRule(rule);
  return result.ok ? [] : result.issues;
};

describe('validateRule', () => {
  it('accepts a well-formed rule and normalises money and dates', () => {
    const result = validateRule({
      all: [
        { feature: 'monetary_total', op: 'gte', value: 250 },
        { feature: 'last_purchase_at', op: 'gt', value: '2024-05-01' },
        {
          any: [
            { feature: 'declared.interest', op: 'contains', value: 'coffee' },
            { not: { feature: 'p_alive', op: 'exists', value: true } },
          ],
        },
      ],
    });
    expect(result).toEqual({
      ok: true,
      rule: {
        all: [
          { feature: 'monetary_total', op: 'gte', value: '250.0000' },
          { feature: 'last_purchase_at', op: 'gt', value: '2024-05-01T00:00:00.000Z' },
          {
            any: [
              { feature: 'declared.interest', op: 'contains', value: 'coffee' },
              { not: { feature: 'p_alive', op: 'exists', value: true } },
            ],
          },
        ],
      },
    });
  });

  it('rejects an unknown feature at its JSON path', () => {
    expect(
      issues({
        all: [
          { feature: 'recency_days', op: 'lt', value: 30 },
          { any: [{ feature: 'favourite_colour', op: 'eq', value: 'red' }] },
        ],
      }),
    ).toEqual([{ path: 'all[1].any[0].feature', message: 'unknown feature "favourite_colour"' }]);
  });

  it('rejects a value of the wrong type for the feature', () => {
    expect(
      issues({
        all: [
          { feature: 'recency_days', op: 'lt', value: 30 },
          { feature: 'a', op: 'eq', value: 1 },
          { feature: 'frequency_orders', op: 'gte', value: '3' },
        ],
      }),
    ).toEqual([
      { path: 'all[1].feature', message: 'unknown feature "a"' },
      { path: 'all[2].value', message: 'must be an integer (frequency_orders is integer)' },
    ]);
  });

  it('rejects an op that does not apply to the feature type', () => {
    expect(issues({ feature: 'declared.interest', op: 'gt', value: 3 })).toEqual([
      { path: 'op', message: 'gt does not apply to declared.interest (string[]); use contains, in, exists' },
    ]);
    expect(issues({ not: { feature: 'recency_days', op: 'within_days', value: 3 } })[0]?.path).toBe('not.op');
  });

  it('checks each op’s value shape', () => {
    expect(issues({ feature: 'points_balance', op: 'top_percent', value: 0 })[0]).toEqual({
      path: 'value',
      message: 'must be a percentage above 0 and at most 100 (points_balance is integer)',
    });
    expect(issues({ feature: 'points_balance', op: 'between', value: [10, 5] })[0]?.message).toMatch(
      /low must not be above high/,
    );
    expect(issues({ feature: 'points_balance', op: 'between', value: [1] })[0]?.message).toMatch(
      /\[low, high\]/,
    );
    expect(issues({ feature: 'last_purchase_at', op: 'within_days', value: -1 })[0]?.path).toBe('value');
    expect(issues({ feature: 'last_purchase_at', op: 'lt', value: '2024-02-30' })[0]?.message).toMatch(
      /ISO date/,
    );
    expect(issues({ feature: 'latest_csat', op: 'in', value: [1, 'x'] })[0]?.message).toMatch(
      /item 1 must be an integer/,
    );
    expect(issues({ feature: 'latest_csat', op: 'in', value: [] })[0]?.message).toMatch(/non-empty list/);
    expect(issues({ feature: 'p_alive', op: 'exists', value: 'yes' })[0]?.path).toBe('value');
  });

  it('rejects malformed trees with their paths', () => {
    expect(issues(null)).toEqual([{ path: '', message: expect.stringContaining('must be an object') }]);
    expect(issues({ all: [] })).toEqual([{ path: 'all', message: 'must be a non-empty list of rules' }]);
    expect(issues({ any: [{ feature: 'recency_days', op: 'lt', value: 3 }], all: [] })[0]).toEqual({
      path: 'any',
      message: 'cannot sit beside all',
    });
    expect(issues({ feature: 'recency_days', op: 'lt', value: 3, extra: 1 })).toEqual([
      { path: 'extra', message: 'is not a rule field (feature, op, value)' },
    ]);
    expect(issues({ feature: 'recency_days', op: 'like', value: 3 })[0]?.path).toBe('op');
    expect(issues({ feature: 'recency_days', op: 'lt' })).toEqual([
      { path: 'value', message: 'is required' },
    ]);
  });

  it('reports every problem, not only the first', () => {
    expect(
      issues({
        any: [
          { feature: 'x', op: 'eq', value: 1 },
          { feature: 'y', op: 'eq', value: 1 },
        ],
      }).map((i) => i.path),
    ).toEqual(['any[0].feature', 'any[1].feature']);
  });

  it('bounds nesting depth', () => {
    let rule: unknown = { feature: 'recency_days', op: 'lt', value: 3 };
    for (let i = 0; i <= MAX_RULE_DEPTH; i++) rule = { not: rule };
    expect(issues(rule)[0]?.message).toMatch(/nests deeper/);
  });

  it('accepts every built-in segment rule unchanged', () => {
    for (const scheme of builtInSchemes({ interests: ['coffee'] })) {
      for (const segment of scheme.segments) {
        const result = validateRule(segment.rule);
        expect(result.ok ? [] : result.issues, `${scheme.name}/${segment.name}`).toEqual([]);
      }
    }
  });
});
