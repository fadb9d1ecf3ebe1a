import { type LogLikelihoodAndGradient, maximiseLogLikelihood } from './maximum-likelihood.ts';
import { digamma, logGamma } from './special-functions.ts';
import type { CustomerSummary, FitOptions, GammaGammaFit, GammaGammaParams } from './types.ts';

// Gamma-Gamma spend model: Colombo & Jiang (1999); as set out in Fader & Hardie (2013),
// "The Gamma-Gamma Model of Monetary Value" (brucehardie.com/notes/025). A transaction's value is
// Gamma(p, ν) and ν varies across customers as Gamma(q, γ); zbar is the mean of x repeat transactions.

type Spend = Pick<CustomerSummary, 'x' | 'zbar'>;

/** Log density of a customer's mean spend zbar over x transactions (note, eq. 4). Requires x > 0, zbar > 0. */
export function gammaGammaLogLikelihoodOne({ p, q, gamma }: GammaGammaParams, { x, zbar }: Spend): number {
  const px = p * x;
  return (
    logGamma(px + q) -
    logGamma(px) -
    logGamma(q) +
    q * Math.log(gamma) +
    px * Math.log(x) +
    (px - 1) * Math.log(zbar) -
    (px + q) * Math.log(gamma + x * zbar)
  );
}

/** Spenders sharing one (x, zbar), so a likelihood term is evaluated once per distinct pair. */
export interface SpendGroup {
  x: number;
  zbar: number;
  count: number;
}

/** Customers the spend model can learn from: at least one repeat purchase and a positive mean. */
export function spendersOf<S extends Spend>(summaries: readonly S[]): S[] {
  return summaries.filter((s) => s.x > 0 && s.zbar > 0);
}

