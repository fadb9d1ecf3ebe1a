import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createProgramContext, summariseDistribution, topPercentThreshold } from './program-context.ts';

describe('topPercentThreshold', () => {
  it('is the lowest of the ceil(n * p / 100) highest values', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(topPercentThreshold(values, 20)).toBe(9);
    expect(topPercentThreshold(values, 15)).toBe(9);
    expect(topPercentThreshold(values, 100)).toBe(1);
    expect(topPercentThreshold(values, 0.1)).toBe(10);
    expect(topPercentThreshold([], 20)).toBe(null);
  });

  it('does not let float noise widen the group', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i);
    expect(topPercentThreshold(values, 0.7)).toBe(993);
  });

  it('puts at least p% of members at or above the threshold, and never fewer than one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 100 }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        (values, p) => {
          const sorted = [...values].sort((a, b) => a - b);
          const t = topPercentThreshold(sorted, p) as number;
          const inTop = sorted.filter((v) => v >= t).length;
          expect(inTop).toBeGreaterThanOrEqual(Math.max(1, Math.ceil((sorted.length * p) / 100 - 1e-9)));
        },
      ),
    );
  });
});

describe('createProgramContext', () => {
  it('sorts numbers, reads money strings, and leaves out members without a value', () => {
    const context = createProgramContext(new Date(0), {
      monetary_total: ['20.5000', null, '3.0000', '100.0000'],
      points_balance: [5, 1],
    });
    expect(context.distributions).toEqual({ monetary_total: [3, 20.5, 100], points_balance: [1, 5] });
  });

  it('summarises a large distribution to evenly spaced order statistics, keeping both ends', () => {
    const values = Array.from({ length: 1001 }, (_, i) => i);
    expect(summariseDistribution(values, 11)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
  });
});
