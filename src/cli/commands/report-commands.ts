import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AppError } from '../../contracts/errors.ts';
import type {
  CampaignReport,
  HealthReport,
  SegmentedVsBroadcastReport,
} from '../../contracts/measurement.ts';
import { AttributionRule } from '../../contracts/measurement.ts';
import { Timestamp } from '../../contracts/scalars.ts';
import { compareCampaigns } from '../../services/reports/compare-campaigns.ts';
import { reportCampaign } from '../../services/reports/report-campaign.ts';
import { reportCsv } from '../../services/reports/report-csv.ts';
import {
  DEFAULT_HEALTH_MONTHS,
  DEFAULT_HEALTH_SCHEME,
  DEFAULT_POINT_VALUE,
  reportHealth,
} from '../../services/reports/report-health.ts';
import { type CliContext, type GlobalOptions, printJson, withSession } from '../cli-context.ts';
import { printTable } from '../print-table.ts';

const programOf = (context: CliContext, global: GlobalOptions) => global.program ?? context.config.program;

function number(name: string, value: string | undefined, whole = false): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || (whole && !Number.isInteger(parsed))) {
    throw new AppError('USAGE', `${name} must be a ${whole ? 'whole ' : ''}number, got "${value}"`);
  }
  return parsed;
}

interface LiftFlags {
  rule: string;
  minMembers?: string;
  minConversions?: string;
  confidence?: string;
  json?: boolean;
  csv?: string;
}

function settingsOf(options: LiftFlags) {
  if (!(AttributionRule.options as readonly string[]).includes(options.rule)) {
    throw new AppError(
      'USAGE',
      `--rule must be one of ${AttributionRule.options.join(', ')}, got "${options.rule}"`,
    );
  }
  const settings: Record<string, unknown> = { attributionRule: options.rule };
  const minMembers = number('--min-members', options.minMembers, true);
  const minConversions = number('--min-conversions', options.minConversions, true);
  const confidence = number('--confidence', options.confidence);
  if (minMembers !== undefined) settings.minMembers = minMembers;
  if (minConversions !== undefined) settings.minConversions = minConversions;
  if (confidence !== undefined) {
    if (!(confidence > 0 && confidence < 1))
      throw new AppError('USAGE', `--confidence must be between 0 and 1, got ${confidence}`);
    settings.confidenceLevel = confidence;
  }
  return settings;
}

function liftOptions(command: Command): Command {
  return command
    .option('--rule <rule>', 'attribution rule: last_touch or first_touch', 'last_touch')
    .option('--min-members <n>', 'fewer members in an arm make a cell low-count (default 100)')
    .option(
      '--min-conversions <n>',
      'fewer conversions (or non-conversions) make a lift low-count (default 10)',
    )
    .option('--confidence <level>', 'confidence level of the intervals (default 0.95)')
    .option('--json', 'print the report as JSON')
    .option('--csv <file>', "also write the report's rows to a CSV file");
}

const fixed = (value: number | null, digits = 4) => (value === null ? '-' : value.toFixed(digits));
const interval = (l: { estimate: number | null; lower: number | null; upper: number | null }) =>
  l.estimate === null ? '-' : `${fixed(l.estimate)} [${fixed(l.lower)}, ${fixed(l.upper)}]`;

function printCampaign(context: CliContext, report: CampaignReport): void {
  const s = report.settings;
  context.stdout.write(
    `campaign ${report.campaignId} (${report.currency ?? 'no currency'}): ${s.attributionRule}, window ${s.windowSeconds / 86_400} days, ${s.confidenceLevel * 100}% intervals\n\n`,
  );
  printTable(context.stdout, report.cells, [
    ['scheme', (c) => c.scheme ?? '(all)'],
    ['segment', (c) => (c.scheme === null ? '' : (c.segment ?? '(none)'))],
    ['arm', (c) => c.arm],
    ['assigned', (c) => c.assigned, 'right'],
    ['sent', (c) => c.sent, 'right'],
    ['opened', (c) => c.opened, 'right'],
    ['clicked', (c) => c.clicked, 'right'],
    ['converted', (c) => c.converted, 'right'],
    ['rate', (c) => fixed(c.conversionRate), 'right'],
    ['revenue', (c) => c.revenue, 'right'],
    ['cost', (c) => c.totalCost, 'right'],
    ['CPA', (c) => c.costPerAcquisition ?? '-', 'right'],
    ['status', (c) => c.status],
  ]);
  context.stdout.write('\n');
  printTable(context.stdout, report.lifts, [
    ['scheme', (l) => l.scheme ?? '(all)'],
    ['segment', (l) => (l.scheme === null ? '' : (l.segment ?? '(none)'))],
    ['variant', (l) => l.variant],
    ['metric', (l) => `${l.metric} ${l.scale}`],
    ['lift [interval]', interval, 'right'],
    ['p', (l) => fixed(l.pValue), 'right'],
    ['status', (l) => (l.reason === null ? l.status : `${l.status}: ${l.reason}`)],
  ]);
}

