import { fitCountModel } from './fit-count-model.ts';
import { logDiffExp, logGamma, logHyp2f1AOne, logistic, logSumExp } from './special-functions.ts';
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

/** Maximum-likelihood Pareto/NBD fit over log-parameters. */
export function fitParetoNbd(summaries: readonly History[], options: FitOptions = {}): ParetoNbdFit {
  return fitCountModel(
    'pareto-nbd',
    ['r', 'alpha', 's', 'beta'],
    paretoNbdLogLikelihoodOne,
    summaries,
    options,
  );
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
