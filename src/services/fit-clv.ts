import { randomUUID } from 'node:crypto';
import type { ClvFitReport, ClvModelFit, CountModel, SpendModel } from '../contracts/clv.ts';
import { AppError } from '../contracts/errors.ts';
import { readClvSummaries } from '../db/queries/clv-kept-summaries.ts';
import { insertClvModel, replacePredictions } from '../db/queries/clv-predictions.ts';
import type { ClvSummaryColumns } from '../db/queries/clv-summaries.ts';
import { fitBgNbdGroups } from '../domain/clv/bgnbd.ts';
import { CLV_DEFAULTS } from '../domain/clv/clv.ts';
import type { FitAllResult } from '../domain/clv/fit-all.ts';
import { type CountData, countDataFromDays } from '../domain/clv/frequency-groups.ts';
import { fitGammaGammaGroups, type SpendData, spendDataFromTotals } from '../domain/clv/gamma-gamma.ts';
import { fitParetoNbdGroups } from '../domain/clv/pareto-nbd.ts';
import type { PurchaseModel } from '../domain/clv/purchase-model.ts';
import { daysPerUnit } from '../domain/clv/summaries.ts';
import type { FitResult, GammaGammaFit, TimeUnit } from '../domain/clv/types.ts';
import { scoreMembers, summariesOf } from './clv-scoring.ts';
import type { Deps } from './deps.ts';
import { requireProgram } from './require-program.ts';

/** Months of future purchases the CLV covers (and the horizon of expected purchases): one year. */
export const CLV_HORIZON_MONTHS = CLV_DEFAULTS.horizonMonths;
/** Annual discount rate applied to future margin: 10%, a common cost of capital for retailers. */
export const CLV_DISCOUNT_RATE = CLV_DEFAULTS.annualDiscountRate;
/** Share of spend counted as value: 1, so CLV is in revenue terms unless a margin is given. */
export const CLV_MARGIN = CLV_DEFAULTS.margin;
/** Weeks: the unit of the published BTYD results, and coarse enough that tx and T vary smoothly. */
export const CLV_TIME_UNIT: TimeUnit = 'week';

export interface FitClvOptions {
  programId: string;
  /** Purchase-count model (default BG/NBD). */
  model?: CountModel | undefined;
  /** Spend-per-order model (default and only choice: Gamma-Gamma). */
  spendModel?: SpendModel | undefined;
  /** Last day of the calibration period, inclusive; default the program's as-of date, else the clock. */
  calibrationEnd?: Date | undefined;
  timeUnit?: TimeUnit | undefined;
  discountRate?: number | undefined;
  margin?: number | undefined;
  horizonMonths?: number | undefined;
  /**
   * Fit on at most this many customers, taken evenly across the member ids (every k-th), then score
   * everyone. Default: all customers. The fit's `n` says how many were used.
   */
  fitSample?: number | undefined;
}

/**
 * Fits the count model and the spend model to the program's summaries as of the calibration end,
 * stores both, and replaces every customer's predictions (in one transaction).
 */
