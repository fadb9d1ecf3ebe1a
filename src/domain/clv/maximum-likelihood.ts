import numeric from 'numeric';

/** What a maximum-likelihood search found, on the natural (positive) parameter scale. */
export interface MaximumLikelihoodResult {
  params: number[];
  logLikelihood: number;
  converged: boolean;
  iterations: number;
  standardErrors?: number[];
  /** BFGS's estimate of the inverse Hessian of the mean -LL in log-parameters at the optimum. */
  inverseHessian: number[][];
}

/** A log-likelihood at one point and its gradient with respect to the (natural) parameters. */
export interface LogLikelihoodAndGradient {
  value: number;
  gradient: number[];
}

/** Evaluates a log-likelihood and its analytic gradient together (they share most of the work). */
export type LogLikelihoodObjective = (params: readonly number[]) => LogLikelihoodAndGradient;

export interface MaximumLikelihoodOptions {
  /** Largest number of optimiser iterations per pass (default 1000). */
  maxIterations?: number;
  /** Whether to estimate standard errors from the Hessian (default true). */
  standardErrors?: boolean;
  /**
   * How many customers the log-likelihood sums over (default 1). The search minimises the mean
   * negative log-likelihood, so its tolerances mean the same for 2,000 customers as for a million.
   */
  weight?: number;
  /**
   * Inverse Hessian of the mean -LL in log-parameters to start BFGS with, e.g. from a fit to a
   * subsample, so a search that starts near the optimum does not have to relearn the curvature.
   */
  inverseHessian?: number[][];
}

const STEP_TOLERANCE = 1e-10;
/** Largest gradient entry of the mean -LL in log-parameters still taken as a stationary point. */
const GRADIENT_TOLERANCE = 1e-7;
/** Step in log-parameters of the forward differences of the analytic gradient (the Hessian). */
const HESSIAN_STEP = 1e-5;
/** A fresh BFGS pass from the previous optimum discards a stale inverse-Hessian estimate. */
const PASSES = 3;
/** Mean-gradient size below which BFGS hands over to the Newton polish. */
const POLISH_BELOW = 1e-4;
/** Newton steps at most, and the largest step in a log-parameter the polish will take. */
const POLISH_STEPS = 4;
const POLISH_MAX_STEP = 0.5;

/**
 * Maximises a log-likelihood over strictly positive parameters with numeric's BFGS (`uncmin`),
 * given its analytic gradient. The search runs over log-parameters so every trial point is positive
 * without constraints. A likelihood that is not finite at a trial point counts as +Infinity cost,
 * so the line search backs off.
 */
