import { fitCountModel } from './fit-count-model.ts';
import { type CountData, groupByFrequency, historyPointsOf, SMALLEST_SCALED } from './frequency-groups.ts';
import type { LogLikelihoodAndGradient, LogLikelihoodObjective } from './maximum-likelihood.ts';
import { digamma, logDiffExp, logGamma, logHyp2f1AOne, logistic, logSumExp } from './special-functions.ts';
import type { CustomerSummary, FitOptions, FrequencyGroup, ParetoNbdFit, ParetoNbdParams } from './types.ts';

// Pareto/NBD: Schmittlein, Morrison & Colombo (1987); likelihood and conditional expressions as in
// Fader & Hardie (2005), "A Note on Deriving the Pareto/NBD Model and Related Expressions"
// (brucehardie.com/notes/009), equations (17)-(22).

type History = Pick<CustomerSummary, 'x' | 'tx' | 'T'>;

/**
 * The two log terms of one customer's likelihood, without the shared factor:
 * `alive` for surviving past T, `died` for dropping out somewhere in (tx, T].
 */
function logTerms(
  { r, alpha, s, beta }: ParetoNbdParams,
  { x, tx, T }: History,
): { alive: number; died: number } {
  const alive = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
  if (T <= tx) return { alive, died: Number.NEGATIVE_INFINITY };
  const rsx = r + s + x;
  // Fader & Hardie's A0 uses 2F1 with the larger of alpha and beta in the denominator so that
  // its argument stays in [0, 1); both branches share the form 2F1(rsx, b; rsx + 1; z).
  const [big, b2] = alpha >= beta ? [alpha, s + 1] : [beta, r + x];
  const gap = Math.abs(alpha - beta);
  const atTx = logHyp2f1AOne(rsx, b2, gap / (big + tx)) - rsx * Math.log(big + tx);
  const atT = logHyp2f1AOne(rsx, b2, gap / (big + T)) - rsx * Math.log(big + T);
  // A0 is the integral over a death time in (tx, T] of a positive density, so atTx > atT;
  // rounding can still cross them when T - tx is tiny, which logDiffExp maps to -Infinity.
  const died = Math.log(s) - Math.log(rsx) + logDiffExp(atTx, atT);
  return { alive, died };
}

function logShared({ r, alpha, s, beta }: ParetoNbdParams, x: number): number {
  return logGamma(r + x) - logGamma(r) + r * Math.log(alpha) + s * Math.log(beta);
}

/** Log-likelihood of one customer's (x, tx, T) under Pareto/NBD (Fader & Hardie 2005 note, eq. 22). */
export function paretoNbdLogLikelihoodOne(params: ParetoNbdParams, history: History): number {
  const { alive, died } = logTerms(params, history);
  return logShared(params, history.x) + logSumExp(alive, died);
}

/** Total Pareto/NBD log-likelihood over counted (x, tx, T) groups. */
export function paretoNbdLogLikelihood(params: ParetoNbdParams, groups: readonly FrequencyGroup[]): number {
  let total = 0;
  for (const g of groups) total += g.count * paretoNbdLogLikelihoodOne(params, g);
  return total;
}

const SERIES_TOLERANCE = 1e-16;
const MAX_SERIES_TERMS = 1_000_000;

/**
 * The parts of the 2F1 series' terms that depend on (r, s, x) but not on t: the ratios
 * (cb+n)/(c+n) and the running sums Σ_{k≤n} 1/(cb+k), Σ_{k≤n} 1/(c+k). Every t of one x shares
 * them, so they are computed once per x and parameter point and grown as a point needs more terms.
 */
class SeriesCoefficients {
  ratio = new Float64Array(256);
  harmonicCb = new Float64Array(256);
  harmonicC = new Float64Array(256);
  filled = 0;
  private cb = Number.NaN;
  private c = Number.NaN;

  prepare(cb: number, c: number): void {
    if (cb === this.cb && c === this.c) return;
    this.cb = cb;
    this.c = c;
    this.filled = 0;
  }

  extend(): void {
    const n = this.filled;
    if (n === this.ratio.length) {
      this.ratio = grow(this.ratio);
      this.harmonicCb = grow(this.harmonicCb);
      this.harmonicC = grow(this.harmonicC);
    }
    this.ratio[n] = (this.cb + n) / (this.c + n);
    this.harmonicCb[n] = (n === 0 ? 0 : (this.harmonicCb[n - 1] as number)) + 1 / (this.cb + n);
    this.harmonicC[n] = (n === 0 ? 0 : (this.harmonicC[n - 1] as number)) + 1 / (this.c + n);
    this.filled = n + 1;
  }
}

