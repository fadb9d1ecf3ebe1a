import { groupByFrequency } from './frequency-groups.ts';
import { maximiseLogLikelihood } from './maximum-likelihood.ts';
import type { CustomerSummary, FitOptions, FitResult } from './types.ts';

type History = Pick<CustomerSummary, 'x' | 'tx' | 'T'>;

/**
 * Maximum-likelihood fit of a purchase-count model (BG/NBD, Pareto/NBD) from its per-customer
 * log-likelihood: customers are grouped by identical (x, tx, T), every parameter starts at 1 and
 * is optimised on the log scale so it stays positive.
 */
export function fitCountModel<M extends 'bgnbd' | 'pareto-nbd', N extends string>(
  model: M,
  names: readonly N[],
  logLikelihoodOne: (params: Record<N, number>, history: History) => number,
  summaries: readonly History[],
  options: FitOptions,
): FitResult<M, Record<N, number>> {
  if (summaries.length === 0) throw new RangeError(`fitting ${model} needs at least one customer`);
  const groups = groupByFrequency(summaries);
  const toParams = (values: readonly number[]) =>
    Object.fromEntries(names.map((name, i) => [name, values[i] as number])) as Record<N, number>;
  const found = maximiseLogLikelihood(
    (values) => {
      const params = toParams(values);
      let total = 0;
      for (const g of groups) total += g.count * logLikelihoodOne(params, g);
      return total;
    },
    names.map(() => 1),
    options,
  );
  const fit: FitResult<M, Record<N, number>> = {
    model,
    params: toParams(found.params),
    logLikelihood: found.logLikelihood,
    n: summaries.length,
    converged: found.converged,
    iterations: found.iterations,
  };
  if (found.standardErrors !== undefined) fit.standardErrors = toParams(found.standardErrors);
  return fit;
}
