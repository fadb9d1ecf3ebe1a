import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  differenceOfEstimates,
  differenceOfMeans,
  differenceOfProportions,
  relativeDifferenceOfMeans,
  relativeDifferenceOfProportions,
  wilsonInterval,
  zCritical,
} from './statistics.ts';

// z for 95%: 1.959963984540054 (the 0.975 quantile of the standard normal).
const Z = 1.959963984540054;

describe('zCritical', () => {
  it('is the two-sided normal quantile', () => {
    expect(zCritical(0.95)).toBeCloseTo(Z, 12);
    expect(zCritical(0.9)).toBeCloseTo(1.6448536269514722, 12);
    expect(() => zCritical(1)).toThrow(/between 0 and 1/);
  });
});

describe('wilsonInterval', () => {
  it('matches the hand computation for 10 of 100', () => {
    // p = 0.1, z^2 = 3.841459; denominator = 1 + z^2/n = 1.0384146
    // centre = (p + z^2/2n) / denominator = 0.1192073 / 1.0384146 = 0.1147974
    // half = z * sqrt(p(1-p)/n + z^2/4n^2) / denominator = 1.959964 * sqrt(0.0009 + 0.00009604) / 1.0384146 = 0.0595683
    // interval = 0.1147974 -+ 0.0595683 = (0.0552291, 0.1743657)
    const w = wilsonInterval(10, 100);
    expect(w.lower).toBeCloseTo(0.0552291370606751, 12);
    expect(w.upper).toBeCloseTo(0.17436566150491345, 12);
  });

  it('is exact at the ends', () => {
    expect(wilsonInterval(0, 20).lower).toBe(0);
    expect(wilsonInterval(20, 20).upper).toBe(1);
  });

  it('rejects impossible counts', () => {
    expect(() => wilsonInterval(3, 2)).toThrow(/0 <= x <= n/);
    expect(() => wilsonInterval(0, 0)).toThrow(/n > 0/);
    expect(() => wilsonInterval(1.5, 4)).toThrow(/whole counts/);
  });
});

describe('differenceOfProportions (Newcombe hybrid score, method 10)', () => {
  // Newcombe RG (1998), Interval estimation for the difference between independent proportions:
  // comparison of eleven methods. Statistics in Medicine 17:873-890, Table II, method 10.
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [6, 7, 2, 7, 0.0582, 0.8062],
    [5, 56, 0, 29, -0.0381, 0.1926],
    [0, 10, 0, 20, -0.1611, 0.2775],
    [0, 10, 0, 10, -0.2775, 0.2775],
    [10, 10, 0, 20, 0.6791, 1],
    [10, 10, 0, 10, 0.6075, 1],
  ])('reproduces Newcombe Table II: %i/%i - %i/%i -> (%f, %f)', (x1, n1, x0, n0, lower, upper) => {
    const r = differenceOfProportions(x1, n1, x0, n0);
    expect(r.estimate).toBeCloseTo(x1 / n1 - x0 / n0, 12);
    expect(r.lower).toBeCloseTo(lower, 4);
    expect(r.upper).toBeCloseTo(upper, 4);
  });

  it('takes its p-value from the pooled z test (chi-square without continuity correction)', () => {
    // 56/70 - 48/80: pooled p = 104/150 = 0.693333; se = sqrt(0.693333 * 0.306667 * (1/70 + 1/80)) = 0.0755102
    // z = 0.2 / 0.0755102 = 2.648641; p = 2 * Phi(-2.648641) = 0.0080451 (scipy chi2_contingency agrees)
    expect(differenceOfProportions(56, 70, 48, 80).pValue).toBeCloseTo(0.008045081368196585, 12);
    expect(differenceOfProportions(5, 56, 0, 29).pValue).toBeCloseTo(0.09718656817057987, 12);
    // No conversions anywhere: no evidence of a difference.
    expect(differenceOfProportions(0, 10, 0, 20).pValue).toBe(1);
  });
});

