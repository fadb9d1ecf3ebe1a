import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

// The interval estimates and tests of the lift report (docs/measurement.md, ADR 0017). Each function
// takes counts or moments, never member rows, so a report over a million members costs the same as
// one over a thousand once the database has summed them. Distributions come from stdlib.

/** A point estimate with its two-sided confidence interval and the p-value of "no difference". */
export interface IntervalEstimate {
  estimate: number;
  lower: number;
  upper: number;
  pValue: number;
}

/** Mean and sample variance (n - 1 denominator) of one arm. */
export interface Moments {
  n: number;
  mean: number;
  variance: number;
}

/** The standard-normal quantile for a two-sided interval at `level` (1.959964... at 0.95). */
export function zCritical(level: number): number {
  checkLevel(level);
  return normalQuantile(1 - (1 - level) / 2, 0, 1);
}

/** Two-sided p-value of a standard-normal statistic. Φ(-|z|) keeps precision far in the tail. */
export function twoSidedNormalP(z: number): number {
  return Math.min(1, 2 * normalCdf(-Math.abs(z), 0, 1));
}

/**
 * Wilson score interval for a proportion x / n (Wilson 1927): the set of p whose score test does not
 * reject. Stays inside [0, 1], and is exact at the ends (lower 0 when x = 0, upper 1 when x = n).
 */
export function wilsonInterval(x: number, n: number, level = 0.95): { lower: number; upper: number } {
  checkCount(x, n);
  const z = zCritical(level);
  const p = x / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return {
    lower: x === 0 ? 0 : Math.max(0, centre - half),
    upper: x === n ? 1 : Math.min(1, centre + half),
  };
}

/**
 * Difference of two independent proportions p1 - p0 = x1/n1 - x0/n0, with Newcombe's hybrid score
 * interval (Newcombe 1998, method 10) built from each arm's Wilson interval (l, u):
 *   lower = d - sqrt((p1 - l1)^2 + (u0 - p0)^2),   upper = d + sqrt((u1 - p1)^2 + (p0 - l0)^2).
 * The p-value is the pooled two-proportion z (score) test, the same as Pearson's chi-square without
 * continuity correction; when both arms are all 0 or all 1 there is no evidence of a difference (p = 1).
 */
export function differenceOfProportions(
  x1: number,
  n1: number,
  x0: number,
  n0: number,
  level = 0.95,
): IntervalEstimate {
  checkCount(x1, n1);
  checkCount(x0, n0);
  const p1 = x1 / n1;
  const p0 = x0 / n0;
  const d = p1 - p0;
  const w1 = wilsonInterval(x1, n1, level);
  const w0 = wilsonInterval(x0, n0, level);
  const lower = d - Math.hypot(p1 - w1.lower, w0.upper - p0);
  const upper = d + Math.hypot(w1.upper - p1, p0 - w0.lower);
  const pooled = (x1 + x0) / (n1 + n0);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0));
  return { estimate: d, lower, upper, pValue: se > 0 ? twoSidedNormalP(d / se) : 1 };
}

/**
 * Relative difference of two proportions, p1 / p0 - 1, with the Katz log interval for the risk ratio
 * (Katz et al. 1978): log(RR) +- z * sqrt(1/x1 - 1/n1 + 1/x0 - 1/n0), and the Wald p-value on the same
 * log scale, so interval and p-value agree. Undefined (undefined returned) when either arm has no events.
 */
export function relativeDifferenceOfProportions(
  x1: number,
  n1: number,
  x0: number,
  n0: number,
  level = 0.95,
): IntervalEstimate | undefined {
  checkCount(x1, n1);
  checkCount(x0, n0);
  if (x1 === 0 || x0 === 0) return undefined;
  const logRatio = Math.log(x1 / n1) - Math.log(x0 / n0);
  // Written as (n - x) / (x n) rather than 1/x - 1/n: no cancellation, and exactly 0 when x = n.
  const se = Math.sqrt((n1 - x1) / (x1 * n1) + (n0 - x0) / (x0 * n0));
  return logScaleInterval(logRatio, se, zCritical(level));
}

/**
 * Difference of two means m1 - m0 by Welch's t (Welch 1947): standard error sqrt(v1/n1 + v0/n0), degrees
 * of freedom by the Welch-Satterthwaite equation, t quantile and CDF from stdlib. Undefined when an arm
 * has fewer than 2 members or both variances are 0 (no spread, no standard error).
 */