export function maximiseLogLikelihood(
  objective: LogLikelihoodObjective,
  start: readonly number[],
  options: MaximumLikelihoodOptions = {},
): MaximumLikelihoodResult {
  const maxIterations = options.maxIterations ?? 1000;
  const weight = options.weight ?? 1;
  if (!(weight > 0)) throw new RangeError(`weight must be > 0, got ${weight}`);
  // numeric's BFGS asks for the cost and then the gradient at the same accepted point; both come
  // from one evaluation, kept for that second call.
  let cachedAt: readonly number[] | undefined;
  let cached = { cost: 0, gradient: [] as number[] };
  const evaluate = (theta: readonly number[]) => {
    if (cachedAt !== undefined && sameValues(cachedAt, theta)) return cached;
    const params = theta.map(Math.exp);
    const { value, gradient } = objective(params);
    const finite = Number.isFinite(value);
    cached = {
      cost: finite ? -value / weight : Number.POSITIVE_INFINITY,
      // Chain rule for p = exp(θ): d/dθ = p · d/dp.
      gradient: gradient.map((g, i) => (finite ? (-g * (params[i] as number)) / weight : Number.NaN)),
    };
    cachedAt = theta.slice();
    return cached;
  };
  const cost = (theta: readonly number[]) => evaluate(theta).cost;
  const gradient = (theta: readonly number[]) => evaluate(theta).gradient.slice();

  let theta = start.map(Math.log);
  if (!Number.isFinite(cost(theta))) throw new RangeError('log-likelihood is not finite at the start point');
  let iterations = 0;
  let reachedLimit = false;
  let inverseHessian = options.inverseHessian;
  // Newton polish: steps -H⁻¹g with the Hessian from differences of the analytic gradient. They use
  // gradients only, which stay accurate where differences of the cost (a sum over up to a million
  // customers) no longer resolve the expected decrease, as BFGS's line search needs them to.
  let hessian: { at: number[]; matrix: number[][] } | undefined;
  const polish = () => {
    const matrix = hessianFromGradient(gradient, theta);
    hessian = { at: theta.slice(), matrix };
    const inverse = invertPositiveDefinite(matrix);
    if (inverse === undefined) return;
    inverseHessian = inverse;
    for (let step = 0; step < POLISH_STEPS && !isStationary(gradient(theta)); step++) {
      const g = gradient(theta);
      const next = theta.map((t, i) => t - dot(inverse[i] as number[], g));
      if (largestOf(next.map((t, i) => t - (theta[i] as number))) > POLISH_MAX_STEP) return;
      if (!Number.isFinite(cost(next)) || !(largestOf(gradient(next)) < largestOf(g))) return;
      theta = next;
      iterations += 1;
    }
  };
  // Started near the optimum (with a curvature estimate from a preliminary fit): Newton first.
  if (inverseHessian !== undefined) polish();
  if (!isStationary(gradient(theta))) {
    for (let pass = 0; pass < PASSES; pass++) {
      let hinv = pass === 0 ? inverseHessian : undefined;
      if (hinv === undefined) {
        // Scale the first BFGS step to the gradient so it does not leap to overflowing parameters.
        const scale = 1 / Math.max(1, largestOf(gradient(theta)));
        hinv = numeric.mul(numeric.identity(theta.length), scale) as number[][];
      }
      const result = numeric.uncmin(cost, theta, STEP_TOLERANCE, gradient, maxIterations, undefined, {
        Hinv: hinv,
      });
      iterations += result.iterations;
      reachedLimit = result.message.startsWith('maxit') || result.iterations >= maxIterations;
      const moved = largestOf(result.solution.map((v, i) => v - (theta[i] as number)));
      theta = result.solution;
      inverseHessian = result.invHessian;
      if (moved < 1e-8 || largestOf(gradient(theta)) < POLISH_BELOW) break;
    }
    polish();
  }
  const wantErrors = options.standardErrors ?? true;
  // Standard errors need the Hessian at the optimum, not where a long polish step started.
  if (
    wantErrors &&
    (hessian === undefined || largestOf(hessian.at.map((t, i) => t - (theta[i] as number))) > 1e-4)
  ) {
    hessian = { at: theta.slice(), matrix: hessianFromGradient(gradient, theta) };
  }
  const converged = !reachedLimit && Number.isFinite(cost(theta)) && isStationary(gradient(theta));
  const params = theta.map(Math.exp);
  const result: MaximumLikelihoodResult = {
    params,
    logLikelihood: -cost(theta) * weight,
    converged,
    iterations,
    inverseHessian: inverseHessian ?? numeric.identity(theta.length),
  };
  if (wantErrors && hessian !== undefined) {
    // The Hessian is of the mean -LL; the total's is `weight` times it.
    const covariance = invertPositiveDefinite(hessian.matrix.map((row) => row.map((h) => h * weight)));
    if (covariance !== undefined) {
      // Delta method: d(exp θ) = exp θ dθ, exact at a stationary point to first order.
      result.standardErrors = params.map((p, i) => p * Math.sqrt((covariance[i] as number[])[i] as number));
    }
  }
  return result;
}

function isStationary(gradient: readonly number[]): boolean {
  return gradient.every((g) => Number.isFinite(g) && Math.abs(g) < GRADIENT_TOLERANCE);
}

/** Largest absolute entry, NaN-safe (NaN counts as infinite). */
function largestOf(values: readonly number[]): number {
  return values.reduce(
    (m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : Number.POSITIVE_INFINITY),
    0,
  );
}

function dot(a: readonly number[], b: readonly number[]): number {
  return a.reduce((sum, v, i) => sum + v * (b[i] as number), 0);
}

function sameValues(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Hessian as forward differences of an analytic gradient, symmetrised: one gradient per parameter
 * (n evaluations, not the 2n of central differences; the O(h) error is far below what standard
 * errors need).
 */
export function hessianFromGradient(
  gradient: (t: readonly number[]) => number[],
  theta: readonly number[],
): number[][] {
  const n = theta.length;
  const h = HESSIAN_STEP;
  const here = gradient(theta);
  const columns = theta.map((_, j) => {
    const up = gradient(shift(theta, j, h));
    return up.map((g, i) => (g - (here[i] as number)) / h);
  });
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (at(columns, j, i) + at(columns, i, j)) / 2),
  );
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
