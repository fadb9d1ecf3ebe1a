import { basename, extname } from 'node:path';
import { AppError } from '../contracts/errors.ts';
import type { ImportSummary } from '../contracts/import-summary.ts';
import { RECORD_SCHEMAS, type RecordKind } from '../contracts/records.ts';
import type { Deps } from './deps.ts';
import { type ByteProgress, openText, readCsvRows, readLines } from './ingest/read-source.ts';
import { runImport, type SourceItem } from './ingest/run-import.ts';

export interface ImportFileOptions {
  programId: string;
  kind: RecordKind;
  file: string;
  /** Defaults from the file name: .ndjson/.jsonl (optionally .gz) is NDJSON, anything else CSV. */
  format?: 'csv' | 'ndjson' | undefined;
  /** CSV column -> record field; a column mapped to "" is ignored. */
  map?: Record<string, string> | undefined;
  maxErrors?: number | undefined;
  rejectsPath?: string | undefined;
  progress?: ByteProgress | undefined;
  onRecord?: (() => void) | undefined;
}

/** Fields whose CSV cells hold JSON (a list of items, a map of attributes). */
const JSON_FIELDS = new Set(['items', 'attributes']);

/** Imports one CSV or NDJSON file of one record kind; streaming, whole-or-nothing unless --max-errors allows rejects. */
export async function importFile(deps: Deps, options: ImportFileOptions): Promise<ImportSummary> {
  const format = options.format ?? formatOf(options.file);
  const progress = options.progress ?? { bytes: 0, total: 0 };
  const stream = await openText(options.file, progress);
  const source =
    format === 'ndjson'
      ? ndjsonSource(options.kind, stream)
      : csvSource(options.kind, stream, options.map ?? {});
  return runImport(deps, {
    programId: options.programId,
    file: options.file,
    source,
    maxErrors: options.maxErrors ?? 0,
    rejectsPath: options.rejectsPath ?? `${basename(options.file)}.rejects.csv`,
    onRecord: options.onRecord,
  });
}

function formatOf(file: string): 'csv' | 'ndjson' {
  const name = file.toLowerCase().replace(/\.gz$/, '');
  return ['.ndjson', '.jsonl'].includes(extname(name)) ? 'ndjson' : 'csv';
}

/** The field names a record kind accepts. */
export function fieldsOf(kind: RecordKind): string[] {
  return Object.keys(RECORD_SCHEMAS[kind].shape);
}

async function* ndjsonSource(
  kind: RecordKind,
  stream: Parameters<typeof readLines>[0],
): AsyncGenerator<SourceItem> {
  for await (const { line, text } of readLines(stream)) {
    if (text.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      yield {
        problem: { line, column: '(line)', message: `is not valid JSON: ${(error as Error).message}` },
      };
      continue;
    }
    yield { kind, line, raw };
  }
}

async function* csvSource(
  kind: RecordKind,
  stream: Parameters<typeof readCsvRows>[0],
  map: Record<string, string>,
): AsyncGenerator<SourceItem> {
  let columns: (string | null)[] | undefined;
  let header = '';
  for await (const { line, fields } of readCsvRows(stream)) {
    if (!columns) {
      columns = headerFields(kind, fields, map);
      header = fields.join(',');
      continue;
    }
    if (fields.join(',').replace(/^\uFEFF/, '') === header) {
      yield { problem: { line, column: '(row)', message: 'repeats the header; were two files joined?' } };
      continue;
    }
    if (fields.length !== columns.length) {
      yield {
        problem: {
          line,
          column: '(row)',
          message: `has ${fields.length} fields; the header has ${columns.length}`,
        },
      };
      continue;
    }
    const raw: Record<string, unknown> = {};
    let bad: SourceItem | undefined;
    fields.forEach((cell, i) => {
      const field = columns?.[i];
      if (!field || cell === '') return;
      const attribute = /^attributes\.(.+)$/.exec(field);
      if (attribute?.[1]) {
        raw.attributes = { ...(raw.attributes as Record<string, unknown> | undefined), [attribute[1]]: cell };
      } else if (JSON_FIELDS.has(field)) {
        try {
          raw[field] = JSON.parse(cell);
        } catch {
          bad ??= { problem: { line, column: field, message: 'must hold valid JSON' } };
        }
      } else raw[field] = cell;
    });
    yield bad ?? { kind, line, raw };
  }
}

/** Unknown header names listed in an error, each cut to CLIPPED_NAME characters (the header may be garbage). */
const MAX_COLUMNS_SHOWN = 10;
const CLIPPED_NAME = 40;

function clip(name: string): string {
  return name.length > CLIPPED_NAME ? `${name.slice(0, CLIPPED_NAME)}...` : name;
}

/** Maps header names to fields, refusing up front a column that fits no field. */
function headerFields(kind: RecordKind, header: string[], map: Record<string, string>): (string | null)[] {
  const known = new Set(fieldsOf(kind));
  const unknown: string[] = [];
  const seen = new Set<string>();
  const fields = header.map((name, i) => {
    const field = Object.hasOwn(map, name) ? (map[name] as string) : name.trim();
    if (field === '') return null;
    if (seen.has(field)) {
      // The later column would silently win over the earlier one.
      throw new AppError(
        'INVALID_INPUT',
        `line 1, column ${i + 1}: a second column for ${kind} field "${field}"`,
      );
    }
    seen.add(field);
    if (known.has(field) || (/^attributes\./.test(field) && known.has('attributes'))) return field;
    unknown.push(name);
    return null;
  });
  if (unknown.length > 0) {
    const shown = unknown.slice(0, MAX_COLUMNS_SHOWN).map((u) => JSON.stringify(clip(u)));
    if (unknown.length > MAX_COLUMNS_SHOWN) shown.push(`and ${unknown.length - MAX_COLUMNS_SHOWN} more`);
    throw new AppError(
      'USAGE',
      `line 1: column(s) ${shown.join(', ')} match no ${kind} field (${[...known].join(', ')}); map them with --map column=field or ignore them with --map column=`,
    );
  }
  return fields;
}
