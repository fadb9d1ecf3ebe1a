import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bgnbdExpectedPurchases, bgnbdLogLikelihoodOne, bgnbdProbabilityAlive, fitBgNbd } from './bgnbd.ts';
import { CDNOW_CALIBRATION_END, parseCdnowSample } from './cdnow-fixture.ts';
import { hyp2f1 } from './special-functions.ts';
import { summarizeTransactions } from './summaries.ts';
import type { BgNbdParams } from './types.ts';

const summaries = summarizeTransactions(
  parseCdnowSample(
    readFileSync(new URL('../../../test/fixtures/cdnow/CDNOW_sample.txt', import.meta.url), 'utf8'),
  ),
  { calibrationEnd: CDNOW_CALIBRATION_END, timeUnit: 'week' },
);

// Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An Alternative to the
// Pareto/NBD Model", Marketing Science 24(2), section 4: CDNOW 1/10 sample, 39-week calibration.
const PUBLISHED: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const PUBLISHED_LL = -9582.4;

const history = fc
  .record({
    x: fc.integer({ min: 0, max: 200 }),
    T: fc.double({ min: 0.01, max: 500, noNaN: true }),
    f: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ x, T, f }) => ({ x, T, tx: x === 0 ? 0 : f * T }));
const params = fc.record({
  r: fc.double({ min: 0.05, max: 5, noNaN: true }),
  alpha: fc.double({ min: 0.1, max: 50, noNaN: true }),
  a: fc.double({ min: 0.05, max: 5, noNaN: true }),
  b: fc.double({ min: 0.05, max: 10, noNaN: true }),
});

describe('BG/NBD on the CDNOW sample', () => {
  const fit = fitBgNbd(summaries);

  it('reproduces the published estimates and log-likelihood (FHL 2005)', () => {
    expect(fit.converged).toBe(true);
    expect(fit.n).toBe(2357);
    expect(fit.params.r).toBeCloseTo(PUBLISHED.r, 3);
    expect(fit.params.alpha).toBeCloseTo(PUBLISHED.alpha, 3);
    expect(fit.params.a).toBeCloseTo(PUBLISHED.a, 3);
    expect(fit.params.b).toBeCloseTo(PUBLISHED.b, 3);
    expect(fit.logLikelihood).toBeCloseTo(PUBLISHED_LL, 1);
  });

  it('reports positive standard errors from the Hessian', () => {
    const se = fit.standardErrors;
    expect(se).toBeDefined();
    for (const v of Object.values(se ?? {})) expect(v).toBeGreaterThan(0);
  });

  // The model under-forecasts the x = 0 customers' holdout purchases (FHL 2005, fig. 4), so the
  // cohort total falls a little short of the 1,882 observed.
  it('predicts the cohort holdout purchases within 15% of the 1,882 observed', () => {
    const total = summaries.reduce((sum, s) => sum + bgnbdExpectedPurchases(fit.params, s, 39), 0);
    expect(total / 1882).toBeGreaterThan(0.85);
    expect(total / 1882).toBeLessThan(1.15);
  });
});

describe('BG/NBD predictions', () => {
  it('gives P(alive) = 1 for a customer with no repeat purchase', () => {
    fc.assert(
      fc.property(params, fc.double({ min: 0, max: 1000, noNaN: true }), (p, T) => {
        expect(bgnbdProbabilityAlive(p, { x: 0, tx: 0, T })).toBe(1);
      }),
    );
  });

  it('keeps P(alive) within [0, 1]', () => {
    fc.assert(
      fc.property(params, history, (p, h) => {
        const alive = bgnbdProbabilityAlive(p, h);
        expect(alive).toBeGreaterThanOrEqual(0);
        expect(alive).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('expects more purchases over a longer horizon', () => {
    fc.assert(
      fc.property(params, history, fc.double({ min: 0.1, max: 100, noNaN: true }), (p, h, t) => {
        const shorter = bgnbdExpectedPurchases(p, h, t);
        const longer = bgnbdExpectedPurchases(p, h, 2 * t);
        expect(Number.isFinite(longer)).toBe(true);
        expect(longer).toBeGreaterThanOrEqual(shorter * (1 - 1e-9));
      }),
    );
  });

  it('agrees with the untransformed formula of FHL (2005) eq. 10 where that one is safe', () => {
    const p = PUBLISHED;
    for (const h of [
      { x: 0, tx: 0, T: 38.86 },
      { x: 2, tx: 30.43, T: 38.86 },
      { x: 7, tx: 35, T: 38 },
    ]) {
      const t = 39;
      const c = p.a + p.b + h.x - 1;
      const q = (p.alpha + h.T) / (p.alpha + h.T + t);
      const numerator =
        (c / (p.a - 1)) * (1 - q ** (p.r + h.x) * hyp2f1(p.r + h.x, p.b + h.x, c, t / (p.alpha + h.T + t)));
      const denominator =
        1 + (h.x > 0 ? (p.a / (p.b + h.x - 1)) * ((p.alpha + h.T) / (p.alpha + h.tx)) ** (p.r + h.x) : 0);
      expect(bgnbdExpectedPurchases(p, h, t)).toBeCloseTo(numerator / denominator, 8);
    }
  });

  it('stays finite for a very frequent buyer with a long history (x = 1000)', () => {
    for (const h of [
      { x: 1000, tx: 9999, T: 10_000 },
      { x: 1000, tx: 10_000, T: 10_000 },
      { x: 1000, tx: 50, T: 10_000 },
    ]) {
      const ll = bgnbdLogLikelihoodOne(PUBLISHED, h);
      const alive = bgnbdProbabilityAlive(PUBLISHED, h);
      const expected = bgnbdExpectedPurchases(PUBLISHED, h, 52);
      expect(Number.isFinite(ll)).toBe(true);
      expect(alive).toBeGreaterThanOrEqual(0);
      expect(alive).toBeLessThanOrEqual(1);
      expect(Number.isFinite(expected)).toBe(true);
      expect(expected).toBeGreaterThanOrEqual(0);
    }
  });

  it('expects nothing over a zero horizon and rejects a negative one', () => {
    expect(bgnbdExpectedPurchases(PUBLISHED, { x: 3, tx: 10, T: 20 }, 0)).toBe(0);
    expect(() => bgnbdExpectedPurchases(PUBLISHED, { x: 3, tx: 10, T: 20 }, -1)).toThrow(RangeError);
  });

  it('handles a = 1, where eq. 10 is 0/0, continuously', () => {
    const h = { x: 3, tx: 10, T: 20 };
    const at = bgnbdExpectedPurchases({ ...PUBLISHED, a: 1 }, h, 10);
    const near = bgnbdExpectedPurchases({ ...PUBLISHED, a: 1.001 }, h, 10);
    expect(at).toBeCloseTo(near, 2);
  });
});
