import { AppError, type RecordProblem } from '../contracts/errors.ts';
import type { RecordKind } from '../contracts/records.ts';
import type { Deps } from './deps.ts';
import { type IngestGroups, ingestGroupsOf } from './ingest/ingest-groups.ts';
import {
  DEFAULT_CHUNK_SIZE,
  describeSinkProblem,
  type KindCounts,
  RecordSink,
} from './ingest/record-sink.ts';
import { validateRecord } from './ingest/validate-record.ts';

/** Most records one batch request may carry. */
export const MAX_BATCH_RECORDS = 10_000;

export interface BatchResult {
  kind: RecordKind;
  received: number;
  inserted: number;
  updated: number;
  duplicate: number;
}

/**
 * Ingests one batch of records of one kind: the whole batch commits, or nothing does and the
 * error lists every bad record with its index and JSON path. Small batches of one program that
 * arrive together commit in one transaction (see IngestGroups); each still gets its own result.
 */
export async function ingestBatch(
  deps: Deps,
  { programId, kind, records }: { programId: string; kind: RecordKind; records: readonly unknown[] },
  groups: IngestGroups = ingestGroupsOf(deps.db),
): Promise<BatchResult> {
  if (records.length > MAX_BATCH_RECORDS) {
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `a batch holds at most ${MAX_BATCH_RECORDS} records; got ${records.length}`,
    );
  }
  const problems: RecordProblem[] = [];
  const valid: { index: number; record: unknown }[] = [];
  records.forEach((raw, index) => {
    const result = validateRecord(kind, raw);
    if (result.ok) valid.push({ index, record: result.record });
    else for (const p of result.problems) problems.push({ index, ...p });
  });
  if (problems.length > 0) throw invalid(kind, problems);

  return groups.submit(deps.clock, programId, valid.length, async ({ trx, upkeep }) => {
    const sinkProblems: RecordProblem[] = [];
    const sink = new RecordSink(
      trx,
      programId,
      (p) => sinkProblems.push({ index: p.ord, ...describeSinkProblem(p) }),
      DEFAULT_CHUNK_SIZE,
      // The group settles the upkeep once, after its last request has written.
      { afterWrite: (k, written) => upkeep.afterWrite(k, written), settle: async () => {} },
    );
    for (const { index, record } of valid) await sink.add(kind, index, record as never);
    await sink.flush();
    if (sinkProblems.length > 0) {
      sinkProblems.sort((a, b) => a.index - b.index);
      throw invalid(kind, sinkProblems);
    }
    const counts: KindCounts = sink.counts.get(kind) ?? { inserted: 0, updated: 0, duplicate: 0 };
    return { kind, received: records.length, ...counts };
  });
}

function invalid(kind: RecordKind, problems: RecordProblem[]): AppError {
  const conflictOnly = problems.every((p) => p.message.includes('was already used'));
  const records = new Set(problems.map((p) => p.index)).size;
  const first = problems[0] as RecordProblem;
  return new AppError(
    conflictOnly ? 'ID_CONFLICT' : 'INVALID_INPUT',
    `${records} of the ${kind} records ${records === 1 ? 'is' : 'are'} invalid (first: record ${first.index}, ${first.path}: ${first.message}); nothing was applied`,
    { problems },
  );
}
