import type { Command } from 'commander';
import { AppError } from '../../contracts/errors.ts';
import { Timestamp } from '../../contracts/scalars.ts';
import type { Deps } from '../../services/deps.ts';
import { type RefreshSummary, refreshSegments } from '../../services/segments/refresh-segments.ts';
import { type CliContext, type GlobalOptions, printJson, withSession } from '../cli-context.ts';
import { createProgress } from '../progress.ts';

/** Parses an --as-of flag (a date or timestamp), naming the flag when it is not one. */
export function asOfFlag(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const parsed = Timestamp.safeParse(value);
  if (!parsed.success) throw new AppError('USAGE', `--as-of must be a date or timestamp; got "${value}"`);
  return new Date(parsed.data);
}

/** Runs a refresh with a progress bar on a terminal. */
export async function runRefresh(
  context: CliContext,
  deps: Deps,
  options: {
    programId: string;
    asOf?: Date | undefined;
    full?: boolean | undefined;
    rebuild?: boolean | undefined;
    quiet?: boolean | undefined;
  },
): Promise<RefreshSummary> {
  const bar = createProgress(context.stderr, !options.quiet, 'refresh');
  try {
    return await refreshSegments(deps, {
      programId: options.programId,
      ...(options.asOf ? { asOf: options.asOf } : {}),
      full: options.full ?? false,
      rebuild: options.rebuild ?? false,
      onProgress: (done, total) => bar.update(done, total, done),
    });
  } finally {
    bar.stop();
  }
}

export function formatRefresh(s: RefreshSummary): string {
  const n = (value: number) => value.toLocaleString('en');
  const why = Object.entries(s.reasons)
    .map(([reason, count]) => `${reason.replaceAll('_', ' ')} ${n(count)}`)
    .join(', ');
  return (
    `Refreshed segments of "${s.programId}" as of ${s.asOf} (${s.mode}): ${n(s.evaluated)} members evaluated` +
    `${why ? ` (${why})` : ''}, ${n(s.entered)} entries, ${n(s.left)} exits\n`
  );
}

export function registerRefresh(program: Command, context: CliContext): void {
  program
    .command('refresh')
    .description(
      'bring time-based features and segment memberships up to date (reads stored features, not history)',
    )
    .option('--as-of <date>', "the time to refresh to (default: the program's fixed as-of date, else now)")
    .option('--full', 're-evaluate every member, not only those whose values or thresholds moved')
    .option('--rebuild', "recompute every member's stored aggregates from their full history first")
    .option('--json', 'print the summary as JSON')
    .action(
      async (
        options: { asOf?: string; full?: boolean; rebuild?: boolean; json?: boolean },
        command: Command,
      ) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        const programId = global.program ?? context.config.program;
        const asOf = asOfFlag(options.asOf);
        const summary = await withSession(context, global, ({ deps }) =>
          runRefresh(context, deps, {
            programId,
            asOf,
            full: options.full,
            rebuild: options.rebuild,
            quiet: options.json,
          }),
        );
        if (options.json) printJson(context, summary);
        else context.stdout.write(formatRefresh(summary));
      },
    );
}