function printComparison(context: CliContext, report: SegmentedVsBroadcastReport): void {
  printTable(context.stdout, report.sides, [
    ['side', (r) => r.side],
    ['campaign', (r) => r.campaignId],
    ['metric', (r) => r.metric],
    ['treated', (r) => r.treatedMembers, 'right'],
    ['holdout', (r) => r.holdoutMembers, 'right'],
    ['lift [interval]', interval, 'right'],
    ['p', (r) => fixed(r.pValue), 'right'],
    ['status', (r) => (r.reason === null ? r.status : `${r.status}: ${r.reason}`)],
  ]);
  context.stdout.write('\n');
  printTable(context.stdout, report.differences, [
    ['targeted - broadcast', (r) => r.metric],
    ['difference [interval]', interval, 'right'],
    ['p', (r) => fixed(r.pValue), 'right'],
    ['status', (r) => (r.reason === null ? r.status : `${r.status}: ${r.reason}`)],
  ]);
  context.stdout.write('\n');
  printTable(context.stdout, report.economics, [
    ['side', (r) => r.side],
    ['total cost', (r) => r.totalCost, 'right'],
    ['cost/treated', (r) => r.costPerTreatedMember ?? '-', 'right'],
    ['incr. conversions', (r) => fixed(r.incrementalConversions, 1), 'right'],
    ['incr. revenue', (r) => fixed(r.incrementalRevenue, 2), 'right'],
    ['cost/incr. conversion', (r) => fixed(r.costPerIncrementalConversion, 2), 'right'],
  ]);
}

function printHealth(context: CliContext, report: HealthReport): void {
  context.stdout.write(
    `program ${report.programId}, ${report.periods[0]} to ${report.periods.at(-1)}\n\nsegment sizes\n`,
  );
  printTable(context.stdout, report.segmentSizes, [
    ['period', (r) => r.period],
    ['scheme', (r) => r.scheme],
    ['segment', (r) => r.segment ?? '(none)'],
    ['members', (r) => r.members, 'right'],
    ['share', (r) => fixed(r.share, 3), 'right'],
  ]);
  context.stdout.write(
    '\nengagement (dip: a drop of more than ' +
      `${report.settings.dipThreshold * 100}% on the previous period)\n`,
  );
  printTable(context.stdout, report.engagement, [
    ['by', (r) => r.groupBy],
    ['group', (r) => r.group],
    ['period', (r) => r.period],
    ['members', (r) => r.members, 'right'],
    ['active', (r) => r.active, 'right'],
    ['rate', (r) => fixed(r.rate, 3), 'right'],
    ['change', (r) => fixed(r.change, 3), 'right'],
    ['', (r) => (r.dip ? 'DIP' : r.status === 'ok' ? '' : r.status)],
  ]);
  context.stdout.write('\nmigration\n');
  printTable(context.stdout, report.migration, [
    ['scheme', (r) => r.scheme],
    ['from', (r) => r.from ?? '(none)'],
    ['to', (r) => r.to ?? '(none)'],
    ['members', (r) => r.members, 'right'],
    ['share of from', (r) => fixed(r.shareOfFrom, 3), 'right'],
  ]);
  const l = report.liability;
  context.stdout.write(
    `\npoints liability at ${l.pointValue} a point, redemption rate ${fixed(l.redemptionRate, 3)} (${l.redemptionRateSource})\n`,
  );
  printTable(context.stdout, l.rows, [
    ['group', (r) => r.group ?? '(program)'],
    ['members', (r) => r.membersWithBalance, 'right'],
    ['points', (r) => r.outstandingPoints, 'right'],
    ['value', (r) => r.outstandingValue, 'right'],
    ['expected redemption', (r) => r.expectedRedemptionValue ?? '-', 'right'],
  ]);
}

