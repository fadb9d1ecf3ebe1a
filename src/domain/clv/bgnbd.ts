import { fitCountModel } from './fit-count-model.ts';
import { type CountData, groupByFrequency, historyPointsOf, SMALLEST_SCALED } from './frequency-groups.ts';
import type { LogLikelihoodAndGradient } from './maximum-likelihood.ts';
import { digamma, hyp2f1, logBeta, logGamma, logistic, logSumExp } from './special-functions.ts';
import type { BgNbdFit, BgNbdParams, CustomerSummary, FitOptions, FrequencyGroup } from './types.ts';

// BG/NBD: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An Alternative to the
// Pareto/NBD Model", Marketing Science 24(2), 275-284. Equation numbers below refer to that paper.

type History = Pick<CustomerSummary, 'x' | 'tx' | 'T'>;

/** Log-likelihood of one customer's (x, tx, T) under BG/NBD (paper eq. 6), evaluated in log space. */
export function bgnbdLogLikelihoodOne({ r, alpha, a, b }: BgNbdParams, { x, tx, T }: History): number {
  const common = logGamma(r + x) - logGamma(r) + r * Math.log(alpha) - logBeta(a, b);
  const survived = logBeta(a, b + x) - (r + x) * Math.log(alpha + T);
  if (x === 0) return common + survived;
  const droppedAfterLast = logBeta(a + 1, b + x - 1) - (r + x) * Math.log(alpha + tx);
  return common + logSumExp(survived, droppedAfterLast);
}

/** Total BG/NBD log-likelihood over counted (x, tx, T) groups. */
export function bgnbdLogLikelihood(params: BgNbdParams, groups: readonly FrequencyGroup[]): number {
  let total = 0;
  for (const g of groups) total += g.count * bgnbdLogLikelihoodOne(params, g);
  return total;
}

/**
 * The BG/NBD log-likelihood summed over weighted groups, with its gradient in (r, alpha, a, b).
 * Per customer (eq. 6): LL = C(x) + log(e^S + [x > 0] e^D) with
 *   C = lnΓ(r+x) - lnΓ(r) + r ln α - ln B(a, b),
 *   S = ln B(a, b+x) - (r+x) ln(α+T),   D = ln B(a+1, b+x-1) - (r+x) ln(α+tx),
 * so dLL = dC + w dS + (1-w) dD with w = e^S / (e^S + e^D). Terms in x alone are taken once per x.
 */
export function bgnbdLogLikelihoodWithGradient(
  params: BgNbdParams,
  data: CountData,
): LogLikelihoodAndGradient {
  return bgnbdObjective(data)(params);
}

/**
 * bgnbdLogLikelihoodWithGradient for repeated evaluation on one dataset. (r+x) ln(α+t) depends on
 * x and one history length alone, so e^-(r+x) ln(α+t) is computed once per distinct (x, t), scaled
 * by the largest in each x; a group then needs e^(D-S) = B-ratio · e^(u(tx)) / e^(u(T)) and one log1p.
 * Where the scaled values would lose precision it falls back to log space.
 */
export function bgnbdObjective(data: CountData): (params: BgNbdParams) => LogLikelihoodAndGradient {
  const points = historyPointsOf(data, (i) => (data.x[i] as number) > 0);
  const nPoints = points.x.length;
  const u = new Float64Array(nPoints);
  const expU = new Float64Array(nPoints);
  const logAt = new Float64Array(data.times.length);
  const inverseAt = new Float64Array(data.times.length);
  return ({ r, alpha, a, b }) => {
    // ln(α + t) and 1/(α + t) once per distinct history length.
    for (let k = 0; k < logAt.length; k++) {
      const v = alpha + (data.times[k] as number);
      logAt[k] = Math.log(v);
      inverseAt[k] = 1 / v;
    }
    for (let k = 0; k < data.runX.length; k++) {
      const rx = r + (data.runX[k] as number);
      const from = points.runStart[k] as number;
      const to = points.runStart[k + 1] as number;
      let top = Number.NEGATIVE_INFINITY;
      for (let p = from; p < to; p++) {
        u[p] = -rx * (logAt[points.time[p] as number] as number);
        top = Math.max(top, u[p] as number);
      }
      for (let p = from; p < to; p++) expU[p] = Math.exp((u[p] as number) - top);
    }
    const { count, tIndex, txIndex } = data;
    const { atT, atTx } = points;
    let value = 0;
    let dr = 0;
    let dAlpha = 0;
    let da = 0;
    let db = 0;
    const logAlpha = Math.log(alpha);
    const psiR = digamma(r);
    const psiAB = digamma(a + b);
    const psiA = digamma(a);
    const psiA1 = digamma(a + 1);
    const psiB = digamma(b);
    const shared = -logGamma(r) + r * logAlpha - logBeta(a, b);
    for (let k = 0; k < data.runX.length; k++) {
      const x = data.runX[k] as number;
      const rx = r + x;
      const psiABx = digamma(a + b + x);
      const logS = logBeta(a, b + x);
      const logD = x > 0 ? logBeta(a + 1, b + x - 1) : Number.NEGATIVE_INFINITY;
      const betaRatio = Math.exp(logD - logS);
      let weight = 0;
      let weightS = 0;
      let sumLL = 0;
      let sumR = 0;
      let sumAlpha = 0;
      const end = data.runStart[k + 1] as number;
      for (let i = data.runStart[k] as number; i < end; i++) {
        const c = count[i] as number;
        const pT = atT[i] as number;
        const iT = tIndex[i] as number;
        const lT = logAt[iT] as number;
        const S = logS + (u[pT] as number);
        weight += c;
        if (x === 0) {
          sumLL += c * S;
          weightS += c;
          sumR -= c * lT;
          sumAlpha -= c * (inverseAt[iT] as number);
          continue;
        }
        const pTx = atTx[i] as number;
        const iTx = txIndex[i] as number;
        const lTx = logAt[iTx] as number;
        // log(e^S + e^D) and w = e^S/(e^S + e^D), with odds = e^(D-S).
        let ll: number;
        let w: number;
        const eT = expU[pT] as number;
        const odds = (betaRatio * (expU[pTx] as number)) / eT;
        if (eT > SMALLEST_SCALED && odds < 1e300) {
          ll = S + Math.log1p(odds);
          w = 1 / (1 + odds);
        } else {
          const D = logD + (u[pTx] as number);
          ll = logSumExp(S, D);
          w = logistic(S - D);
        }
        sumLL += c * ll;
        weightS += c * w;
        sumR -= c * (w * lT + (1 - w) * lTx);
        sumAlpha -= c * (w * (inverseAt[iT] as number) + (1 - w) * (inverseAt[iTx] as number));
      }
      value += weight * (logGamma(rx) + shared) + sumLL;
      dr += weight * (digamma(rx) - psiR + logAlpha) + sumR;
      dAlpha += weight * (r / alpha) + rx * sumAlpha;
      // d ln B(a, b) = (ψ(a) - ψ(a+b), ψ(b) - ψ(a+b)); S and D add their own Beta terms, weighted.
      const weightD = weight - weightS;
      da += weight * (psiAB - psiA) + weightS * (psiA - psiABx);
      db += weight * (psiAB - psiB) + weightS * (digamma(b + x) - psiABx);
      if (x > 0) {
        da += weightD * (psiA1 - psiABx);
        db += weightD * (digamma(b + x - 1) - psiABx);
      }
    }
    return { value, gradient: [dr, dAlpha, da, db] };
  };
}

