import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AppError } from '../../contracts/errors.ts';
import { Timestamp } from '../../contracts/scalars.ts';
import type { SegmentDetail } from '../../contracts/segments.ts';
import { createSegment } from '../../services/segment-definitions/create-segment.ts';
import { deleteSegment } from '../../services/segment-definitions/delete-segment.ts';
import { setSegmentThresholds } from '../../services/segment-definitions/set-segment-thresholds.ts';
import { showSegment } from '../../services/segment-definitions/show-segment.ts';
import { showSegmentThresholds } from '../../services/segment-definitions/show-segment-thresholds.ts';
import { updateSegment } from '../../services/segment-definitions/update-segment.ts';
import { exportSegment } from '../../services/segment-history/export-segment.ts';
import { listSegmentMembers } from '../../services/segment-history/list-segment-members.ts';
import { listSegments } from '../../services/segment-history/list-segments.ts';
import { segmentMigration } from '../../services/segment-history/segment-migration.ts';
import { segmentOverlap } from '../../services/segment-history/segment-overlap.ts';
import { segmentSizeHistory } from '../../services/segment-history/segment-size-history.ts';
import { type CliContext, type GlobalOptions, printJson, withSession } from '../cli-context.ts';

const programOf = (context: CliContext, global: GlobalOptions) => global.program ?? context.config.program;