/** `narrowcast reports campaign|compare|health`: measured results and program health. */
export function registerReports(program: Command, context: CliContext): void {
  const reports = program.command('reports').description('campaign results with lift, and program health');
  liftOptions(
    reports
      .command('campaign <id>')
      .description('per segment and variant results of a campaign, with lift against its holdout')
      .option('--scheme <name...>', 'break down by these schemes only (default: every scheme)'),
  ).action(async (id: string, options: LiftFlags & { scheme?: string[] }, command: Command) => {
    const global = command.optsWithGlobals<GlobalOptions>();
    const report = await withSession(context, global, ({ deps }) =>
      reportCampaign(deps, {
        programId: programOf(context, global),
        campaign: id,
        schemes: options.scheme,
        settings: settingsOf(options),
      }),
    );
    if (options.csv !== undefined)
      await writeFile(options.csv, reportCsv({ cells: report.cells, lifts: report.lifts }));
    if (options.json) printJson(context, report);
    else printCampaign(context, report);
  });
  liftOptions(
    reports
      .command('compare <targeted> <broadcast>')
      .description(
        'a segment-targeted campaign against a broadcast one (or one to a random audience of the same size)',
      ),
  ).action(async (targeted: string, broadcast: string, options: LiftFlags, command: Command) => {
    const global = command.optsWithGlobals<GlobalOptions>();
    const report = await withSession(context, global, ({ deps }) =>
      compareCampaigns(deps, {
        programId: programOf(context, global),
        targeted,
        broadcast,
        settings: settingsOf(options),
      }),
    );
    if (options.csv !== undefined) {
      await writeFile(
        options.csv,
        reportCsv({ sides: report.sides, differences: report.differences, economics: report.economics }),
      );
    }
    if (options.json) printJson(context, report);
    else printComparison(context, report);
  });
  reports
    .command('health')
    .description('segment sizes and migration, engagement with dips, points liability, Apostle distribution')
    .option('--until <date>', 'end of the report (default: now)')
    .option('--months <n>', `calendar months covered (default ${DEFAULT_HEALTH_MONTHS})`)
    .option(
      '--scheme <name>',
      `scheme to break engagement and liability down by (default ${DEFAULT_HEALTH_SCHEME})`,
    )
    .option(
      '--dip-threshold <share>',
      'a drop of more than this share on the previous period is a dip (default 0.2)',
    )
    .option('--min-members <n>', 'smaller groups are never flagged (default 30)')
    .option('--point-value <money>', `value of one point (default ${DEFAULT_POINT_VALUE})`)
    .option('--redemption-rate <share>', 'expected share of points redeemed (default: from history)')
    .option('--json', 'print the report as JSON')
    .option('--csv <file>', "also write the report's rows to a CSV file")
    .action(async (options: Record<string, string | boolean | undefined>, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const text = (name: string) =>
        typeof options[name] === 'string' ? (options[name] as string) : undefined;
      let until: Date | undefined;
      const untilText = text('until');
      if (untilText !== undefined) {
        const parsed = Timestamp.safeParse(untilText);
        if (!parsed.success)
          throw new AppError('USAGE', `--until must be a date such as 2024-06-30, got "${untilText}"`);
        until = new Date(parsed.data);
      }
      const report = await withSession(context, global, ({ deps }) =>
        reportHealth(deps, {
          programId: programOf(context, global),
          until,
          months: number('--months', text('months'), true),
          scheme: text('scheme'),
          dipThreshold: number('--dip-threshold', text('dipThreshold')),
          minMembers: number('--min-members', text('minMembers'), true),
          pointValue: text('pointValue'),
          redemptionRate: number('--redemption-rate', text('redemptionRate')),
        }),
      );
      const csv = text('csv');
      if (csv !== undefined) {
        await writeFile(
          csv,
          reportCsv({
            segmentSizes: report.segmentSizes,
            migration: report.migration,
            engagement: report.engagement,
            liability: report.liability.rows,
            apostle: report.apostle,
          }),
        );
      }
      if (options.json) printJson(context, report);
      else printHealth(context, report);
    });
}