describe('relativeDifferenceOfProportions (Katz log interval)', () => {
  it('matches the hand computation for 30/200 against 20/200', () => {
    // RR = 0.15 / 0.10 = 1.5; log RR = 0.4054651
    // se = sqrt(1/30 - 1/200 + 1/20 - 1/200) = sqrt(0.0733333) = 0.2708013
    // log interval = 0.4054651 -+ 1.959964 * 0.2708013 = (-0.1252956, 0.9362259)
    // relative lift = exp(.) - 1 = (-0.1177640, 1.5503379), estimate 0.5
    // p = 2 * Phi(-0.4054651 / 0.2708013) = 2 * Phi(-1.497279) = 0.1343206
    const r = relativeDifferenceOfProportions(30, 200, 20, 200);
    expect(r?.estimate).toBeCloseTo(0.5, 12);
    expect(r?.lower).toBeCloseTo(-0.11776396726145844, 10);
    expect(r?.upper).toBeCloseTo(1.5503379101574368, 10);
    expect(r?.pValue).toBeCloseTo(0.13432064012056663, 10);
  });

  it('has no value when an arm has no events', () => {
    expect(relativeDifferenceOfProportions(0, 100, 5, 100)).toBeUndefined();
    expect(relativeDifferenceOfProportions(5, 100, 0, 100)).toBeUndefined();
  });
});

// Revenue per member in a small fixture: variant [0, 0, 0, 10, 40], holdout [0 x6, 5, 5, 10, 10].
const VARIANT = { n: 5, mean: 10, variance: 300 };
const HOLDOUT = { n: 10, mean: 3, variance: 160 / 9 };

describe('differenceOfMeans (Welch)', () => {
  it('matches the hand computation', () => {
    // variant: mean 50/5 = 10; variance ((0-10)^2 * 3 + 0 + 30^2) / 4 = 1200 / 4 = 300
    // holdout: mean 30/10 = 3; variance (9 * 6 + 4 * 2 + 49 * 2) / 9 = 160 / 9 = 17.777778
    // se^2 = 300/5 + 17.777778/10 = 60 + 1.777778 = 61.777778; se = 7.859884
    // df = 61.777778^2 / (60^2/4 + 1.777778^2/9) = 3816.49 / 900.3512 = 4.238895
    // t(0.975, 4.238895) = 2.715810; interval = 7 -+ 2.715810 * 7.859884 = (-14.345954, 28.345954)
    // t = 7 / 7.859884 = 0.890598; p = 2 * T(-0.890598; 4.238895) = 0.420814 (scipy ttest_ind agrees)
    const r = differenceOfMeans(VARIANT, HOLDOUT);
    expect(r?.estimate).toBe(7);
    expect(r?.lower).toBeCloseTo(-14.34595357897609, 8);
    expect(r?.upper).toBeCloseTo(28.34595357897609, 8);
    expect(r?.pValue).toBeCloseTo(0.42081355913348417, 8);
  });

  it('has no value without spread or with a one-member arm', () => {
    expect(differenceOfMeans({ n: 5, mean: 0, variance: 0 }, { n: 5, mean: 0, variance: 0 })).toBeUndefined();
    expect(differenceOfMeans({ n: 1, mean: 3, variance: 0 }, HOLDOUT)).toBeUndefined();
  });
});

describe('relativeDifferenceOfMeans (delta method on the log ratio)', () => {
  it('matches the hand computation', () => {
    // ratio = 10 / 3; log = 1.2039728
    // se^2 = 300 / (5 * 10^2) + 17.777778 / (10 * 3^2) = 0.6 + 0.1975309 = 0.7975309; se = 0.8930458
    // log interval = 1.2039728 -+ 1.959964 * 0.8930458 = (-0.5463649, 2.9543105)
    // relative lift = (-0.4209491, 18.1884873), estimate 2.3333333
    // p = 2 * Phi(-1.2039728 / 0.8930458) = 0.1776054
    const r = relativeDifferenceOfMeans(VARIANT, HOLDOUT);
    expect(r?.estimate).toBeCloseTo(7 / 3, 12);
    expect(r?.lower).toBeCloseTo(-0.4209490852908305, 10);
    expect(r?.upper).toBeCloseTo(18.18848727955418, 8);
    expect(r?.pValue).toBeCloseTo(0.1776054394329959, 10);
  });

  it('has no value when the holdout mean is 0', () => {
    expect(relativeDifferenceOfMeans(VARIANT, { n: 10, mean: 0, variance: 0 })).toBeUndefined();
  });
});

