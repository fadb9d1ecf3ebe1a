import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bgnbdLogLikelihoodOne, bgnbdLogLikelihoodWithGradient } from './bgnbd.ts';
import { countDataOf } from './frequency-groups.ts';
import {
  gammaGammaLogLikelihoodOne,
  gammaGammaLogLikelihoodWithGradient,
  type SpendGroup,
  spendDataOf,
} from './gamma-gamma.ts';
import type { LogLikelihoodAndGradient } from './maximum-likelihood.ts';
import { paretoNbdLogLikelihoodOne, paretoNbdObjective } from './pareto-nbd.ts';
import type { FrequencyGroup } from './types.ts';

// The fits rely on analytic gradients of the log-likelihoods; each is checked here against a
// central finite difference of the likelihood itself, over random parameters and random weighted
// summaries (large frequencies and long histories included).

/**
 * Five-point central difference in each parameter with step h·p: its truncation error is O(h^4),
 * so a step large enough to keep rounding small is still accurate.
 */
function finiteDifference(f: (p: number[]) => number, params: readonly number[], step: number): number[] {
  return params.map((p, i) => {
    const h = step * p;
    const at = (k: number) => {
      const moved = params.slice();
      moved[i] = p + k * h;
      return f(moved);
    };
    return (-at(2) + 8 * at(1) - 8 * at(-1) + at(-2)) / (12 * h);
  });
}

/**
 * The analytic gradient agrees with the finite difference to 1e-6 relative, or, where the
 * likelihood's terms are so large that rounding limits the difference itself (x near 1,000 with
 * large parameters), to within a few times the difference's own error, estimated by halving the step.
 */
function expectGradientsAgree(
  objective: (p: number[]) => LogLikelihoodAndGradient,
  params: readonly number[],
): void {
  const { gradient } = objective(params.slice());
  const value = (p: number[]) => objective(p).value;
  const coarse = finiteDifference(value, params, 2e-3);
  const fine = finiteDifference(value, params, 1e-3);
  gradient.forEach((g, i) => {
    const estimate = fine[i] as number;
    const ownError = Math.abs(estimate - (coarse[i] as number));
    expect(Math.abs(g - estimate)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(g)) + 4 * ownError);
  });
}

const positive = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

const group = fc
  .record({
    x: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 1000 })),
    T: positive(0.01, 500),
    f: fc.double({ min: 0, max: 1, noNaN: true }),
    count: fc.integer({ min: 1, max: 50 }),
  })
  .map(({ x, T, f, count }): FrequencyGroup => ({ x, T, tx: x === 0 ? 0 : f * T, count }));
const groups = fc.array(group, { minLength: 1, maxLength: 8 });

function weightedSum<G extends { count: number }>(items: readonly G[], one: (g: G) => number): number {
  return items.reduce((sum, g) => sum + g.count * one(g), 0);
}

describe('BG/NBD log-likelihood gradient', () => {
  const params = fc.tuple(positive(0.05, 5), positive(0.1, 50), positive(0.05, 5), positive(0.05, 10));
  const objective = (gs: readonly FrequencyGroup[]) => {
    const data = countDataOf(gs);
    return ([r, alpha, a, b]: number[]) =>
      bgnbdLogLikelihoodWithGradient(
        { r, alpha, a, b } as { r: number; alpha: number; a: number; b: number },
        data,
      );
  };

  it('sums the per-customer log-likelihood over the weighted groups', () => {
    fc.assert(
      fc.property(params, groups, ([r, alpha, a, b], gs) => {
        const p = { r, alpha, a, b };
        const expected = weightedSum(gs, (g) => bgnbdLogLikelihoodOne(p, g));
        expect(objective(gs)([r, alpha, a, b]).value).toBeCloseTo(expected, 6);
      }),
    );
  });

  it('matches a finite-difference gradient', () => {
    fc.assert(
      fc.property(params, groups, (p, gs) => expectGradientsAgree(objective(gs), p)),
      { numRuns: 1000 },
    );
  });
});

describe('Pareto/NBD log-likelihood gradient', () => {
  const params = fc.tuple(positive(0.05, 5), positive(0.1, 50), positive(0.05, 5), positive(0.1, 50));
  const objective = (gs: readonly FrequencyGroup[]) => {
    const evaluate = paretoNbdObjective(countDataOf(gs));
    return ([r, alpha, s, beta]: number[]) =>
      evaluate({ r, alpha, s, beta } as { r: number; alpha: number; s: number; beta: number });
  };

  it('sums the per-customer log-likelihood over the weighted groups', () => {
    fc.assert(
      fc.property(params, groups, ([r, alpha, s, beta], gs) => {
        const p = { r, alpha, s, beta } as { r: number; alpha: number; s: number; beta: number };
        const expected = weightedSum(gs, (g) => paretoNbdLogLikelihoodOne(p, g));
        expect(objective(gs)([r, alpha, s, beta]).value).toBeCloseTo(expected, 6);
      }),
    );
  });

  it('matches a finite-difference gradient', () => {
    fc.assert(
      fc.property(params, groups, (p, gs) => expectGradientsAgree(objective(gs), p)),
      { numRuns: 1000 },
    );
  });

  it('matches a finite-difference gradient at alpha = beta, where the 2F1 changes branch', () => {
    fc.assert(
      fc.property(positive(0.05, 5), positive(0.1, 50), positive(0.05, 5), groups, (r, ab, s, gs) =>
        expectGradientsAgree(objective(gs), [r, ab, s, ab]),
      ),
    );
  });
});

describe('Gamma-Gamma log-likelihood gradient', () => {
  const params = fc.tuple(positive(0.1, 20), positive(0.1, 20), positive(0.1, 100));
  const spendGroups = fc.array(
    fc.record({
      x: fc.oneof(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 1000 })),
      zbar: positive(0.01, 10_000),
      count: fc.integer({ min: 1, max: 50 }),
    }),
    { minLength: 1, maxLength: 8 },
  );
  const objective = (gs: readonly SpendGroup[]) => {
    const data = spendDataOf(gs);
    return ([p, q, gamma]: number[]) =>
      gammaGammaLogLikelihoodWithGradient({ p, q, gamma } as { p: number; q: number; gamma: number }, data);
  };

  it('sums the per-customer log-likelihood over the weighted groups', () => {
    fc.assert(
      fc.property(params, spendGroups, ([p, q, gamma], gs) => {
        const params = { p, q, gamma } as { p: number; q: number; gamma: number };
        const expected = weightedSum(gs, (g) => gammaGammaLogLikelihoodOne(params, g));
        expect(objective(gs)([p, q, gamma]).value).toBeCloseTo(expected, 5);
      }),
    );
  });

  it('matches a finite-difference gradient', () => {
    fc.assert(
      fc.property(params, spendGroups, (p, gs) => expectGradientsAgree(objective(gs), p)),
      { numRuns: 1000 },
    );
  });
});