function grow(values: Float64Array): Float64Array<ArrayBuffer> {
  const larger = new Float64Array(values.length * 2);
  larger.set(values);
  return larger;
}

/**
 * H(t) = ln[(r+s+x) · ∫_t^∞ (α+τ)^-(r+x) (β+τ)^-(s+1) dτ], the log of one end of the "died" integral
 * (the `atTx`/`atT` terms of logTerms), with its gradient in (r, α, s, β) written to grad[at..at+3].
 * The 2F1 is summed as in logHyp2f1AOne, (1-z)^(1-b) Σ t_n with positive, shrinking terms
 * t_n = Π_{k<n} (cb+k)/(c+k) · z^n, and differentiated term by term:
 * d ln t_n = Σ_{k<n} [dcb/(cb+k) - dc/(c+k)] + n dz/z.
 */
function logTailWithGradient(
  r: number,
  alpha: number,
  s: number,
  beta: number,
  x: number,
  t: number,
  coefficients: SeriesCoefficients,
  grad: Float64Array,
  at: number,
): number {
  const a = r + s + x;
  const alphaBig = alpha >= beta;
  const big = (alphaBig ? alpha : beta) + t;
  const small = (alphaBig ? beta : alpha) + t;
  const z = (big - small) / big;
  // α ≥ β: b = s + 1 and cb = c - b = r + x; β > α: b = r + x and cb = s + 1.
  const b = alphaBig ? s + 1 : r + x;
  coefficients.prepare(a + 1 - b, a + 1);
  let { ratio, harmonicCb, harmonicC } = coefficients;
  let term = 1;
  let sum = 1;
  let sumA = 0; // Σ t_n Σ_{k<n} 1/(cb+k)
  let sumC = 0; // Σ t_n Σ_{k<n} 1/(c+k)
  let sumZ = 0; // Σ n t_n / z
  for (let n = 0; n < MAX_SERIES_TERMS; n++) {
    if (n >= coefficients.filled) {
      coefficients.extend();
      ({ ratio, harmonicCb, harmonicC } = coefficients);
    }
    const q = ratio[n] as number;
    const withoutZ = term * q;
    sumZ += (n + 1) * withoutZ;
    term = withoutZ * z;
    sum += term;
    const hCb = harmonicCb[n] as number;
    const hC = harmonicC[n] as number;
    sumA += term * hCb;
    sumC += term * hC;
    // Terms shrink by at least q·z, so the tails of Σ t_n, Σ n t_n and Σ t_n·H_n are bounded.
    if (term * (n + 2) * (1 + hC + hCb) <= SERIES_TOLERANCE * sum * (1 - q * z)) break;
  }
  const logBig = Math.log(big);
  const log1mz = Math.log(small) - logBig;
  const value = (1 - b) * log1mz + Math.log(sum) - a * logBig;
  // Parts shared by every parameter: dH = -db·ln(1-z) + (dcb·A - dc·C)/S + dz·[Z/S - (1-b)/(1-z)]
  //   - da·ln(big) - a·dbig/big, with da = dc.
  const dlogS_dcb = sumA / sum;
  const dlogS_dc = sumC / sum;
  const perZ = sumZ / sum - ((1 - b) * big) / small;
  const dViaA = -dlogS_dc - logBig; // r and s both enter a = r + s + x (and c = a + 1)
  // dz: α ≥ β → (dα, dβ) = ((β+t)/(α+t)², -1/(α+t)); β > α → (-1/(β+t), (α+t)/(β+t)²).
  const dzBig = small / (big * big);
  const dzSmall = -1 / big;
  if (alphaBig) {
    grad[at] = dViaA + dlogS_dcb; // cb = r + x
    grad[at + 1] = perZ * dzBig - a / big;
    grad[at + 2] = dViaA - log1mz; // b = s + 1
    grad[at + 3] = perZ * dzSmall;
  } else {
    grad[at] = dViaA - log1mz; // b = r + x
    grad[at + 1] = perZ * dzSmall;
    grad[at + 2] = dViaA + dlogS_dcb; // cb = s + 1
    grad[at + 3] = perZ * dzBig - a / big;
  }
  return value;
}