export function differenceOfMeans(a1: Moments, a0: Moments, level = 0.95): IntervalEstimate | undefined {
  checkLevel(level);
  if (a1.n < 2 || a0.n < 2) return undefined;
  const q1 = Math.max(0, a1.variance) / a1.n;
  const q0 = Math.max(0, a0.variance) / a0.n;
  const se2 = q1 + q0;
  if (!(se2 > 0)) return undefined;
  const se = Math.sqrt(se2);
  const df = (se2 * se2) / ((q1 * q1) / (a1.n - 1) + (q0 * q0) / (a0.n - 1));
  const d = a1.mean - a0.mean;
  const t = tQuantile(1 - (1 - level) / 2, df);
  return {
    estimate: d,
    lower: d - t * se,
    upper: d + t * se,
    pValue: Math.min(1, 2 * tCdf(-Math.abs(d / se), df)),
  };
}

/**
 * Relative difference of two means, m1 / m0 - 1, with a delta-method interval on the log scale:
 * var(log m) ~ v / (n m^2) for each arm, so log(m1/m0) +- z * sqrt(v1/(n1 m1^2) + v0/(n0 m0^2)), and
 * the Wald p-value on that scale. Undefined when either mean is not positive or an arm is empty.
 */
export function relativeDifferenceOfMeans(
  a1: Moments,
  a0: Moments,
  level = 0.95,
): IntervalEstimate | undefined {
  checkLevel(level);
  if (a1.n < 2 || a0.n < 2 || !(a1.mean > 0) || !(a0.mean > 0)) return undefined;
  const se = Math.sqrt(
    Math.max(0, a1.variance) / (a1.n * a1.mean * a1.mean) +
      Math.max(0, a0.variance) / (a0.n * a0.mean * a0.mean),
  );
  return logScaleInterval(Math.log(a1.mean) - Math.log(a0.mean), se, zCritical(level));
}

/**
 * A difference of two independent estimates, each with its standard error, by the normal (Wald)
 * interval: (e1 - e0) +- z * sqrt(se1^2 + se0^2). Used to set one campaign's lift against another's.
 */
export function differenceOfEstimates(
  e1: { estimate: number; se: number },
  e0: { estimate: number; se: number },
  level = 0.95,
): IntervalEstimate | undefined {
  const se = Math.hypot(e1.se, e0.se);
  if (!(se > 0)) return undefined;
  const d = e1.estimate - e0.estimate;
  const z = zCritical(level);
  return { estimate: d, lower: d - z * se, upper: d + z * se, pValue: twoSidedNormalP(d / se) };
}

/** Unpooled standard error of a difference of proportions: sqrt(p1(1-p1)/n1 + p0(1-p0)/n0). */
export function proportionDifferenceSe(x1: number, n1: number, x0: number, n0: number): number {
  checkCount(x1, n1);
  checkCount(x0, n0);
  const p1 = x1 / n1;
  const p0 = x0 / n0;
  return Math.sqrt((p1 * (1 - p1)) / n1 + (p0 * (1 - p0)) / n0);
}

/** Standard error of a difference of means: sqrt(v1/n1 + v0/n0). */
export function meanDifferenceSe(a1: Moments, a0: Moments): number {
  return Math.sqrt(Math.max(0, a1.variance) / a1.n + Math.max(0, a0.variance) / a0.n);
}

function logScaleInterval(logRatio: number, se: number, z: number): IntervalEstimate {
  return {
    estimate: Math.expm1(logRatio),
    lower: Math.expm1(logRatio - z * se),
    upper: Math.expm1(logRatio + z * se),
    pValue: se > 0 ? twoSidedNormalP(logRatio / se) : logRatio === 0 ? 1 : 0,
  };
}

function checkLevel(level: number): void {
  if (!(level > 0 && level < 1))
    throw new RangeError(`confidence level must be between 0 and 1, got ${level}`);
}

function checkCount(x: number, n: number): void {
  if (!(Number.isInteger(x) && Number.isInteger(n) && n > 0 && x >= 0 && x <= n)) {
    throw new RangeError(`need whole counts with 0 <= x <= n and n > 0, got x=${x}, n=${n}`);
  }
}
