import { maximiseLogLikelihood } from './maximum-likelihood.ts';
import { logGamma } from './special-functions.ts';
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

interface SpendGroup {
  x: number;
  zbar: number;
  count: number;
}

/** Customers the spend model can learn from: at least one repeat purchase and a positive mean. */
export function spendersOf<S extends Spend>(summaries: readonly S[]): S[] {
  return summaries.filter((s) => s.x > 0 && s.zbar > 0);
}

function groupSpend(summaries: readonly Spend[]): SpendGroup[] {
  const groups = new Map<string, SpendGroup>();
  for (const s of summaries) {
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
  for (const g of groupSpend(spendersOf(summaries))) total += g.count * gammaGammaLogLikelihoodOne(params, g);
  return total;
}

const START: GammaGammaParams = { p: 1, q: 1, gamma: 1 };

/**
 * Maximum-likelihood Gamma-Gamma fit. Customers with x = 0 (or zbar <= 0, e.g. free orders only)
 * are left out, as in the note; `n` counts those that were used.
 */
export function fitGammaGamma(summaries: readonly Spend[], options: FitOptions = {}): GammaGammaFit {
  const spenders = spendersOf(summaries);
  if (spenders.length === 0) throw new RangeError('fitGammaGamma needs a customer with x > 0 and zbar > 0');
  const groups = groupSpend(spenders);
  const toParams = ([p, q, gamma]: readonly number[]): GammaGammaParams => ({
    p: p as number,
    q: q as number,
    gamma: gamma as number,
  });
  const found = maximiseLogLikelihood(
    (v) => {
      const params = toParams(v);
      let total = 0;
      for (const g of groups) total += g.count * gammaGammaLogLikelihoodOne(params, g);
      return total;
    },
    [START.p, START.q, START.gamma],
    options,
  );
  const fit: GammaGammaFit = {
    model: 'gamma-gamma',
    params: toParams(found.params),
    logLikelihood: found.logLikelihood,
    n: spenders.length,
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
