import { fitCountModel } from './fit-count-model.ts';
import { hyp2f1, logBeta, logGamma, logistic, logSumExp } from './special-functions.ts';
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

/** Maximum-likelihood BG/NBD fit over log-parameters. */
export function fitBgNbd(summaries: readonly History[], options: FitOptions = {}): BgNbdFit {
  return fitCountModel('bgnbd', ['r', 'alpha', 'a', 'b'], bgnbdLogLikelihoodOne, summaries, options);
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