/**
 * The Pareto/NBD log-likelihood summed over weighted groups, and its gradient in (r, alpha, s, beta).
 * Per customer LL = shared(x) + log(e^alive + e^died) with e^died = (s/a)(e^H(tx) - e^H(T)).
 * H and alive depend on (x, t) alone, so they are evaluated once per distinct point, and their
 * exponentials too, scaled by the largest in each x so they neither overflow nor (mostly) underflow:
 * a group then needs one log1p. Where scaling would lose precision it falls back to log space.
 */
export function paretoNbdObjective(data: CountData): (params: ParetoNbdParams) => LogLikelihoodAndGradient {
  const points = historyPointsOf(data, (i) => (data.T[i] as number) > (data.tx[i] as number));
  const nPoints = points.x.length;
  const H = new Float64Array(nPoints);
  const dH = new Float64Array(nPoints * 4);
  const alive = new Float64Array(nPoints);
  const expH = new Float64Array(nPoints);
  const expAlive = new Float64Array(nPoints);
  const nTimes = data.times.length;
  const logAlphaAt = new Float64Array(nTimes);
  const logBetaAt = new Float64Array(nTimes);
  const inverseAlphaAt = new Float64Array(nTimes);
  const inverseBetaAt = new Float64Array(nTimes);
  const coefficients = new SeriesCoefficients();
  return ({ r, alpha, s, beta }) => {
    for (let k = 0; k < nTimes; k++) {
      const t = data.times[k] as number;
      logAlphaAt[k] = Math.log(alpha + t);
      logBetaAt[k] = Math.log(beta + t);
      inverseAlphaAt[k] = 1 / (alpha + t);
      inverseBetaAt[k] = 1 / (beta + t);
    }
    for (let k = 0; k < data.runX.length; k++) {
      const x = data.runX[k] as number;
      const from = points.runStart[k] as number;
      const to = points.runStart[k + 1] as number;
      let top = Number.NEGATIVE_INFINITY;
      for (let p = from; p < to; p++) {
        const time = points.time[p] as number;
        const t = data.times[time] as number;
        H[p] = logTailWithGradient(r, alpha, s, beta, x, t, coefficients, dH, 4 * p);
        alive[p] = -(r + x) * (logAlphaAt[time] as number) - s * (logBetaAt[time] as number);
        top = Math.max(top, H[p] as number, alive[p] as number);
      }
      for (let p = from; p < to; p++) {
        expH[p] = Math.exp((H[p] as number) - top);
        expAlive[p] = Math.exp((alive[p] as number) - top);
      }
    }
    const logAlpha = Math.log(alpha);
    const logBeta = Math.log(beta);
    const psiR = digamma(r);
    const { count, tIndex } = data;
    const { atT, atTx } = points;
    let value = 0;
    let dr = 0;
    let dAlpha = 0;
    let ds = 0;
    let dBeta = 0;
    for (let k = 0; k < data.runX.length; k++) {
      const x = data.runX[k] as number;
      const rx = r + x;
      const a = r + s + x;
      const sOverA = s / a;
      const logSOverA = Math.log(sOverA);
      let weight = 0;
      const end = data.runStart[k + 1] as number;
      for (let i = data.runStart[k] as number; i < end; i++) {
        const c = count[i] as number;
        const pT = atT[i] as number;
        const pTx = atTx[i] as number;
        const iT = tIndex[i] as number;
        const aliveT = alive[pT] as number;
        weight += c;
        let ll = aliveT;
        let pAlive = 1;
        let share = 0; // c·P(died) / (1 - w), the weight of d ln(e^H(tx) - e^H(T))
        let w = 0; // e^(H(T) - H(tx))
        let oneMinusW = 1;
        if (pTx >= 0) {
          const eTx = expH[pTx] as number;
          const eT = expH[pT] as number;
          const eAlive = expAlive[pT] as number;
          if (eTx > SMALLEST_SCALED && eAlive > SMALLEST_SCALED) {
            const difference = eTx - eT;
            if (difference > 0) {
              // e^(died - alive) = (s/a)(e^H(tx) - e^H(T)) / e^alive, all scaled alike.
              const odds = (sOverA * difference) / eAlive;
              ll = aliveT + Math.log1p(odds);
              pAlive = 1 / (1 + odds);
              w = eT / eTx;
              oneMinusW = difference / eTx;
              share = (c * (1 - pAlive)) / oneMinusW;
            }
          } else {
            const hTx = H[pTx] as number;
            const gapH = (H[pT] as number) - hTx;
            if (gapH < 0) {
              oneMinusW = -Math.expm1(gapH);
              const died = logSOverA + hTx + Math.log(oneMinusW);
              ll = logSumExp(aliveT, died);
              pAlive = logistic(aliveT - died);
              w = 1 - oneMinusW;
              share = (c * (1 - pAlive)) / oneMinusW;
            }
          }
        }
        value += c * ll;
        const cAlive = c * pAlive;
        dr -= cAlive * (logAlphaAt[iT] as number);
        dAlpha -= cAlive * rx * (inverseAlphaAt[iT] as number);
        ds -= cAlive * (logBetaAt[iT] as number);
        dBeta -= cAlive * s * (inverseBetaAt[iT] as number);
        if (share === 0) continue;
        // d ln(e^H(tx) - e^H(T)) = (dH(tx) - w dH(T)) / (1 - w); ln s - ln a adds (-1/a, 0, 1/s - 1/a, 0),
        // which `share` (divided by 1 - w) carries as (1 - w)·(...).
        const bx = 4 * pTx;
        const bT = 4 * pT;
        dr += share * ((dH[bx] as number) - w * (dH[bT] as number) - oneMinusW / a);
        dAlpha += share * ((dH[bx + 1] as number) - w * (dH[bT + 1] as number));
        ds += share * ((dH[bx + 2] as number) - w * (dH[bT + 2] as number) + oneMinusW * (1 / s - 1 / a));
        dBeta += share * ((dH[bx + 3] as number) - w * (dH[bT + 3] as number));
      }
      value += weight * (logGamma(rx) - logGamma(r) + r * logAlpha + s * logBeta);
      dr += weight * (digamma(rx) - psiR + logAlpha);
      dAlpha += (weight * r) / alpha;
      ds += weight * logBeta;
      dBeta += (weight * s) / beta;
    }
    return { value, gradient: [dr, dAlpha, ds, dBeta] };
  };
}

