import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hyp2f1, logDiffExp, logHyp2f1AOne, logistic, logSumExp } from './special-functions.ts';

describe('special functions', () => {
  it('sums 2F1(1, 1; 2; z) to -ln(1 - z)/z', () => {
    for (const z of [0.1, 0.5, 0.9, 0.99]) expect(hyp2f1(1, 1, 2, z)).toBeCloseTo(-Math.log1p(-z) / z, 10);
  });

  it('gives log 2F1(a, b; a + 1; z) equal to the direct series where that is safe', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 20, noNaN: true }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 0.8, noNaN: true }),
        (a, bRaw, z) => {
          const b = Math.min(bRaw, a + 0.5);
          expect(logHyp2f1AOne(a, b, z)).toBeCloseTo(Math.log(hyp2f1(a, b, a + 1, z)), 8);
        },
      ),
    );
  });

  it('keeps log 2F1 finite where the function itself overflows', () => {
    const value = logHyp2f1AOne(1001, 1000.5, 0.95);
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeGreaterThan(700);
  });

  it('adds and subtracts in log space without overflow', () => {
    expect(logSumExp(1000, 1000)).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logSumExp(Number.NEGATIVE_INFINITY, 3)).toBe(3);
    expect(logDiffExp(1000, 1000 - Math.LN2)).toBeCloseTo(1000 - Math.LN2, 12);
    expect(logDiffExp(5, 5)).toBe(Number.NEGATIVE_INFINITY);
    expect(logistic(-800)).toBeGreaterThanOrEqual(0);
    expect(logistic(800)).toBe(1);
  });
});
