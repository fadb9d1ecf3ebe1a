import { type CountData, countDataOf, thinCountData } from './frequency-groups.ts';
import { type LogLikelihoodObjective, maximiseLogLikelihood } from './maximum-likelihood.ts';
import type { FitOptions, FitResult, FrequencyGroup } from './types.ts';

/** Above this many groups, a fit to a subset of about WARM_START_GROUPS of them comes first. */
const WARM_START_ABOVE = 50_000;
const WARM_START_GROUPS = 20_000;

/**
 * Maximum-likelihood fit of a purchase-count model (BG/NBD, Pareto/NBD) to customers counted into
 * (x, tx, T) groups: the likelihood is a weighted sum over the groups, with an analytic gradient.
 * Every parameter starts at 1 and is optimised on the log scale so it stays positive. A large
 * program is first fitted on every k-th group; the full fit then starts from that optimum and its
 * curvature, so it needs a few iterations over all groups instead of dozens.
 */
export function fitCountModel<M extends 'bgnbd' | 'pareto-nbd', N extends string>(
  model: M,
  names: readonly N[],
  objectiveFor: (data: CountData) => LogLikelihoodObjective,
  groups: readonly FrequencyGroup[] | CountData,
  options: FitOptions,
): FitResult<M, Record<N, number>> {
  const data = Array.isArray(groups) ? countDataOf(groups) : (groups as CountData);
  if (data.x.length === 0) throw new RangeError(`fitting ${model} needs at least one customer`);
  const toParams = (values: readonly number[]) =>
    Object.fromEntries(names.map((name, i) => [name, values[i] as number])) as Record<N, number>;
  let start = names.map(() => 1);
  let warmIterations = 0;
  let inverseHessian: number[][] | undefined;
  if (data.x.length > WARM_START_ABOVE) {
    const thin = thinCountData(data, Math.ceil(data.x.length / WARM_START_GROUPS));
    const preliminary = maximiseLogLikelihood(objectiveFor(thin), start, {
      ...options,
      standardErrors: false,
      weight: thin.customers,
    });
    start = preliminary.params;
    warmIterations = preliminary.iterations;
    inverseHessian = preliminary.inverseHessian;
  }
  const found = maximiseLogLikelihood(objectiveFor(data), start, {
    ...options,
    weight: data.customers,
    ...(inverseHessian === undefined ? {} : { inverseHessian }),
  });
  const fit: FitResult<M, Record<N, number>> = {
    model,
    params: toParams(found.params),
    logLikelihood: found.logLikelihood,
    n: data.customers,
    converged: found.converged,
    iterations: warmIterations + found.iterations,
  };
  if (found.standardErrors !== undefined) fit.standardErrors = toParams(found.standardErrors);
  return fit;
}
