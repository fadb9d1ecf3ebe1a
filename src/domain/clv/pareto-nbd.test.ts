import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CDNOW_CALIBRATION_END, parseCdnowSample } from './cdnow-fixture.ts';
import {
  fitParetoNbd,
  paretoNbdExpectedPurchases,
  paretoNbdLogLikelihoodOne,
  paretoNbdProbabilityAlive,
} from './pareto-nbd.ts';
import { logGamma } from './special-functions.ts';
import { summarizeTransactions } from './summaries.ts';
import type { ParetoNbdParams } from './types.ts';

const summaries = summarizeTransactions(
  parseCdnowSample(
    readFileSync(new URL('../../../test/fixtures/cdnow/CDNOW_sample.txt', import.meta.url), 'utf8'),
  ),
  { calibrationEnd: CDNOW_CALIBRATION_END, timeUnit: 'week' },
);

// Pareto/NBD on the same CDNOW sample as reported by Fader, Hardie & Lee (2005), Marketing Science
// 24(2), section 4, and in Fader & Hardie's note "A Note on Deriving the Pareto/NBD Model and
// Related Expressions" (2005): r = 0.553, alpha = 10.578, s = 0.606, beta = 11.669, LL = -9595.0.
const PUBLISHED: ParetoNbdParams = { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 };
const PUBLISHED_LL = -9595.0;

/** The likelihood by direct quadrature over the death time: an independent check of the 2F1 route. */
function quadratureLogLikelihood({ r, alpha, s, beta }: ParetoNbdParams, x: number, tx: number, T: number) {
  const shared = logGamma(r + x) - logGamma(r) + r * Math.log(alpha) + s * Math.log(beta);
  // Integrate in u = log(beta + tau) - the integrand is smooth there - with Simpson's rule.
  const lo = Math.log(beta + tx);
  const hi = Math.log(beta + T);
  const n = 20_000;
  const h = (hi - lo) / n;
  const f = (u: number) => {
    const tau = Math.exp(u) - beta;
    return Math.exp(-(r + x) * Math.log(alpha + tau) - s * u + (r + x) * Math.log(alpha + tx));
  };
  let sum = f(lo) + f(hi);
  for (let i = 1; i < n; i++) sum += (i % 2 === 1 ? 4 : 2) * f(lo + i * h);
  const died = Math.log(s) + Math.log((sum * h) / 3) - (r + x) * Math.log(alpha + tx);
  const alive = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
  const hiTerm = Math.max(alive, died);
  return shared + hiTerm + Math.log(Math.exp(alive - hiTerm) + Math.exp(died - hiTerm));
}

describe('Pareto/NBD on the CDNOW sample', () => {
  const fit = fitParetoNbd(summaries);

  it('reproduces the published estimates and log-likelihood', () => {
    expect(fit.converged).toBe(true);
    expect(fit.params.r).toBeCloseTo(PUBLISHED.r, 3);
    expect(fit.params.alpha).toBeCloseTo(PUBLISHED.alpha, 3);
    expect(fit.params.s).toBeCloseTo(PUBLISHED.s, 3);
    expect(fit.params.beta).toBeCloseTo(PUBLISHED.beta, 3);
    expect(fit.logLikelihood).toBeCloseTo(PUBLISHED_LL, 1);
    expect(fit.standardErrors).toBeDefined();
  });
});

describe('Pareto/NBD likelihood', () => {
  const cases: [string, ParetoNbdParams][] = [
    ['alpha < beta', PUBLISHED],
    ['alpha >= beta', { r: 0.553, alpha: 11.669, s: 0.606, beta: 2.5 }],
    ['alpha = beta', { r: 0.8, alpha: 5, s: 1.2, beta: 5 }],
  ];
  for (const [name, params] of cases) {
    it(`matches direct quadrature when ${name}`, () => {
      for (const [x, tx, T] of [
        [0, 0, 38.86],
        [2, 30.43, 38.86],
        [5, 1, 70],
        [40, 200, 260],
      ] as const) {
        expect(paretoNbdLogLikelihoodOne(params, { x, tx, T })).toBeCloseTo(
          quadratureLogLikelihood(params, x, tx, T),
          6,
        );
      }
    });
  }

  it('stays finite for x = 1000 and long histories on both sides of alpha = beta', () => {
    for (const params of [PUBLISHED, { r: 0.553, alpha: 50, s: 0.606, beta: 0.5 }]) {
      for (const h of [
        { x: 1000, tx: 9999, T: 10_000 },
        { x: 1000, tx: 10_000, T: 10_000 },
        { x: 1000, tx: 100, T: 10_000 },
        { x: 1000, tx: 0.5, T: 1 },
      ]) {
        const ll = paretoNbdLogLikelihoodOne(params, h);
        const alive = paretoNbdProbabilityAlive(params, h);
        const expected = paretoNbdExpectedPurchases(params, h, 52);
        expect(Number.isFinite(ll)).toBe(true);
        expect(alive).toBeGreaterThanOrEqual(0);
        expect(alive).toBeLessThanOrEqual(1);
        expect(Number.isFinite(expected)).toBe(true);
      }
    }
  });
});

describe('Pareto/NBD predictions', () => {
  const params = fc.record({
    r: fc.double({ min: 0.05, max: 5, noNaN: true }),
    alpha: fc.double({ min: 0.1, max: 50, noNaN: true }),
    s: fc.double({ min: 0.05, max: 5, noNaN: true }),
    beta: fc.double({ min: 0.1, max: 50, noNaN: true }),
  });
  const history = fc
    .record({
      x: fc.integer({ min: 0, max: 200 }),
      T: fc.double({ min: 0.01, max: 500, noNaN: true }),
      f: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map(({ x, T, f }) => ({ x, T, tx: x === 0 ? 0 : f * T }));

  it('keeps P(alive) within [0, 1]', () => {
    fc.assert(
      fc.property(params, history, (p, h) => {
        const alive = paretoNbdProbabilityAlive(p, h);
        expect(alive).toBeGreaterThanOrEqual(0);
        expect(alive).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('expects more purchases over a longer horizon', () => {
    fc.assert(
      fc.property(params, history, fc.double({ min: 0.1, max: 100, noNaN: true }), (p, h, t) => {
        const shorter = paretoNbdExpectedPurchases(p, h, t);
        const longer = paretoNbdExpectedPurchases(p, h, 2 * t);
        expect(Number.isFinite(longer)).toBe(true);
        expect(longer).toBeGreaterThanOrEqual(shorter * (1 - 1e-9));
      }),
    );
  });

  it('is continuous through s = 1', () => {
    const h = { x: 2, tx: 30, T: 39 };
    const at = paretoNbdExpectedPurchases({ ...PUBLISHED, s: 1 }, h, 39);
    const near = paretoNbdExpectedPurchases({ ...PUBLISHED, s: 1 + 1e-6 }, h, 39);
    expect(at).toBeCloseTo(near, 5);
  });
});