describe('differenceOfEstimates', () => {
  it('adds the variances', () => {
    // d = 0.05 - 0.02 = 0.03; se = sqrt(0.03^2 + 0.04^2) = 0.05; interval 0.03 -+ 1.959964 * 0.05
    const r = differenceOfEstimates({ estimate: 0.05, se: 0.03 }, { estimate: 0.02, se: 0.04 });
    expect(r?.estimate).toBeCloseTo(0.03, 15);
    expect(r?.lower).toBeCloseTo(0.03 - Z * 0.05, 12);
    expect(r?.upper).toBeCloseTo(0.03 + Z * 0.05, 12);
    expect(differenceOfEstimates({ estimate: 1, se: 0 }, { estimate: 0, se: 0 })).toBeUndefined();
  });
});

// Properties. Arms as (x, n) with 1 <= n <= 5000.
const arm = fc
  .integer({ min: 1, max: 5000 })
  .chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)));
const moments = fc.record({
  n: fc.integer({ min: 2, max: 10_000 }),
  mean: fc.double({ min: 0.01, max: 1000, noNaN: true }),
  variance: fc.double({ min: 0.0001, max: 1e6, noNaN: true }),
});
/** Means with a coefficient of variation of 0.1-10, as revenue per member has: keeps ratios representable. */
const spreadMoments = fc
  .record({
    n: fc.integer({ min: 2, max: 10_000 }),
    mean: fc.double({ min: 0.01, max: 1000, noNaN: true }),
    cv: fc.double({ min: 0.1, max: 10, noNaN: true }),
  })
  .map(({ n, mean, cv }) => ({ n, mean, variance: (mean * cv) ** 2 }));
const level = fc.constantFrom(0.8, 0.9, 0.95, 0.99);
const EPS = 1e-12;

function expectRelativelyClose(a: number, b: number): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(b)));
}

