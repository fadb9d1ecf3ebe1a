// The parts of a daily refresh timed one by one, in a transaction that is rolled back, so that the
// same day can be timed again on the same data (before and after a change, or several times):
//   members without state, ranks and distributions, the due list, evaluating and storing the due
//   members (and those whose R/F/M score moved), and the sizes snapshot.
//
//   node bin/run-ts.mjs bench/refresh-parts.ts --database-url postgres://postgres@127.0.0.1:5432/nc_bench_segments
//        [--program bench] [--days 1]   as of the program's last refresh plus this many days
//
// It calls the query functions refresh-segments.ts calls, in the same order, without the rest of
// a refresh (history cut, windowed top-percent pre-pass, moved thresholds). Run it on a database
// `bench/segments.ts` built.
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/database.ts';
import {
  dueMembers,
  membersWithoutState,
  raiseSortMemory,
  rankAndSummarise,
  snapshotSizes,
} from '../src/db/queries/segment-refresh.ts';
import { utcDay } from '../src/domain/features/utc-days.ts';
import { RFM_DISTRIBUTIONS } from '../src/domain/segments/evaluate-member.ts';
import { DEFAULT_DISTRIBUTION_POINTS } from '../src/domain/segments/program-context.ts';
import { loadEvaluationSetup, withDistributions } from '../src/services/segments/evaluation-setup.ts';
import { reevaluateChunks } from '../src/services/segments/reevaluate-members.ts';

const { values } = parseArgs({
  options: {
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/nc_bench_segments' },
    program: { type: 'string', default: 'bench' },
    days: { type: 'string', default: '1' },
  },
});
const programId = values.program;
const CHUNK = 2_000;
const database = await openDatabase({ url: values['database-url'] }, { poolSize: 2 });
const settings = await database.db
  .selectFrom('segment_settings')
  .selectAll()
  .where('program_id', '=', programId)
  .executeTakeFirstOrThrow();
if (settings.refreshed_as_of === null) throw new Error(`program ${programId} has not been refreshed`);
const asOf = new Date(settings.refreshed_as_of.getTime() + Number(values.days) * 86_400_000);
const log = (text: string) => process.stdout.write(`${text}\n`);
log(`refresh parts of ${programId} as of ${asOf.toISOString()} (rolled back)`);

class RolledBack extends Error {}
const timed = async <T>(name: string, work: () => Promise<T>, describe: (result: T) => string) => {
  const start = performance.now();
  const result = await work();
  log(`  ${name}: ${((performance.now() - start) / 1000).toFixed(2)} s (${describe(result)})`);
  return result;
};
try {
  await database.db.transaction().execute(async (trx) => {
    await raiseSortMemory(trx);
    const setup = await loadEvaluationSetup(
      trx,
      programId,
      asOf,
      (settings.distributions ?? {}) as Record<string, number[]>,
    );
    await timed(
      'members without state',
      () => membersWithoutState(trx, programId),
      (ids) => `${ids.length}`,
    );
    const sources = [
      [RFM_DISTRIBUTIONS.r, { column: 'last_purchase_day' as const }],
      [RFM_DISTRIBUTIONS.f, { column: 'frequency_orders' as const }],
      [RFM_DISTRIBUTIONS.m, { column: 'monetary_total' as const }],
      ...setup.topFeatures.map((feature) => [feature, { feature }] as const),
    ] as const;
    const ranked = await timed(
      'ranks and distributions',
      () =>
        rankAndSummarise(
          trx,
          programId,
          sources.map(([, source]) => source),
          DEFAULT_DISTRIBUTION_POINTS,
        ),
      (r) => `${r.moved.length} scores moved`,
    );
    const due = await timed(
      'due list',
      () => dueMembers(trx, programId, utcDay(asOf)),
      (ids) => `${ids.length} due`,
    );
    const list = [...new Set([...due, ...ranked.moved])].sort((a, b) => a - b);
    const ranks = withDistributions(
      setup,
      Object.fromEntries(sources.map(([key], i) => [key, ranked.distributions[i] ?? []])),
    );
    await timed(
      'evaluate and store',
      () =>
        reevaluateChunks(
          trx,
          ranks,
          Array.from({ length: Math.ceil(list.length / CHUNK) }, (_, i) => ({
            load: async () => ({
              memberIds: list.slice(i * CHUNK, (i + 1) * CHUNK),
              options: { cause: 'refresh' as const, scores: 'stored' as const },
            }),
          })),
        ),
      (r) => `${r.members} members, ${r.entered} entries, ${r.left} exits`,
    );
    await timed(
      'sizes snapshot',
      () => snapshotSizes(trx, programId, asOf),
      () => 'done',
    );
    throw new RolledBack();
  });
} catch (error) {
  if (!(error instanceof RolledBack)) throw error;
}
await database.close();