/** Counts the spenders (x > 0, zbar > 0) among the summaries into (x, zbar) groups. */
export function groupSpend(summaries: readonly Spend[]): SpendGroup[] {
  const groups = new Map<string, SpendGroup>();
  for (const s of spendersOf(summaries)) {
    const key = `${s.x}|${s.zbar}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { x: s.x, zbar: s.zbar, count: 1 });
    else group.count += 1;
  }
  return [...groups.values()];
}

/** Total Gamma-Gamma log-likelihood over customers with x > 0 and zbar > 0 (others carry no spend data). */
export function gammaGammaLogLikelihood(params: GammaGammaParams, summaries: readonly Spend[]): number {
  let total = 0;
  for (const g of groupSpend(summaries)) total += g.count * gammaGammaLogLikelihoodOne(params, g);
  return total;
}

/**
 * Spend groups ordered by x, as parallel arrays with the runs of equal x and, per run, the count and
 * Σ count·ln zbar: every term of the likelihood but ln(γ + x·zbar) depends on the data only through these.
 */
export interface SpendData {
  x: Float64Array;
  /** x · zbar: the customer's total repeat spend. */
  total: Float64Array;
  count: Float64Array;
  runX: number[];
  runStart: number[];
  runCount: number[];
  runSumLogZbar: number[];
  customers: number;
}

/** Orders spend groups by x into SpendData; rejects groups without a repeat purchase or positive mean. */
export function spendDataOf(groups: readonly SpendGroup[]): SpendData {
  groups.forEach((g, index) => {
    if (!(Number.isInteger(g.x) && g.x > 0))
      throw new RangeError(`groups[${index}].x must be a whole number > 0`);
    if (!(g.zbar > 0 && Number.isFinite(g.zbar))) throw new RangeError(`groups[${index}].zbar must be > 0`);
    if (!(g.count > 0 && Number.isFinite(g.count)))
      throw new RangeError(`groups[${index}].count must be > 0`);
  });
  const sorted = [...groups].sort((g, h) => g.x - h.x);
  const n = sorted.length;
  const data: SpendData = {
    x: new Float64Array(n),
    total: new Float64Array(n),
    count: new Float64Array(n),
    runX: [],
    runStart: [],
    runCount: [],
    runSumLogZbar: [],
    customers: 0,
  };
  sorted.forEach((g, i) => {
    data.x[i] = g.x;
    data.total[i] = g.x * g.zbar;
    data.count[i] = g.count;
    data.customers += g.count;
    if (i === 0 || g.x !== data.x[i - 1]) {
      data.runX.push(g.x);
      data.runStart.push(i);
      data.runCount.push(0);
      data.runSumLogZbar.push(0);
    }
    const k = data.runX.length - 1;
    data.runCount[k] = (data.runCount[k] as number) + g.count;
    data.runSumLogZbar[k] = (data.runSumLogZbar[k] as number) + g.count * Math.log(g.zbar);
  });
  data.runStart.push(n);
  return data;
}

/**
 * SpendData straight from per-customer arrays: x and the total of the x repeat transactions
 * (x · zbar). Customers without a repeat purchase or with a total <= 0 are left out, as in the fit.
 * Customers are bucketed by x (a counting sort) and their totals sorted within each x, so equal
 * (x, total) pairs are counted exactly without a key per customer; `indices` restricts it to some.
 */
export function spendDataFromTotals(
  x: ArrayLike<number>,
  total: ArrayLike<number>,
  indices?: ArrayLike<number>,
): SpendData {
  const n = indices === undefined ? x.length : indices.length;
  const at = (k: number) => (indices === undefined ? k : (indices[k] as number));
  let maxX = 0;
  let spenders = 0;
  for (let k = 0; k < n; k++) {
    const i = at(k);
    const xi = x[i] as number;
    if (!(Number.isInteger(xi) && xi >= 0))
      throw new RangeError(`customer ${i}: x must be a whole number >= 0`);
    if (xi === 0 || !((total[i] as number) > 0)) continue;
    if (!Number.isFinite(total[i] as number))
      throw new RangeError(`customer ${i}: total spend must be finite`);
    spenders += 1;
    if (xi > maxX) maxX = xi;
  }
  const offsets = new Int32Array(maxX + 2);
  for (let k = 0; k < n; k++) {
    const i = at(k);
    const xi = x[i] as number;
    if (xi > 0 && (total[i] as number) > 0) offsets[xi + 1] = (offsets[xi + 1] as number) + 1;
  }
  for (let v = 1; v < offsets.length; v++) offsets[v] = (offsets[v] as number) + (offsets[v - 1] as number);
  const sorted = new Float64Array(spenders);
  const fill = offsets.slice(0, maxX + 1);
  for (let k = 0; k < n; k++) {
    const i = at(k);
    const xi = x[i] as number;
    if (xi === 0 || !((total[i] as number) > 0)) continue;
    sorted[fill[xi] as number] = total[i] as number;
    fill[xi] = (fill[xi] as number) + 1;
  }
  const groupX: number[] = [];
  const groupTotal: number[] = [];
  const groupCount: number[] = [];
  const data: SpendData = {
    x: new Float64Array(0),
    total: new Float64Array(0),
    count: new Float64Array(0),
    runX: [],
    runStart: [],
    runCount: [],
    runSumLogZbar: [],
    customers: spenders,
  };
  for (let xi = 1; xi <= maxX; xi++) {
    const from = offsets[xi] as number;
    const to = offsets[xi + 1] as number;
    if (to === from) continue;
    const totals = sorted.subarray(from, to).sort();
    data.runX.push(xi);
    data.runStart.push(groupX.length);
    data.runCount.push(to - from);
    let sumLogZbar = 0;
    for (let k = 0; k < totals.length; ) {
      const value = totals[k] as number;
      let end = k + 1;
      while (end < totals.length && totals[end] === value) end++;
      groupX.push(xi);
      groupTotal.push(value);
      groupCount.push(end - k);
      sumLogZbar += (end - k) * Math.log(value / xi);
      k = end;
    }
    data.runSumLogZbar.push(sumLogZbar);
  }
  data.runStart.push(groupX.length);
  data.x = Float64Array.from(groupX);
  data.total = Float64Array.from(groupTotal);
  data.count = Float64Array.from(groupCount);
  return data;
}

/**
 * The Gamma-Gamma log-likelihood summed over spend data, with its gradient in (p, q, gamma):
 * per customer lnΓ(px+q) - lnΓ(px) - lnΓ(q) + q ln γ + px ln x + (px-1) ln zbar - (px+q) ln(γ + x·zbar).
 */
export function gammaGammaLogLikelihoodWithGradient(
  { p, q, gamma }: GammaGammaParams,
  data: SpendData,
): LogLikelihoodAndGradient {
  const logGammaQ = logGamma(q);
  const psiQ = digamma(q);
  const logG = Math.log(gamma);
  let value = 0;
  let dp = 0;
  let dq = 0;
  let dGamma = 0;
  for (let k = 0; k < data.runX.length; k++) {
    const x = data.runX[k] as number;
    const weight = data.runCount[k] as number;
    const sumLogZbar = data.runSumLogZbar[k] as number;
    const px = p * x;
    const logX = Math.log(x);
    const psiPxQ = digamma(px + q);
    let sumLog = 0; // Σ c ln(γ + x zbar)
    let sumInverse = 0; // Σ c / (γ + x zbar)
    const end = data.runStart[k + 1] as number;
    for (let i = data.runStart[k] as number; i < end; i++) {
      const c = data.count[i] as number;
      const v = gamma + (data.total[i] as number);
      sumLog += c * Math.log(v);
      sumInverse += c / v;
    }
    value +=
      weight * (logGamma(px + q) - logGamma(px) - logGammaQ + q * logG + px * logX) +
      (px - 1) * sumLogZbar -
      (px + q) * sumLog;
    dp += x * (weight * (psiPxQ - digamma(px) + logX) + sumLogZbar - sumLog);
    dq += weight * (psiPxQ - psiQ + logG) - sumLog;
    dGamma += (weight * q) / gamma - (px + q) * sumInverse;
  }
  return { value, gradient: [dp, dq, dGamma] };
}

const START: GammaGammaParams = { p: 1, q: 1, gamma: 1 };

/**
 * Maximum-likelihood Gamma-Gamma fit. Customers with x = 0 (or zbar <= 0, e.g. free orders only)
 * are left out, as in the note; `n` counts those that were used.
 */
export function fitGammaGamma(summaries: readonly Spend[], options: FitOptions = {}): GammaGammaFit {
  return fitGammaGammaGroups(groupSpend(summaries), options);
}

function isSpendData(groups: readonly SpendGroup[] | SpendData): groups is SpendData {
  return !Array.isArray(groups);
}

/** Maximum-likelihood Gamma-Gamma fit to spenders counted into (x, zbar) groups, or to SpendData. */
export function fitGammaGammaGroups(
  groups: readonly SpendGroup[] | SpendData,
  options: FitOptions = {},
): GammaGammaFit {
  const data = isSpendData(groups) ? groups : spendDataOf(groups);
  if (data.customers === 0) throw new RangeError('fitGammaGamma needs a customer with x > 0 and zbar > 0');
  const toParams = ([p, q, gamma]: readonly number[]): GammaGammaParams => ({
    p: p as number,
    q: q as number,
    gamma: gamma as number,
  });
  const found = maximiseLogLikelihood(
    (v) => gammaGammaLogLikelihoodWithGradient(toParams(v), data),
    [START.p, START.q, START.gamma],
    { ...options, weight: data.customers },
  );
  const fit: GammaGammaFit = {
    model: 'gamma-gamma',
    params: toParams(found.params),
    logLikelihood: found.logLikelihood,
    n: data.customers,
    converged: found.converged,
    iterations: found.iterations,
  };
  if (found.standardErrors !== undefined) fit.standardErrors = toParams(found.standardErrors);
  return fit;
}

/** Population mean spend per transaction, pγ/(q-1); infinite when q <= 1 (the mean does not exist). */
export function gammaGammaPopulationMean({ p, q, gamma }: GammaGammaParams): number {
  return q > 1 ? (p * gamma) / (q - 1) : Number.POSITIVE_INFINITY;
}

/**
 * E[Z | x, zbar]: expected spend per future transaction (note, eq. 5), a weighted average of the
 * population mean and the customer's own mean, (pγ + p·x·zbar)/(px + q - 1). For x = 0 there is
 * no evidence, so it is the population mean.
 */
export function gammaGammaExpectedSpend(params: GammaGammaParams, { x, zbar }: Spend): number {
  if (x === 0) return gammaGammaPopulationMean(params);
  const { p, q, gamma } = params;
  return (p * gamma + p * x * zbar) / (p * x + q - 1);
}
