import type { Command } from 'commander';
import { AppError } from '../../contracts/errors.ts';
import type { ImportSummary } from '../../contracts/import-summary.ts';
import { RecordKind } from '../../contracts/records.ts';
import { importFile } from '../../services/import-file.ts';
import { importPreset, PRESETS, type Preset } from '../../services/import-preset.ts';
import type { ByteProgress } from '../../services/ingest/read-source.ts';
import { type CliContext, type GlobalOptions, printJson, withSession } from '../cli-context.ts';
import { createProgress } from '../progress.ts';
import { formatRefresh, runRefresh } from './refresh-command.ts';

interface ImportOptions {
  format?: 'csv' | 'ndjson';
  map?: string;
  maxErrors: string;
  rejects?: string;
  json?: boolean;
  refresh?: boolean;
}

const TARGETS = [...RecordKind.options, ...Object.keys(PRESETS)];

export function registerImport(program: Command, context: CliContext): void {
  program
    .command('import')
    .description(
      `load a file: a record kind (${RecordKind.options.join(', ')}) or a dataset preset (${Object.keys(PRESETS).join(', ')})`,
    )
    .argument('<what>', 'record kind or preset')
    .argument('<file>', 'CSV or NDJSON file, optionally gzipped')
    .option('--format <format>', 'csv or ndjson (default: from the file name)')
    .option(
      '--map <pairs>',
      'CSV column to field, e.g. customer=memberId,when=occurredAt (column= ignores a column)',
    )
    .option('--max-errors <n>', 'rows that may be refused before nothing is applied', '0')
    .option(
      '--rejects <path>',
      'where refused rows are listed (default: <file name>.rejects.csv in the working directory)',
    )
    .option('--no-refresh', 'skip the segment refresh that follows a successful import')
    .option('--json', 'print the summary as JSON')
    .action(async (what: string, file: string, options: ImportOptions, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      if (!TARGETS.includes(what))
        throw new AppError('USAGE', `cannot import "${what}"; choose one of ${TARGETS.join(', ')}`);
      const maxErrors = Number(options.maxErrors);
      if (!Number.isSafeInteger(maxErrors) || maxErrors < 0)
        throw new AppError('USAGE', '--max-errors must be a whole number');
      if (options.format && !['csv', 'ndjson'].includes(options.format))
        throw new AppError('USAGE', '--format must be csv or ndjson');
      const summary = await withSession(context, global, async ({ deps }) => {
        const progress: ByteProgress = { bytes: 0, total: 0 };
        const bar = createProgress(context.stderr, !options.json, `import ${what}`);
        let records = 0;
        const onRecord = () => {
          if (++records % 2_000 === 0) bar.update(progress.bytes, progress.total, records);
        };
        let imported: ImportSummary;
        try {
          const common = { file, maxErrors, rejectsPath: options.rejects, progress, onRecord };
          imported =
            what in PRESETS
              ? await importPreset(deps, { preset: what as Preset, programId: global.program, ...common })
              : await importFile(deps, {
                  programId: global.program ?? context.config.program,
                  kind: what as RecordKind,
                  format: options.format,
                  map: parseMap(options.map),
                  ...common,
                });
        } finally {
          bar.stop();
        }
        // R/F/M ranks and top-percent thresholds are program-wide: rank the new data at once.
        const refresh =
          options.refresh === false
            ? null
            : await runRefresh(context, deps, { programId: imported.programId, quiet: options.json });
        return { ...imported, refresh };
      });
      if (options.json) printJson(context, summary);
      else {
        context.stdout.write(formatSummary(summary));
        if (summary.refresh) context.stdout.write(formatRefresh(summary.refresh));
      }
    });
}

function parseMap(text: string | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  for (const pair of (text ?? '').split(',').filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new AppError('USAGE', `--map expects column=field pairs; got "${pair}"`);
    map[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return map;
}

function formatSummary(s: ImportSummary): string {
  const n = (value: number) => value.toLocaleString('en');
  const lines = [
    `Imported ${s.file} into program "${s.programId}" in ${s.seconds.toFixed(1)} s`,
    `  read       ${n(s.read)}`,
    `  imported   ${n(s.imported)}`,
    `  updated    ${n(s.updated)}`,
    `  duplicate  ${n(s.duplicate)}`,
    `  rejected   ${n(s.rejected)}${s.rejectsFile ? `  (listed in ${s.rejectsFile})` : ''}`,
  ];
  for (const k of s.byKind)
    lines.push(`  ${k.kind}: ${n(k.inserted)} new, ${n(k.updated)} updated, ${n(k.duplicate)} duplicate`);
  if (s.special.length > 0) {
    lines.push('  treated specially:');
    for (const { label, count } of s.special) lines.push(`    ${label}: ${n(count)}`);
  }
  return `${lines.join('\n')}\n`;
}
