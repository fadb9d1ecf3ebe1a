import numeric from 'numeric';

/** What a maximum-likelihood search found, on the natural (positive) parameter scale. */
export interface MaximumLikelihoodResult {
  params: number[];
  logLikelihood: number;
  converged: boolean;
  iterations: number;
  standardErrors?: number[];
}

export interface MaximumLikelihoodOptions {
  /** Largest number of optimiser iterations per pass (default 1000). */
  maxIterations?: number;
  /** Whether to estimate standard errors from the numerical Hessian (default true). */
  standardErrors?: boolean;
}

const STEP_TOLERANCE = 1e-10;
/** Largest gradient entry (of -LL in log-parameters) still taken as a stationary point. */
const GRADIENT_TOLERANCE = 1e-3;
const GRADIENT_STEP = 1e-5;
const HESSIAN_STEP = 1e-4;
/** A fresh BFGS pass from the previous optimum discards a stale inverse-Hessian estimate. */
const PASSES = 3;

/**
 * Maximises a log-likelihood over strictly positive parameters with numeric's BFGS (`uncmin`).
 * The search runs over log-parameters so every trial point is positive without constraints.
 * A likelihood that is not finite at a trial point counts as +Infinity cost, so the line search backs off.
 */
export function maximiseLogLikelihood(
  logLikelihood: (params: readonly number[]) => number,
  start: readonly number[],
  options: MaximumLikelihoodOptions = {},
): MaximumLikelihoodResult {
  const maxIterations = options.maxIterations ?? 1000;
  const cost = (theta: readonly number[]): number => {
    const value = -logLikelihood(theta.map(Math.exp));
    return Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
  };
  let theta = start.map(Math.log);
  if (!Number.isFinite(cost(theta))) throw new RangeError('log-likelihood is not finite at the start point');
  let iterations = 0;
  let reachedLimit = false;
  for (let pass = 0; pass < PASSES; pass++) {
    const g0 = gradient(cost, theta);
    // Scale the first BFGS step to the gradient so it does not leap to overflowing parameters.
    const scale = 1 / Math.max(1, Math.max(...g0.map(Math.abs)));
    const hinv = numeric.mul(numeric.identity(theta.length), scale) as number[][];
    const result = numeric.uncmin(
      (t: number[]) => cost(t),
      theta,
      STEP_TOLERANCE,
      (t: number[]) => gradient(cost, t),
      maxIterations,
      undefined,
      { Hinv: hinv },
    );
    iterations += result.iterations;
    reachedLimit = result.message.startsWith('maxit') || result.iterations >= maxIterations;
    const moved = Math.max(...result.solution.map((v, i) => Math.abs(v - (theta[i] as number))));
    theta = result.solution;
    if (moved < 1e-8) break;
  }
  const finalGradient = gradient(cost, theta);
  const converged =
    !reachedLimit &&
    Number.isFinite(cost(theta)) &&
    finalGradient.every((g) => Number.isFinite(g) && Math.abs(g) < GRADIENT_TOLERANCE);
  const params = theta.map(Math.exp);
  const result: MaximumLikelihoodResult = {
    params,
    logLikelihood: -cost(theta),
    converged,
    iterations,
  };
  if (options.standardErrors ?? true) {
    const covariance = invertPositiveDefinite(hessian(cost, theta));
    if (covariance !== undefined) {
      // Delta method: d(exp θ) = exp θ dθ, exact at a stationary point to first order.
      result.standardErrors = params.map((p, i) => p * Math.sqrt((covariance[i] as number[])[i] as number));
    }
  }
  return result;
}

/** Central-difference gradient, falling back to a one-sided difference beside an infinite cost. */
function gradient(f: (t: readonly number[]) => number, theta: readonly number[]): number[] {
  const f0 = f(theta);
  return theta.map((_, i) => {
    const up = f(shift(theta, i, GRADIENT_STEP));
    const down = f(shift(theta, i, -GRADIENT_STEP));
    if (Number.isFinite(up) && Number.isFinite(down)) return (up - down) / (2 * GRADIENT_STEP);
    if (Number.isFinite(up)) return (up - f0) / GRADIENT_STEP;
    if (Number.isFinite(down)) return (f0 - down) / GRADIENT_STEP;
    return Number.NaN;
  });
}

/** Finite-difference Hessian of f at theta. */
export function hessian(f: (t: readonly number[]) => number, theta: readonly number[]): number[][] {
  const n = theta.length;
  const h = HESSIAN_STEP;
  const f0 = f(theta);
  const H: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    const row = H[i] as number[];
    row[i] = (f(shift(theta, i, h)) - 2 * f0 + f(shift(theta, i, -h))) / (h * h);
    for (let j = 0; j < i; j++) {
      const pp = f(shift(shift(theta, i, h), j, h));
      const pm = f(shift(shift(theta, i, h), j, -h));
      const mp = f(shift(shift(theta, i, -h), j, h));
      const mm = f(shift(shift(theta, i, -h), j, -h));
      const value = (pp - pm - mp + mm) / (4 * h * h);
      row[j] = value;
      (H[j] as number[])[i] = value;
    }
  }
  return H;
}

/** Inverse of a symmetric matrix via Cholesky, or undefined when it is not positive definite. */
export function invertPositiveDefinite(matrix: readonly (readonly number[])[]): number[][] | undefined {
  const n = matrix.length;
  const L: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = (matrix[i] as readonly number[])[j] as number;
      for (let k = 0; k < j; k++) sum -= at(L, i, k) * at(L, j, k);
      if (i === j) {
        if (!(sum > 0) || !Number.isFinite(sum)) return undefined;
        (L[i] as number[])[i] = Math.sqrt(sum);
      } else {
        (L[i] as number[])[j] = sum / at(L, j, j);
      }
    }
  }
  // Solve L Lᵀ X = I column by column.
  const inverse: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let col = 0; col < n; col++) {
    const y = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      let sum = i === col ? 1 : 0;
      for (let k = 0; k < i; k++) sum -= at(L, i, k) * (y[k] as number);
      y[i] = sum / at(L, i, i);
    }
    for (let i = n - 1; i >= 0; i--) {
      let sum = y[i] as number;
      for (let k = i + 1; k < n; k++) sum -= at(L, k, i) * at(inverse, k, col);
      (inverse[i] as number[])[col] = sum / at(L, i, i);
    }
  }
  return inverse;
}

function at(m: readonly (readonly number[])[], i: number, j: number): number {
  return (m[i] as readonly number[])[j] as number;
}

function shift(theta: readonly number[], i: number, h: number): number[] {
  const copy = theta.slice();
  copy[i] = (copy[i] as number) + h;
  return copy;
}
