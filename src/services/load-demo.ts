import type { RecordKind } from '../contracts/records.ts';
import { DEMO_DEFAULTS } from '../domain/demo/demo-defaults.ts';
import { demoMember } from '../domain/demo/demo-member.ts';
import { createProgram } from './create-program.ts';
import type { Deps } from './deps.ts';
import { DEFAULT_CHUNK_SIZE, RecordSink } from './ingest/record-sink.ts';
import { programAsOf } from './segments/evaluation-setup.ts';
import { IngestUpkeep } from './segments/ingest-upkeep.ts';
import { refreshSegments } from './segments/refresh-segments.ts';

/** Members loaded per transaction: a crash keeps whole batches, and a re-run completes the rest. */
export const DEMO_BATCH_MEMBERS = 2_000;

export interface LoadDemoOptions {
  programId?: string | undefined;
  members?: number | undefined;
  seed?: number | undefined;
  /** The moment the program is generated at; defaults to the start of today (UTC), so runs on one day match. */
  now?: Date | undefined;
  onProgress?: ((membersDone: number, total: number) => void) | undefined;
}

export interface LoadDemoResult {
  programId: string;
  members: number;
  seed: number;
  now: string;
  records: Record<string, number>;
  seconds: number;
}

const EVENT_LISTS = ['purchases', 'points', 'engagement', 'surveys', 'declarations', 'consents'] as const;

/**
 * Generates the deterministic demo program and loads it. Re-running with the same seed and date
 * changes nothing: every record has a stable id.
 */
export async function loadDemo(deps: Deps, options: LoadDemoOptions = {}): Promise<LoadDemoResult> {
  const started = performance.now();
  const programId = options.programId ?? 'demo';
  const total = options.members ?? DEMO_DEFAULTS.members;
  const seed = options.seed ?? DEMO_DEFAULTS.seed;
  const now = options.now ?? startOfUtcDay(deps.clock());
  await createProgram(deps, {
    programId,
    name: 'Narrowcast demo program',
    currency: DEMO_DEFAULTS.currency,
    ifMissing: true,
  });
  const records: Record<string, number> = {};
  for (let from = 1; from <= total; from += DEMO_BATCH_MEMBERS) {
    const to = Math.min(total, from + DEMO_BATCH_MEMBERS - 1);
    await deps.db.transaction().execute(async (trx) => {
      const upkeep = await IngestUpkeep.start(
        deps.db,
        trx,
        programId,
        await programAsOf(trx, programId, deps.clock()),
      );
      const sink = new RecordSink(
        trx,
        programId,
        (problem) => {
          throw new Error(`demo record ${problem.kind} ${problem.id} was refused (${problem.status})`);
        },
        DEFAULT_CHUNK_SIZE,
        upkeep,
      );
      let ord = 0;
      for (let index = from; index <= to; index++) {
        // Generated records already have their contract's output shape (the generator's tests parse them).
        const generated = demoMember({ seed, index, now });
        await sink.add('members', ord++, generated.member);
        for (const kind of EVENT_LISTS) {
          for (const record of generated[kind]) await sink.add(kind as RecordKind, ord++, record as never);
        }
      }
      await sink.flush();
      for (const [kind, counts] of sink.counts)
        records[kind] = (records[kind] ?? 0) + counts.inserted + counts.duplicate;
    });
    options.onProgress?.(to, total);
  }
  // Rank the program (R/F/M, top-percent thresholds) so every built-in scheme is populated.
  await refreshSegments(deps, { programId });
  return {
    programId,
    members: total,
    seed,
    now: now.toISOString(),
    records,
    seconds: (performance.now() - started) / 1000,
  };
}

function startOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}
