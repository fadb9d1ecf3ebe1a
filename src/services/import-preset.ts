import { basename } from 'node:path';
import type { ImportSummary } from '../contracts/import-summary.ts';
import { CDNOW_CURRENCY, cdnowItems } from '../domain/presets/cdnow.ts';
import { ONLINE_RETAIL_CURRENCY, onlineRetailItems } from '../domain/presets/online-retail.ts';
import type { PresetItem, PresetTally } from '../domain/presets/preset-item.ts';
import { createProgram } from './create-program.ts';
import type { Deps } from './deps.ts';
import { type ByteProgress, openText, readCsvRows, readLines } from './ingest/read-source.ts';
import { runImport, type SourceItem } from './ingest/run-import.ts';

/** The real datasets Narrowcast reads as they are published. */
export const PRESETS = {
  cdnow: {
    name: 'CDNOW first-purchase cohort (Q1 1997)',
    currency: CDNOW_CURRENCY,
    asOf: new Date('1998-07-01T00:00:00Z'),
  },
  'online-retail': {
    name: 'UCI Online Retail (2010-12 to 2011-12)',
    currency: ONLINE_RETAIL_CURRENCY,
    asOf: new Date('2011-12-10T00:00:00Z'),
  },
} as const;
export type Preset = keyof typeof PRESETS;

/** The tally label under which each preset counts the data rows it read: the summary's `read`. */
const ROWS_READ: Record<Preset, string> = { cdnow: 'lines read', 'online-retail': 'rows read' };

export interface ImportPresetOptions {
  preset: Preset;
  file: string;
  /** Defaults to the preset's name; the program is created when missing, with the dataset's as-of date. */
  programId?: string | undefined;
  maxErrors?: number | undefined;
  rejectsPath?: string | undefined;
  progress?: ByteProgress | undefined;
  onRecord?: (() => void) | undefined;
}

/** Imports a published dataset file with its preset's rules; the summary lists every special row it met. */
export async function importPreset(deps: Deps, options: ImportPresetOptions): Promise<ImportSummary> {
  const preset = PRESETS[options.preset];
  const programId = options.programId ?? options.preset;
  await createProgram(deps, {
    programId,
    name: preset.name,
    currency: preset.currency,
    asOf: preset.asOf,
    ifMissing: true,
  });
  const progress = options.progress ?? { bytes: 0, total: 0 };
  const stream = await openText(options.file, progress);
  const special: PresetTally = new Map();
  const items =
    options.preset === 'cdnow'
      ? cdnowItems(textOf(readLines(stream)), special)
      : onlineRetailItems(readCsvRows(stream), special);
  return runImport(deps, {
    programId,
    file: options.file,
    source: toSource(items),
    maxErrors: options.maxErrors ?? 0,
    rejectsPath: options.rejectsPath ?? `${basename(options.file)}.rejects.csv`,
    special,
    onRecord: options.onRecord,
    rowsRead: () => special.get(ROWS_READ[options.preset]) ?? 0,
  });
}

async function* textOf(lines: AsyncIterable<{ text: string }>): AsyncGenerator<string> {
  for await (const { text } of lines) yield text;
}

async function* toSource(items: AsyncIterable<PresetItem>): AsyncGenerator<SourceItem> {
  for await (const item of items) {
    if (item.kind === 'problem')
      yield { problem: { line: item.line, column: item.column, message: item.message } };
    else yield { kind: item.kind, line: item.line, raw: item.record };
  }
}