/** Maximum-likelihood Pareto/NBD fit over log-parameters. */
export function fitParetoNbd(summaries: readonly History[], options: FitOptions = {}): ParetoNbdFit {
  return fitParetoNbdGroups(groupByFrequency(summaries), options);
}

/** Maximum-likelihood Pareto/NBD fit to customers counted into (x, tx, T) groups (or their CountData). */
export function fitParetoNbdGroups(
  groups: readonly FrequencyGroup[] | CountData,
  options: FitOptions = {},
): ParetoNbdFit {
  const objectiveFor = (data: CountData): LogLikelihoodObjective => {
    const objective = paretoNbdObjective(data);
    return (p) =>
      objective({ r: p[0] as number, alpha: p[1] as number, s: p[2] as number, beta: p[3] as number });
  };
  return fitCountModel('pareto-nbd', ['r', 'alpha', 's', 'beta'], objectiveFor, groups, options);
}

/** P(alive at T | x, tx, T): the share of the likelihood that comes from surviving past T (eq. 18). */
export function paretoNbdProbabilityAlive(params: ParetoNbdParams, history: History): number {
  const { alive, died } = logTerms(params, history);
  if (died === Number.NEGATIVE_INFINITY) return 1;
  return logistic(alive - died);
}

/**
 * E[Y(t) | x, tx, T]: expected purchases in (T, T + t] (eq. 21):
 * (r+x)(β+T) / ((α+T)(s-1)) · [1 - ((β+T)/(β+T+t))^(s-1)] · P(alive).
 * [1 - q^(s-1)]/(s-1) is written as -expm1((s-1) ln q)/(s-1) so s near 1 stays accurate (limit -ln q).
 * With x = 0 and T = 0 it is the unconditional E[X(t)] of a new customer.
 */
export function paretoNbdExpectedPurchases(params: ParetoNbdParams, history: History, t: number): number {
  if (!(t >= 0)) throw new RangeError(`horizon must be >= 0, got ${t}`);
  if (t === 0) return 0;
  const { r, alpha, s, beta } = params;
  const { x, T } = history;
  const logQ = Math.log(beta + T) - Math.log(beta + T + t);
  const sm1 = s - 1;
  const lifetimeFactor = Math.abs(sm1) < 1e-10 ? -logQ : -Math.expm1(sm1 * logQ) / sm1;
  const rate = ((r + x) * (beta + T)) / (alpha + T);
  return rate * lifetimeFactor * paretoNbdProbabilityAlive(params, history);
}

/** Unconditional E[X(t)]: expected repeat purchases in the first t units after a first purchase. */
export function paretoNbdExpectedRepeatFromStart(params: ParetoNbdParams, t: number): number {
  return paretoNbdExpectedPurchases(params, { x: 0, tx: 0, T: 0 }, t);
}
