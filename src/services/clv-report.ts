import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CountModel } from '../contracts/clv.ts';
import { AppError } from '../contracts/errors.ts';
import { readClvSummaries } from '../db/queries/clv-kept-summaries.ts';
import { firstOrderAt, readPurchaseDays, utcDayNumber } from '../db/queries/clv-summaries.ts';
import { fitAll } from '../domain/clv/fit-all.ts';
import type { PurchaseModel } from '../domain/clv/purchase-model.ts';
import { renderValidationSvg } from '../domain/clv/render-validation-svg.ts';
import { holdoutLength, type Transaction } from '../domain/clv/summaries.ts';
import type { TimeUnit } from '../domain/clv/types.ts';
import {
  type CumulativeTracking,
  cumulativeRepeatTracking,
  type FrequencyBin,
  holdoutByFrequency,
} from '../domain/clv/validation.ts';
import { summariesOf } from './clv-scoring.ts';
import type { Deps } from './deps.ts';
import { CLV_TIME_UNIT } from './fit-clv.ts';
import { requireProgram } from './require-program.ts';

/** File name of the chart written into the report folder. */
export const CLV_REPORT_SVG = 'clv-validation.svg';
const DAY_MS = 86_400_000;

export interface ClvReportOptions {
  programId: string;
  model?: CountModel | undefined;
  /** Default: halfway between the first order and the holdout end, the split FHL (2005) used on CDNOW. */
  calibrationEnd?: Date | undefined;
  /** Last holdout day, inclusive. Default: the program's as-of date, else the clock. */
  holdoutEnd?: Date | undefined;
  timeUnit?: TimeUnit | undefined;
  /** Folder to write the SVG chart into; no file is written without it. */
  outDir?: string | undefined;
}

export interface ClvReport {
  programId: string;
  model: CountModel;
  params: Record<string, number>;
  logLikelihood: number;
  calibrationEnd: string;
  holdoutEnd: string;
  timeUnit: TimeUnit;
  /** Holdout length in the time unit. */
  holdoutLength: number;
  customers: number;
  /** Repeat purchases in the holdout: observed, and the sum of the members' conditional expectations. */
  holdout: { actual: number; predicted: number };
  /** Mean actual vs predicted holdout purchases per calibration frequency (0..6, 7+). */
  frequencyBins: FrequencyBin[];
  /** Cumulative repeat purchases of the calibration cohort per period, actual vs model. */
  tracking: CumulativeTracking;
  /** Where the chart was written, when an output folder was given. */
  svgPath: string | null;
}

/**
 * Calibration/holdout validation (Fader, Hardie & Lee 2005, figs. 3-4): fits the count model on the
 * calibration period only and compares its forecasts with what members then did in the holdout.
 * The fit is made afresh (it is not the stored model, whose calibration usually runs to today).
 */
export async function clvReport(deps: Deps, options: ClvReportOptions): Promise<ClvReport> {
  const program = await requireProgram(deps.db, options.programId);
  const holdoutEnd = options.holdoutEnd ?? program.as_of ?? deps.clock();
  const first = await firstOrderAt(deps.db, options.programId);
  if (first === null) throw new AppError('INVALID_INPUT', `program "${options.programId}" has no orders yet`);
  const calibrationEnd =
    options.calibrationEnd ??
    new Date(Math.floor((utcDayNumber(first) + utcDayNumber(holdoutEnd)) / 2) * DAY_MS);
  if (utcDayNumber(calibrationEnd) >= utcDayNumber(holdoutEnd)) {
    throw new AppError('USAGE', '--calibration-end must be before --holdout-end');
  }
  const timeUnit = options.timeUnit ?? CLV_TIME_UNIT;
  const modelName = options.model ?? 'bgnbd';
  const query = { programId: options.programId, calibrationEnd, holdoutEnd };
  const columns = await readClvSummaries(deps.db, query);
  if (columns.length === 0) {
    throw new AppError(
      'INVALID_INPUT',
      `program "${options.programId}" has no orders on or before ${calibrationEnd.toISOString().slice(0, 10)}`,
    );
  }
  const summaries = summariesOf(columns, timeUnit);
  const fit = fitAll(summaries, { models: [modelName], standardErrors: false });
  const model: PurchaseModel =
    fit.bgnbd !== undefined
      ? { model: 'bgnbd', params: fit.bgnbd.params }
      : { model: 'pareto-nbd', params: (fit.paretoNbd as NonNullable<typeof fit.paretoNbd>).params };
  const fitted = (fit.bgnbd ?? fit.paretoNbd) as { logLikelihood: number };
  const length = holdoutLength({ calibrationEnd, holdoutEnd, timeUnit });
  const frequencyBins = holdoutByFrequency(summaries, model, length);
  const days = await readPurchaseDays(deps.db, query);
  const transactions: Transaction[] = Array.from(days.day, (day, i) => ({
    memberId: String(days.memberId[i]),
    at: day * DAY_MS,
    amount: 0,
  }));
  const tracking = cumulativeRepeatTracking(transactions, model, { calibrationEnd, holdoutEnd, timeUnit });
  const actual = frequencyBins.reduce((sum, b) => sum + b.actual * b.customers, 0);
  const predicted = frequencyBins.reduce((sum, b) => sum + b.predicted * b.customers, 0);
  let svgPath: string | null = null;
  if (options.outDir !== undefined) {
    await mkdir(options.outDir, { recursive: true });
    svgPath = join(options.outDir, CLV_REPORT_SVG);
    const svg = renderValidationSvg({
      title: `${options.programId}: ${modelName} calibration to ${calibrationEnd.toISOString().slice(0, 10)}, holdout to ${holdoutEnd.toISOString().slice(0, 10)}`,
      frequencyBins,
      tracking,
      periodLabel: timeUnit,
    });
    await writeFile(svgPath, svg);
  }
  return {
    programId: options.programId,
    model: modelName,
    params: { ...model.params },
    logLikelihood: fitted.logLikelihood,
    calibrationEnd: calibrationEnd.toISOString(),
    holdoutEnd: holdoutEnd.toISOString(),
    timeUnit,
    holdoutLength: length,
    customers: columns.length,
    holdout: { actual, predicted },
    frequencyBins,
    tracking,
    svgPath,
  };
}
