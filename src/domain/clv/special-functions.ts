import digammaFunction from '@stdlib/math-base-special-digamma';
import gammaln from '@stdlib/math-base-special-gammaln';

/** Natural log of the gamma function (stdlib's implementation, accurate for large arguments). */
export const logGamma: (x: number) => number = gammaln;

/** The digamma function ψ(x) = d/dx ln Γ(x) (stdlib's implementation), for the likelihood gradients. */
export const digamma: (x: number) => number = digammaFunction;

/** Natural log of the beta function B(a, b). */
export function logBeta(a: number, b: number): number {
  return gammaln(a) + gammaln(b) - gammaln(a + b);
}

/** log(exp(a) + exp(b)) without overflow; either term may be -Infinity. */
export function logSumExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  const hi = Math.max(a, b);
  return hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
}

/** log(exp(a) - exp(b)) for a >= b; -Infinity when they are equal. */
export function logDiffExp(a: number, b: number): number {
  if (b === Number.NEGATIVE_INFINITY) return a;
  if (b >= a) return Number.NEGATIVE_INFINITY;
  return a + Math.log1p(-Math.exp(b - a));
}

/** The logistic function 1 / (1 + exp(-v)), computed without overflow for large |v|. */
export function logistic(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

const SERIES_TOLERANCE = 1e-16;
const MAX_SERIES_TERMS = 1_000_000;

/**
 * log 2F1(a, b; a + 1; z) for 0 <= z < 1, a > 0, b > 0 and a + 1 - b > 0: the form the Pareto/NBD
 * likelihood needs. Euler's transformation 2F1(a,b;c;z) = (1-z)^(c-a-b) 2F1(c-a, c-b; c; z) turns it
 * into (1-z)^(1-b) 2F1(1, c-b; c; z), whose terms are all positive and shrink by at least z each step.
 * The direct series would instead climb to about (1-z)^(-b) first, overflowing for b (= r + x) in the
 * hundreds, so this keeps large frequencies finite.
 */
export function logHyp2f1AOne(a: number, b: number, z: number): number {
  if (!(z >= 0 && z < 1)) throw new RangeError(`logHyp2f1AOne needs 0 <= z < 1, got ${z}`);
  const c = a + 1;
  const cb = c - b;
  if (!(a > 0 && b > 0 && cb > 0)) {
    throw new RangeError(`logHyp2f1AOne needs a > 0, b > 0, a + 1 - b > 0 (a=${a}, b=${b})`);
  }
  let term = 1;
  let sum = 1;
  for (let n = 0; n < MAX_SERIES_TERMS; n++) {
    const ratio = ((cb + n) / (c + n)) * z;
    term *= ratio;
    sum += term;
    // Ratios fall towards z, so the tail is bounded by a geometric series.
    if (term <= SERIES_TOLERANCE * sum * (1 - ratio)) break;
  }
  return (1 - b) * Math.log1p(-z) + Math.log(sum);
}

/**
 * 2F1(a, b; c; z) by its power series, for 0 <= z < 1 and c > 0. Terms may change sign only while
 * (a)_n or (b)_n does, so plain summation is adequate for the moderate parameters met in predictions.
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (!(z >= 0 && z < 1)) throw new RangeError(`hyp2f1 needs 0 <= z < 1, got ${z}`);
  let term = 1;
  let sum = 1;
  for (let n = 0; n < MAX_SERIES_TERMS; n++) {
    const ratio = (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    term *= ratio;
    sum += term;
    // Stop only once terms are shrinking, so a small early term cannot end the sum too soon.
    if (term === 0 || (Math.abs(ratio) < 1 && Math.abs(term) <= SERIES_TOLERANCE * Math.abs(sum))) break;
  }
  return sum;
}
