import type { Kysely } from 'kysely';
import { AppError } from '../../contracts/errors.ts';
import type { Schema } from '../../db/schema.ts';
import type { SubmissionPlan } from '../../domain/preferences/plan-submission.ts';
import {
  DEFAULT_CHUNK_SIZE,
  describeSinkProblem,
  RecordSink,
  type SinkProblem,
} from '../ingest/record-sink.ts';
import { validateRecord } from '../ingest/validate-record.ts';
import { IngestUpkeep } from '../segments/ingest-upkeep.ts';

/**
 * Writes a submit's declarations, consents and points through the ingest path — the same contracts,
 * the same idempotent writer, the same upkeep of features and segment memberships — inside the
 * caller's transaction. An award whose deterministic id is already in the ledger is not an error:
 * that is exactly the double submit it exists to absorb. `db` is the handle the transaction came
 * from (the upkeep caches per handle); `asOf` is the program's fixed as-of date, else now.
 */
export async function recordMemberChange(
  db: Kysely<Schema>,
  trx: Kysely<Schema>,
  { programId, plan, asOf }: { programId: string; plan: SubmissionPlan; asOf: Date },
): Promise<{ pointsAwarded: number }> {
  const problems: SinkProblem[] = [];
  const upkeep = await IngestUpkeep.start(db, trx, programId, asOf);
  const sink = new RecordSink(
    trx,
    programId,
    (problem) => problems.push(problem),
    DEFAULT_CHUNK_SIZE,
    upkeep,
  );
  let ord = 0;
  for (const kind of ['declarations', 'consents', 'points'] as const) {
    for (const raw of plan[kind]) {
      const checked = validateRecord(kind, raw);
      if (!checked.ok) {
        const first = checked.problems[0];
        throw new AppError(
          'INTERNAL',
          `the preference centre built an invalid ${kind} record (${first?.path}: ${first?.message})`,
        );
      }
      await sink.add(kind, ord++, checked.record);
    }
  }
  await sink.flush();
  const real = problems.filter((p) => !(p.kind === 'points' && p.status === 'conflict'));
  if (real.length > 0) {
    const first = real[0] as SinkProblem;
    const { path, message } = describeSinkProblem(first);
    throw new AppError(
      'INTERNAL',
      `the preference centre could not record a ${first.kind} entry (${path}: ${message})`,
    );
  }
  const paid = new Set(problems.map((p) => p.id));
  return {
    pointsAwarded: plan.points.filter((p) => !paid.has(p.id)).reduce((sum, p) => sum + p.points, 0),
  };
}