/** JSON given inline (starting with { or [) or as a file path. */
export async function jsonArgument(flag: string, value: string): Promise<unknown> {
  const inline = /^\s*[[{]/.test(value);
  let text = value;
  if (!inline) {
    try {
      text = await readFile(value, 'utf8');
    } catch (error) {
      throw new AppError('FILE_UNREADABLE', `cannot read ${flag} file ${value}: ${(error as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError('USAGE', `${flag} is not valid JSON: ${(error as Error).message}`);
  }
}

function dateFlag(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const parsed = Timestamp.safeParse(value);
  if (!parsed.success) throw new AppError('USAGE', `${flag} ${parsed.error.issues[0]?.message}`);
  return new Date(parsed.data);
}

function wholeNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new AppError('USAGE', `${flag} must be a whole number`);
  return n;
}

function printDetail(context: CliContext, detail: SegmentDetail, verb: string): void {
  const { latest } = detail;
  context.stdout.write(
    `${verb} segment ${latest.scheme}/${latest.name} "${latest.label}": version ${latest.version}` +
      `${latest.deleted ? ' (deleted)' : ''}, position ${latest.position}, ${latest.schemeMode}.\n` +
      `Definitions version of program "${detail.programId}" is now ${detail.definitionsVersion}; the next refresh re-evaluates.\n`,
  );
}

/** `narrowcast segments ...`: definitions, memberships and history. */
export function registerSegments(program: Command, context: CliContext): void {
  const segments = program.command('segments').description('segments: definitions, members, history');

  segments
    .command('list')
    .description('every segment with its current size and definition version')
    .option('--scheme <scheme>', 'only this scheme')
    .option('--json', 'print as JSON')
    .action(async (options: { scheme?: string; json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const list = await withSession(context, global, ({ deps }) =>
        listSegments(deps, { programId: programOf(context, global), scheme: options.scheme }),
      );
      if (options.json) return printJson(context, list);
      const width = Math.max(10, ...list.segments.map((s) => `${s.scheme}/${s.name}`.length));
      context.stdout.write(
        `Segments of "${list.programId}" (definitions version ${list.definitionsVersion}, last refresh ${list.refreshedAsOf ?? 'never'})\n` +
          list.segments
            .map(
              (s) =>
                `  ${`${s.scheme}/${s.name}`.padEnd(width)}  ${String(s.size).padStart(9)}  ${String(s.version).padEnd(9)}  ${s.label}\n`,
            )
            .join(''),
      );
    });

  segments
    .command('show')
    .description('a custom segment with every version')
    .argument('<name>', 'segment name')
    .requiredOption('--scheme <scheme>', 'the scheme it belongs to')
    .option('--json', 'print as JSON')
    .action(async (name: string, options: { scheme: string; json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const detail = await withSession(context, global, ({ deps }) =>
        showSegment(deps, { programId: programOf(context, global), scheme: options.scheme, name }),
      );
      if (options.json) return printJson(context, detail);
      for (const v of detail.versions) {
        context.stdout.write(
          `version ${v.version}${v.deleted ? ' (deleted)' : ''} ${v.createdAt}: "${v.label}" position ${v.position}\n  ${JSON.stringify(v.rule)}\n`,
        );
      }
    });

  segments
    .command('create')
    .description('define a custom segment; the rule is checked against the feature catalogue')
    .requiredOption(
      '--scheme <scheme>',
      'scheme of the program’s own (not loyalty, rfm, lifecycle, apostle, declared)',
    )
    .requiredOption('--name <name>', 'segment name: a-z, 0-9, _ : . -')
    .requiredOption('--label <label>', 'how the segment reads to a marketer')
    .requiredOption('--rule <file|json>', 'the rule as JSON, inline or in a file')
    .option('--description <text>', 'what the segment is for')
    .option('--position <n>', 'order in the scheme (first match wins); default last')
    .option('--mode <mode>', 'first_match or overlapping, for a new scheme')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        options: {
          scheme: string;
          name: string;
          label: string;
          rule: string;
          description?: string;
          position?: string;
          mode?: string;
          json?: boolean;
        },
        command: Command,
      ) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        const position = wholeNumber('--position', options.position);
        const input = {
          scheme: options.scheme,
          name: options.name,
          label: options.label,
          rule: await jsonArgument('--rule', options.rule),
          ...(options.description === undefined ? {} : { description: options.description }),
          ...(position === undefined ? {} : { position }),
          ...(options.mode === undefined ? {} : { schemeMode: options.mode }),
        };
        const detail = await withSession(context, global, ({ deps }) =>
          createSegment(deps, { programId: programOf(context, global), input }),
        );
        if (options.json) printJson(context, detail);
        else printDetail(context, detail, 'Created');
      },
    );

  segments
    .command('update')
    .description('change a custom segment: adds a version and keeps the old ones')
    .argument('<name>', 'segment name')
    .requiredOption('--scheme <scheme>', 'the scheme it belongs to')
    .option('--label <label>', 'new label')
    .option('--rule <file|json>', 'new rule as JSON, inline or in a file')
    .option('--description <text>', 'new description')
    .option('--position <n>', 'new order in the scheme')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        name: string,
        options: {
          scheme: string;
          label?: string;
          rule?: string;
          description?: string;
          position?: string;
          json?: boolean;
        },
        command: Command,
      ) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        const position = wholeNumber('--position', options.position);
        const input = {
          ...(options.label === undefined ? {} : { label: options.label }),
          ...(options.rule === undefined ? {} : { rule: await jsonArgument('--rule', options.rule) }),
          ...(options.description === undefined ? {} : { description: options.description }),
          ...(position === undefined ? {} : { position }),
        };
        if (Object.keys(input).length === 0)
          throw new AppError('USAGE', 'nothing to change: give --label, --rule, --description or --position');
        const detail = await withSession(context, global, ({ deps }) =>
          updateSegment(deps, { programId: programOf(context, global), scheme: options.scheme, name, input }),
        );
        if (options.json) printJson(context, detail);
        else printDetail(context, detail, 'Updated');
      },
    );

  segments
    .command('delete')
    .description('delete a custom segment (its versions are kept)')
    .argument('<name>', 'segment name')
    .requiredOption('--scheme <scheme>', 'the scheme it belongs to')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, options: { scheme: string; json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const detail = await withSession(context, global, ({ deps }) =>
        deleteSegment(deps, { programId: programOf(context, global), scheme: options.scheme, name }),
      );
      if (options.json) printJson(context, detail);
      else printDetail(context, detail, 'Deleted');
    });

  segments
    .command('members')
    .description('a page of a segment’s current members, with why each is there')
    .argument('<name>', 'segment name, or scheme/name')
    .option('--scheme <scheme>', 'the scheme, when the name is in several')
    .option('--limit <n>', 'members per page (1-1000)', '100')
    .option('--cursor <cursor>', 'nextCursor of the previous page')
    .option('--json', 'print as JSON')
    .action(
      async (
        name: string,
        options: { scheme?: string; limit: string; cursor?: string; json?: boolean },
        command: Command,
      ) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        const limit = wholeNumber('--limit', options.limit) as number;
        const page = await withSession(context, global, ({ deps }) =>
          listSegmentMembers(deps, {
            programId: programOf(context, global),
            name,
            scheme: options.scheme,
            limit,
            cursor: options.cursor,
          }),
        );
        if (options.json) return printJson(context, page);
        context.stdout.write(
          page.members.map((m) => `${m.memberId}\tsince ${m.since}\t${m.explanation}\n`).join('') +
            (page.nextCursor ? `(more: --cursor ${page.nextCursor})\n` : ''),
        );
      },
    );

  segments
    .command('export')
    .description('stream a segment’s current members as CSV or NDJSON')
    .argument('<name>', 'segment name, or scheme/name')
    .option('--scheme <scheme>', 'the scheme, when the name is in several')
    .option('--format <format>', 'csv or ndjson', 'csv')
    .option('--out <file>', 'write to this file instead of standard output')
    .action(
      async (name: string, options: { scheme?: string; format: string; out?: string }, command: Command) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        const format = options.format;
        if (format !== 'csv' && format !== 'ndjson')
          throw new AppError('USAGE', '--format must be csv or ndjson');
        await withSession(context, global, async ({ deps }) => {
          const exported = await exportSegment(deps, {
            programId: programOf(context, global),
            name,
            scheme: options.scheme,
            format,
          });
          const out: NodeJS.WritableStream =
            options.out === undefined ? context.stdout : createWriteStream(options.out);
          const failed = new Promise<never>((_, reject) =>
            out.once('error', (error: Error) =>
              reject(new AppError('FILE_UNREADABLE', `cannot write ${options.out}: ${error.message}`)),
            ),
          );
          const write = async () => {
            for await (const chunk of exported.chunks) {
              if (!out.write(chunk)) await once(out, 'drain');
            }
            if (options.out !== undefined) await new Promise<void>((resolve) => out.end(resolve));
          };
          await Promise.race([write(), failed]);
        });
      },
    );

  segments
    .command('migration')
    .description('how members moved between segments from one date to another')
    .requiredOption('--from <date>', 'the earlier moment (a date means 00:00 UTC)')
    .requiredOption('--to <date>', 'the later moment')
    .option('--scheme <scheme>', 'only this scheme')
    .option('--json', 'print as JSON')
    .action(
      async (options: { from: string; to: string; scheme?: string; json?: boolean }, command: Command) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        const migration = await withSession(context, global, ({ deps }) =>
          segmentMigration(deps, {
            programId: programOf(context, global),
            from: dateFlag('--from', options.from) as Date,
            to: dateFlag('--to', options.to) as Date,
            scheme: options.scheme,
          }),
        );
        if (options.json) return printJson(context, migration);
        for (const scheme of migration.schemes) {
          context.stdout.write(`${scheme.scheme}: ${migration.from} -> ${migration.to}\n`);
          for (const cell of scheme.cells)
            context.stdout.write(`  ${cell.from} -> ${cell.to}: ${cell.members}\n`);
        }
      },
    );

  segments
    .command('overlap')
    .description('sizes of two segments, their intersection and Jaccard index')
    .argument('<a>', 'segment name, or scheme/name')
    .argument('<b>', 'segment name, or scheme/name')
    .option('--json', 'print as JSON')
    .action(async (a: string, b: string, options: { json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const overlap = await withSession(context, global, ({ deps }) =>
        segmentOverlap(deps, { programId: programOf(context, global), a: { name: a }, b: { name: b } }),
      );
      if (options.json) return printJson(context, overlap);
      context.stdout.write(
        `${overlap.a.scheme}/${overlap.a.segment}: ${overlap.a.size}, ${overlap.b.scheme}/${overlap.b.segment}: ${overlap.b.size}, ` +
          `both: ${overlap.intersection}, Jaccard ${overlap.jaccard.toFixed(3)}\n`,
      );
    });

  segments
    .command('sizes')
    .description('segment sizes over time, from the snapshots each refresh takes')
    .option('--scheme <scheme>', 'only this scheme')
    .option('--from <date>', 'from this moment')
    .option('--to <date>', 'up to this moment')
    .option('--json', 'print as JSON')
    .action(
      async (options: { scheme?: string; from?: string; to?: string; json?: boolean }, command: Command) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        const history = await withSession(context, global, ({ deps }) =>
          segmentSizeHistory(deps, {
            programId: programOf(context, global),
            scheme: options.scheme,
            from: dateFlag('--from', options.from),
            to: dateFlag('--to', options.to),
          }),
        );
        if (options.json) return printJson(context, history);
        for (const s of history.series) {
          context.stdout.write(
            `${s.scheme}/${s.segment}: ${s.points.map((p) => `${p.asOf.slice(0, 10)} ${p.size}`).join(', ')}\n`,
          );
        }
      },
    );

  const thresholds = segments.command('thresholds').description('the built-in schemes’ thresholds');
  thresholds
    .command('show')
    .description('the program’s overrides and every threshold in force')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const shown = await withSession(context, global, ({ deps }) =>
        showSegmentThresholds(deps, { programId: programOf(context, global) }),
      );
      if (options.json) return printJson(context, shown);
      context.stdout.write(
        `Overrides: ${JSON.stringify(shown.overrides)}\nIn force:\n${JSON.stringify(shown.effective, null, 2)}\n`,
      );
    });
  thresholds
    .command('set')
    .description('replace the program’s overrides with a JSON file (keys left out go back to defaults)')
    .requiredOption('--file <file|json>', 'the overrides, e.g. {"loyalty": {"vipMinClvPercentile": 90}}')
    .option('--json', 'print the result as JSON')
    .action(async (options: { file: string; json?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const overrides = await jsonArgument('--file', options.file);
      const result = await withSession(context, global, ({ deps }) =>
        setSegmentThresholds(deps, { programId: programOf(context, global), overrides }),
      );
      if (options.json) return printJson(context, result);
      context.stdout.write(
        `Set the threshold overrides of "${result.programId}": ${JSON.stringify(result.overrides)}.\n` +
          `Definitions version is now ${result.definitionsVersion}; the next refresh re-evaluates.\n`,
      );
    });
}