export async function fitClv(deps: Deps, options: FitClvOptions): Promise<ClvFitReport> {
  const program = await requireProgram(deps.db, options.programId);
  const calibrationEnd = options.calibrationEnd ?? program.as_of ?? deps.clock();
  const timeUnit = options.timeUnit ?? CLV_TIME_UNIT;
  const countModel = options.model ?? 'bgnbd';
  const clv = {
    horizonMonths: options.horizonMonths ?? CLV_HORIZON_MONTHS,
    discountRate: options.discountRate ?? CLV_DISCOUNT_RATE,
    margin: options.margin ?? CLV_MARGIN,
  };
  if (!(clv.discountRate > -1)) throw new AppError('USAGE', '--discount-rate must be greater than -1');
  if (!(clv.margin >= 0 && clv.margin <= 1)) throw new AppError('USAGE', '--margin must be between 0 and 1');

  let started = performance.now();
  const columns = await readClvSummaries(deps.db, { programId: options.programId, calibrationEnd });
  const readSummaries = lap();
  if (columns.length === 0) {
    throw new AppError(
      'INVALID_INPUT',
      `program "${options.programId}" has no orders on or before ${calibrationEnd.toISOString().slice(0, 10)}; there is nothing to fit`,
    );
  }
  const data = fitDataOf(columns, timeUnit, sampleOf(columns.length, options.fitSample));
  const countFit = countModel === 'bgnbd' ? fitBgNbdGroups(data.counts) : fitParetoNbdGroups(data.counts);
  const fitCountModel = lap();
  const skipped: FitAllResult['skipped'] = [];
  let spendFit: GammaGammaFit | undefined;
  if (data.spend.customers > 0) {
    spendFit = fitGammaGammaGroups(data.spend);
  } else {
    skipped.push({ model: 'gamma-gamma', reason: 'no customer has a repeat purchase with positive spend' });
  }
  const fitSpendModel = lap();

  const purchase: PurchaseModel =
    countFit.model === 'bgnbd'
      ? { model: 'bgnbd', params: countFit.params }
      : { model: 'pareto-nbd', params: countFit.params };
  const fittedAt = deps.clock();
  const countReport = reportOf(randomUUID(), countFit);
  const spendReport = spendFit === undefined ? null : reportOf(randomUUID(), spendFit);
  const predictions = scoreMembers(columns, summariesOf(columns, timeUnit), {
    purchase,
    spend: spendFit?.params,
    timeUnit,
    ...clv,
  });
  await deps.db.transaction().execute(async (trx) => {
    for (const report of [countReport, spendReport]) {
      if (report === null) continue;
      await insertClvModel(trx, {
        id: report.modelId,
        programId: options.programId,
        model: report.model,
        params: report.params,
        standardErrors: report.standardErrors,
        logLikelihood: report.logLikelihood,
        n: report.n,
        converged: report.converged,
        iterations: report.iterations,
        calibrationEnd,
        timeUnit,
        fittedAt,
      });
    }
    await replacePredictions(
      trx,
      options.programId,
      {
        modelId: countReport.modelId,
        spendModelId: spendReport?.modelId ?? null,
        computedAt: fittedAt,
      },
      predictions,
    );
  });
  const scoreAndWrite = lap();
  deps.log.info('clv fitted', { programId: options.programId, model: countModel, customers: columns.length });
  return {
    ...countReport,
    programId: options.programId,
    calibrationEnd: calibrationEnd.toISOString(),
    timeUnit,
    customers: columns.length,
    spendModel: spendReport,
    skipped,
    clv,
    scored: columns.length,
    computedAt: fittedAt.toISOString(),
    seconds: { readSummaries, fitCountModel, fitSpendModel, scoreAndWrite },
  };

  function lap(): number {
    const now = performance.now();
    const seconds = (now - started) / 1000;
    started = now;
    return Math.round(seconds * 1000) / 1000;
  }
}

function reportOf(modelId: string, fit: FitResult<ClvModelFit['model'], object>): ClvModelFit {
  return {
    modelId,
    model: fit.model,
    params: { ...(fit.params as Record<string, number>) },
    logLikelihood: fit.logLikelihood,
    n: fit.n,
    converged: fit.converged,
    iterations: fit.iterations,
    standardErrors:
      fit.standardErrors === undefined ? null : { ...(fit.standardErrors as Record<string, number>) },
  };
}

/** Indices of every k-th customer so that at most `limit` remain; undefined (everyone) without a limit. */
function sampleOf(length: number, limit: number | undefined): Int32Array | undefined {
  if (limit === undefined || length <= limit) return undefined;
  if (!(Number.isInteger(limit) && limit > 0))
    throw new AppError('USAGE', '--fit-sample must be a whole number > 0');
  const step = length / limit;
  return Int32Array.from({ length: limit }, (_, i) => Math.floor(i * step));
}

/** What the fits need: customers counted into (x, tx, T) groups, spenders into (x, zbar) groups. */
export interface FitData {
  counts: CountData;
  spend: SpendData;
}

/**
 * Counts the customers (all, or those at `indices`) into the weighted groups the likelihoods sum
 * over. Grouping is exact: tx and T are whole days in the time unit and zbar the repeat total over
 * x, the same numbers summariesOf gives each member.
 */
export function fitDataOf(
  columns: ClvSummaryColumns,
  timeUnit: TimeUnit,
  indices?: Int32Array | undefined,
): FitData {
  const txDays = new Int32Array(columns.length);
  const ageDays = new Int32Array(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const first = columns.firstDay[i] as number;
    txDays[i] = (columns.lastDay[i] as number) - first;
    ageDays[i] = columns.calibrationEndDay - first;
  }
  return {
    counts: countDataFromDays(columns.x, txDays, ageDays, daysPerUnit(timeUnit), indices),
    spend: spendDataFromTotals(columns.x, columns.repeatSpend, indices),
  };
}