describe('interval properties', () => {
  it('Wilson stays in [0, 1] and holds the observed proportion', () => {
    fc.assert(
      fc.property(arm, level, ([x, n], l) => {
        const w = wilsonInterval(x, n, l);
        expect(w.lower).toBeGreaterThanOrEqual(0);
        expect(w.upper).toBeLessThanOrEqual(1);
        expect(w.lower).toBeLessThanOrEqual(x / n + EPS);
        expect(w.upper).toBeGreaterThanOrEqual(x / n - EPS);
      }),
    );
  });

  it('Newcombe holds the estimate, stays in [-1, 1], and mirrors when the arms swap', () => {
    fc.assert(
      fc.property(arm, arm, level, ([x1, n1], [x0, n0], l) => {
        const r = differenceOfProportions(x1, n1, x0, n0, l);
        const s = differenceOfProportions(x0, n0, x1, n1, l);
        expect(r.lower).toBeLessThanOrEqual(r.estimate + EPS);
        expect(r.upper).toBeGreaterThanOrEqual(r.estimate - EPS);
        expect(r.lower).toBeGreaterThanOrEqual(-1 - EPS);
        expect(r.upper).toBeLessThanOrEqual(1 + EPS);
        expect(s.estimate).toBeCloseTo(-r.estimate, 12);
        expect(s.lower).toBeCloseTo(-r.upper, 12);
        expect(s.upper).toBeCloseTo(-r.lower, 12);
        expect(s.pValue).toBeCloseTo(r.pValue, 12);
        expect(r.pValue).toBeGreaterThanOrEqual(0);
        expect(r.pValue).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('Katz holds the estimate, mirrors on the ratio scale, and agrees with its p-value', () => {
    fc.assert(
      fc.property(arm, arm, level, ([x1, n1], [x0, n0], l) => {
        fc.pre(x1 > 0 && x0 > 0);
        const r = relativeDifferenceOfProportions(x1, n1, x0, n0, l);
        const s = relativeDifferenceOfProportions(x0, n0, x1, n1, l);
        if (!r || !s) throw new Error('expected estimates');
        expect(r.lower).toBeLessThanOrEqual(r.estimate + EPS);
        expect(r.upper).toBeGreaterThanOrEqual(r.estimate - EPS);
        expect(r.lower).toBeGreaterThanOrEqual(-1);
        // Swapping arms inverts the ratio: log(1 + lower') = -log(1 + upper).
        expect(Math.log1p(s.lower)).toBeCloseTo(-Math.log1p(r.upper), 9);
        expect(s.pValue).toBeCloseTo(r.pValue, 12);
        if (r.lower > 1e-9 || r.upper < -1e-9) expect(r.pValue).toBeLessThan(1 - l + 1e-9);
        if (r.lower < -1e-9 && r.upper > 1e-9) expect(r.pValue).toBeGreaterThan(1 - l - 1e-9);
      }),
    );
  });

  it('Welch holds the estimate, mirrors when the arms swap, and agrees with its p-value', () => {
    fc.assert(
      fc.property(moments, moments, level, (a, b, l) => {
        const r = differenceOfMeans(a, b, l);
        const s = differenceOfMeans(b, a, l);
        if (!r || !s) throw new Error('expected estimates');
        expect(r.lower).toBeLessThanOrEqual(r.estimate);
        expect(r.upper).toBeGreaterThanOrEqual(r.estimate);
        expect(s.lower).toBeCloseTo(-r.upper, 6);
        expect(s.upper).toBeCloseTo(-r.lower, 6);
        expect(s.pValue).toBeCloseTo(r.pValue, 12);
        // Interval and test use the same t distribution: the interval excludes 0 exactly when p < alpha.
        const width = r.upper - r.lower;
        if (r.lower > width * 1e-9 || r.upper < -width * 1e-9) expect(r.pValue).toBeLessThan(1 - l + 1e-9);
        if (r.lower < -width * 1e-9 && r.upper > width * 1e-9) expect(r.pValue).toBeGreaterThan(1 - l - 1e-9);
      }),
    );
  });

  it('the log-ratio of means holds the estimate and mirrors on the ratio scale', () => {
    fc.assert(
      fc.property(spreadMoments, spreadMoments, level, (a, b, l) => {
        const r = relativeDifferenceOfMeans(a, b, l);
        const s = relativeDifferenceOfMeans(b, a, l);
        if (!r || !s) throw new Error('expected estimates');
        expect(r.lower).toBeLessThanOrEqual(r.estimate + EPS * Math.max(1, Math.abs(r.estimate)));
        expect(r.upper).toBeGreaterThanOrEqual(r.estimate - EPS * Math.max(1, Math.abs(r.estimate)));
        // A bound near -1 (a ratio near 0) keeps only ~16 - |log| digits, so compare relatively.
        expectRelativelyClose(Math.log1p(s.lower), -Math.log1p(r.upper));
        expectRelativelyClose(Math.log1p(s.upper), -Math.log1p(r.lower));
      }),
    );
  });

  it('a higher confidence level gives a wider interval around the same estimate', () => {
    fc.assert(
      fc.property(arm, arm, moments, moments, ([x1, n1], [x0, n0], a, b) => {
        const narrow = differenceOfProportions(x1, n1, x0, n0, 0.9);
        const wide = differenceOfProportions(x1, n1, x0, n0, 0.99);
        expect(wide.lower).toBeLessThanOrEqual(narrow.lower + EPS);
        expect(wide.upper).toBeGreaterThanOrEqual(narrow.upper - EPS);
        const narrowMeans = differenceOfMeans(a, b, 0.9);
        const wideMeans = differenceOfMeans(a, b, 0.99);
        if (!narrowMeans || !wideMeans) throw new Error('expected estimates');
        expect(wideMeans.lower).toBeLessThanOrEqual(narrowMeans.lower);
        expect(wideMeans.upper).toBeGreaterThanOrEqual(narrowMeans.upper);
      }),
    );
  });
});