/** Maximum-likelihood BG/NBD fit over log-parameters. */
export function fitBgNbd(summaries: readonly History[], options: FitOptions = {}): BgNbdFit {
  return fitBgNbdGroups(groupByFrequency(summaries), options);
}

/** Maximum-likelihood BG/NBD fit to customers counted into (x, tx, T) groups (or their CountData). */
export function fitBgNbdGroups(
  groups: readonly FrequencyGroup[] | CountData,
  options: FitOptions = {},
): BgNbdFit {
  return fitCountModel(
    'bgnbd',
    ['r', 'alpha', 'a', 'b'],
    (data) => {
      const objective = bgnbdObjective(data);
      return (p) =>
        objective({ r: p[0] as number, alpha: p[1] as number, a: p[2] as number, b: p[3] as number });
    },
    groups,
    options,
  );
}

/**
 * P(alive at T | x, tx, T) (paper eq. 11). Exactly 1 for x = 0: under BG/NBD a customer can only
 * drop out right after a purchase, so one with no repeat purchase has had no chance to.
 */
export function bgnbdProbabilityAlive({ r, alpha, a, b }: BgNbdParams, { x, tx, T }: History): number {
  if (x === 0) return 1;
  const logOdds = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return logistic(-logOdds);
}

/**
 * E[Y(t) | x, tx, T]: expected repeat purchases in (T, T + t] (paper eq. 10). The 2F1 there is
 * rewritten with Euler's transformation so that ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x-1; z)
 * becomes ((α+T)/(α+T+t))^(a-1) · 2F1(a+b-1-r, a-1; a+b+x-1; z): the original factor pairs a
 * vanishing power with a 2F1 that grows like (1-z)^-(r+x), which overflows for large x.
 * With x = 0 and T = 0 this is the unconditional E[X(t)] of a new customer (eq. 9).
 */
export function bgnbdExpectedPurchases(params: BgNbdParams, history: History, t: number): number {
  if (!(t >= 0)) throw new RangeError(`horizon must be >= 0, got ${t}`);
  if (t === 0) return 0;
  const { r, alpha, a, b } = params;
  // c/(a-1) · bracket is 0/0 at a = 1 (a removable singularity): step just off it.
  if (Math.abs(a - 1) < 1e-7) return bgnbdExpectedPurchases({ ...params, a: 1 + 2e-7 }, history, t);
  const { x, T } = history;
  const z = t / (alpha + T + t);
  const c = a + b + x - 1;
  const logQ = Math.log(alpha + T) - Math.log(alpha + T + t);
  const bracket = 1 - Math.exp((a - 1) * logQ) * hyp2f1(c - r - x, a - 1, c, z);
  // Eq. 10 divides by 1 + δ(x>0)·a/(b+x-1)·((α+T)/(α+tx))^(r+x), which is multiplying by P(alive).
  const expected = (c / (a - 1)) * bracket * bgnbdProbabilityAlive(params, history);
  return Math.max(0, expected);
}

/** Unconditional E[X(t)]: expected repeat purchases in the first t units after a first purchase (eq. 9). */
export function bgnbdExpectedRepeatFromStart(params: BgNbdParams, t: number): number {
  return bgnbdExpectedPurchases(params, { x: 0, tx: 0, T: 0 }, t);
}
