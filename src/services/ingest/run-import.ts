import { createWriteStream, type WriteStream } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { AppError } from '../../contracts/errors.ts';
import type { ImportSummary } from '../../contracts/import-summary.ts';
import type { RecordKind } from '../../contracts/records.ts';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';
import { IngestUpkeep } from '../segments/ingest-upkeep.ts';
import { describeSinkProblem, RecordSink } from './record-sink.ts';
import { validateRecord } from './validate-record.ts';

/** One item of an import source: a raw record of some kind from a file line, or a problem found while reading. */
export type SourceItem =
  | { kind: RecordKind; line: number; raw: unknown }
  | { problem: { line: number; column: string; message: string } };

/** A refused row as written to the rejects file. */
export interface Reject {
  line: number;
  column: string;
  reason: string;
}

export interface RunImportOptions {
  programId: string;
  file: string;
  source: AsyncIterable<SourceItem>;
  /** Rows that may be refused before the whole import is abandoned (0: the first bad row aborts). */
  maxErrors: number;
  /** Where refused rows are listed; created only when a row is refused. */
  rejectsPath: string;
  /** Counts of specially treated rows, filled by the source while it is read. */
  special?: Map<string, number> | undefined;
  onRecord?: (() => void) | undefined;
  chunkSize?: number | undefined;
  /** Data rows the source read, when that differs from the items it yields (a preset makes one purchase of many rows). */
  rowsRead?: (() => number) | undefined;
}

/** Largest number of problems carried in an aborting error's details (the rejects file has all). */
const MAX_PROBLEMS_IN_ERROR = 20;

/**
 * Reads a source to its end inside one transaction: valid records are written in chunks, refused
 * rows go to the rejects file, and if more rows are refused than allowed the transaction is rolled
 * back, so nothing from the file is applied. A crash at any point leaves the database as it was.
 */
export async function runImport(deps: Deps, options: RunImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const rejects: Reject[] = [];
  let rejectsOut: WriteStream | undefined;
  let read = 0;

  const refuse = (reject: Reject) => {
    rejects.push(reject);
    if (!rejectsOut) {
      rejectsOut = createWriteStream(options.rejectsPath);
      rejectsOut.write(stringify([['row', 'column', 'reason']]));
    }
    rejectsOut.write(stringify([[reject.line, reject.column, reject.reason]]));
    if (rejects.length > options.maxErrors) throw tooMany(rejects, options);
  };

  try {
    const counts = await deps.db.transaction().execute(async (trx) => {
      const program = await requireProgram(trx, options.programId);
      const upkeep = await IngestUpkeep.start(deps.db, trx, options.programId, program.as_of ?? deps.clock());
      const sink = new RecordSink(
        trx,
        options.programId,
        (problem) => {
          const { path, message } = describeSinkProblem(problem);
          refuse({ line: problem.ord, column: path, reason: message });
        },
        options.chunkSize,
        upkeep,
      );
      for await (const item of options.source) {
        if ('problem' in item) {
          read++;
          refuse({ line: item.problem.line, column: item.problem.column, reason: item.problem.message });
          continue;
        }
        read++;
        options.onRecord?.();
        const result = validateRecord(item.kind, item.raw);
        if (result.ok) await sink.add(item.kind, item.line, result.record);
        else
          for (const p of result.problems.slice(0, 1))
            refuse({ line: item.line, column: p.path, reason: p.message });
      }
      await sink.flush();
      return sink.counts;
    });
    const byKind = [...counts].map(([kind, c]) => ({ kind, ...c }));
    return {
      file: options.file,
      programId: options.programId,
      read: options.rowsRead?.() ?? read,
      imported: byKind.reduce((n, k) => n + k.inserted, 0),
      updated: byKind.reduce((n, k) => n + k.updated, 0),
      duplicate: byKind.reduce((n, k) => n + k.duplicate, 0),
      rejected: rejects.length,
      rejectsFile: rejects.length > 0 ? options.rejectsPath : null,
      byKind,
      special: [...(options.special ?? [])].map(([label, count]) => ({ label, count })),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await new Promise<void>((resolve) => (rejectsOut ? rejectsOut.end(resolve) : resolve()));
  }
}

function tooMany(rejects: Reject[], options: RunImportOptions): AppError {
  const first = rejects[0] as Reject;
  const allowed =
    options.maxErrors === 0 ? 'no bad rows are allowed' : `at most ${options.maxErrors} may be refused`;
  return new AppError(
    'INVALID_INPUT',
    `row ${first.line}, column ${first.column}: ${first.reason}. ${rejects.length} row(s) refused and ${allowed} (--max-errors); nothing from ${options.file} was applied. Refused rows are listed in ${options.rejectsPath}`,
    { problems: rejects.slice(0, MAX_PROBLEMS_IN_ERROR), rejectsFile: options.rejectsPath },
  );
}
