import type { Command } from 'commander';
import { ClvTimeUnit, CountModel, SpendModel } from '../../contracts/clv.ts';
import { AppError } from '../../contracts/errors.ts';
import { Timestamp } from '../../contracts/scalars.ts';
import { clvReport } from '../../services/clv-report.ts';
import { CLV_DISCOUNT_RATE, CLV_MARGIN, CLV_TIME_UNIT, fitClv } from '../../services/fit-clv.ts';
import { type CliContext, type GlobalOptions, printJson, withSession } from '../cli-context.ts';

const programOf = (context: CliContext, global: GlobalOptions) => global.program ?? context.config.program;

function choice<T extends string>(name: string, schema: { options: readonly T[] }, value: string): T {
  if (!(schema.options as readonly string[]).includes(value)) {
    throw new AppError('USAGE', `${name} must be one of ${schema.options.join(', ')}, got "${value}"`);
  }
  return value as T;
}

function date(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const parsed = Timestamp.safeParse(value);
  if (!parsed.success)
    throw new AppError('USAGE', `${name} must be a date such as 1997-09-30, got "${value}"`);
  return new Date(parsed.data);
}

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed))
    throw new AppError('USAGE', `${name} must be a number, got "${value}"`);
  return parsed;
}

interface FitFlags {
  model: string;
  spendModel: string;
  calibrationEnd?: string;
  timeUnit: string;
  discountRate?: string;
  margin?: string;
  fitSample?: string;
  json?: boolean;
}

interface ReportFlags {
  model: string;
  calibrationEnd?: string;
  holdoutEnd?: string;
  timeUnit: string;
  out?: string;
  json?: boolean;
}

/** `narrowcast clv fit` and `narrowcast clv report`: predictive customer value. */
export function registerClv(program: Command, context: CliContext): void {
  const clv = program
    .command('clv')
    .description('predictive customer value (BG/NBD, Pareto/NBD, Gamma-Gamma)');
  clv
    .command('fit')
    .description('fit the purchase and spend models and score every customer')
    .option('--model <name>', 'purchase-count model: bgnbd or pareto-nbd', 'bgnbd')
    .option('--spend-model <name>', 'spend-per-order model', 'gamma-gamma')
    .option(
      '--calibration-end <date>',
      "last day of the data to fit on (default: the program's as-of date, else today)",
    )
    .option('--time-unit <unit>', 'day or week', CLV_TIME_UNIT)
    .option('--discount-rate <rate>', `annual discount rate of future value (default ${CLV_DISCOUNT_RATE})`)
    .option('--margin <share>', `share of spend counted as value, 0-1 (default ${CLV_MARGIN})`)
    .option('--fit-sample <n>', 'fit on at most n customers spread evenly across the program (default: all)')
    .option('--json', 'print the result as JSON')
    .action(async (options: FitFlags, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const request = {
        programId: programOf(context, global),
        model: choice('--model', CountModel, options.model),
        spendModel: choice('--spend-model', SpendModel, options.spendModel),
        calibrationEnd: date('--calibration-end', options.calibrationEnd),
        timeUnit: choice('--time-unit', ClvTimeUnit, options.timeUnit),
        discountRate: number('--discount-rate', options.discountRate),
        margin: number('--margin', options.margin),
        fitSample: number('--fit-sample', options.fitSample),
      };
      const result = await withSession(context, global, ({ deps }) => fitClv(deps, request));
      if (options.json) return printJson(context, result);
      const fits = [result, ...(result.spendModel ? [result.spendModel] : [])];
      const lines = [
        `CLV models for "${result.programId}", calibration to ${result.calibrationEnd.slice(0, 10)}, ${result.timeUnit}s, ${result.customers} customers`,
        '',
        `${'model'.padEnd(12)} ${'parameter'.padEnd(10)} ${'estimate'.padStart(12)} ${'std error'.padStart(12)}`,
      ];
      for (const fit of fits) {
        for (const [name, value] of Object.entries(fit.params)) {
          const se = fit.standardErrors?.[name];
          lines.push(
            `${fit.model.padEnd(12)} ${name.padEnd(10)} ${value.toFixed(4).padStart(12)} ${(se === undefined ? '-' : se.toFixed(4)).padStart(12)}`,
          );
        }
        lines.push(
          `${fit.model.padEnd(12)} ${'LL'.padEnd(10)} ${fit.logLikelihood.toFixed(2).padStart(12)}   n=${fit.n}${fit.converged ? '' : ' (NOT converged)'}`,
        );
      }
      for (const s of result.skipped) lines.push(`skipped ${s.model}: ${s.reason}`);
      lines.push(
        '',
        `Scored ${result.scored} members: ${result.clv.horizonMonths}-month CLV at ${result.clv.discountRate} discount rate and ${result.clv.margin} margin.`,
        '',
      );
      context.stdout.write(lines.join('\n'));
    });
  clv
    .command('report')
    .description('calibration/holdout validation of the purchase model, as JSON and an SVG chart')
    .option('--model <name>', 'purchase-count model: bgnbd or pareto-nbd', 'bgnbd')
    .option(
      '--calibration-end <date>',
      'last calibration day (default: halfway from the first order to the holdout end)',
    )
    .option('--holdout-end <date>', "last holdout day (default: the program's as-of date, else today)")
    .option('--time-unit <unit>', 'day or week', CLV_TIME_UNIT)
    .option('--out <dir>', 'folder to write clv-validation.svg into', '.')
    .option('--json', 'print the report as JSON')
    .action(async (options: ReportFlags, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const request = {
        programId: programOf(context, global),
        model: choice('--model', CountModel, options.model),
        calibrationEnd: date('--calibration-end', options.calibrationEnd),
        holdoutEnd: date('--holdout-end', options.holdoutEnd),
        timeUnit: choice('--time-unit', ClvTimeUnit, options.timeUnit),
        outDir: options.out,
      };
      const report = await withSession(context, global, ({ deps }) => clvReport(deps, request));
      if (options.json) return printJson(context, report);
      const lines = [
        `${report.model} validation for "${report.programId}": calibration to ${report.calibrationEnd.slice(0, 10)}, holdout to ${report.holdoutEnd.slice(0, 10)} (${report.holdoutLength.toFixed(1)} ${report.timeUnit}s)`,
        `holdout repeat purchases: actual ${report.holdout.actual}, predicted ${report.holdout.predicted.toFixed(1)}`,
        '',
        `${'x'.padEnd(4)} ${'customers'.padStart(10)} ${'actual'.padStart(8)} ${'predicted'.padStart(10)}`,
        ...report.frequencyBins.map(
          (b) =>
            `${b.bin.padEnd(4)} ${String(b.customers).padStart(10)} ${b.actual.toFixed(3).padStart(8)} ${b.predicted.toFixed(3).padStart(10)}`,
        ),
        '',
        `chart: ${report.svgPath}`,
        '',
      ];
      context.stdout.write(lines.join('\n'));
    });
}
