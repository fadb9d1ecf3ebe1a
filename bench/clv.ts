// Fit time of the CLV models: CDNOW (the real master file, 23,570 customers) and the demo program at
// N members (default 1,000,000) on PostgreSQL. Setup (imports, bulk load) is not measured.
// Run: node bin/run-ts.mjs bench/clv.ts [--members N] [--database-url URL] [--fit-sample N] [--skip-full]
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ClvFitReport } from '../src/contracts/clv.ts';
import { openDatabase } from '../src/db/database.ts';
import { silentLog } from '../src/services/deps.ts';
import { fitClv } from '../src/services/fit-clv.ts';
import { importPreset } from '../src/services/import-preset.ts';
import { loadDemoPurchases } from './clv-demo-load.ts';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '1000000' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    'fit-sample': { type: 'string', default: '20000' },
    'skip-full': { type: 'boolean', default: false },
    'skip-cdnow': { type: 'boolean', default: false },
  },
});
const members = Number(values.members);
const fitSample = Number(values['fit-sample']);
const CDNOW_MASTER = new URL('../../shared/data/cdnow/CDNOW_master.txt', import.meta.url).pathname;
/** The demo program is generated as of this day, so every run loads and fits the same data. */
const DEMO_NOW = new Date('2026-11-22T00:00:00Z');
const DEMO_SEED = 42;

const database = await openDatabase({ url: values['database-url'] as string });
const deps = { db: database.db, clock: () => DEMO_NOW, log: silentLog };

function print(label: string, r: ClvFitReport, wallSeconds: number) {
  const s = r.seconds;
  const fit = s.readSummaries + s.fitCountModel + s.fitSpendModel;
  console.log(
    `${label.padEnd(44)} customers ${String(r.customers).padStart(8)}  n ${String(r.n).padStart(8)}  read ${s.readSummaries.toFixed(2)} s  ${r.model} ${s.fitCountModel.toFixed(2)} s  gamma-gamma ${s.fitSpendModel.toFixed(2)} s  read+fit ${fit.toFixed(2)} s  score+write ${s.scoreAndWrite.toFixed(2)} s  total ${wallSeconds.toFixed(2)} s${r.converged ? '' : '  (count model NOT converged)'}`,
  );
}

async function timed(label: string, options: Parameters<typeof fitClv>[1]) {
  const started = performance.now();
  const result = await fitClv(deps, options);
  print(label, result, (performance.now() - started) / 1000);
  return result;
}

if (!values['skip-cdnow'] && existsSync(CDNOW_MASTER)) {
  const programId = 'bench-clv-cdnow';
  const loaded = await database.db
    .selectFrom('members')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('program_id', '=', programId)
    .executeTakeFirstOrThrow();
  if (Number(loaded.n) === 0) {
    await importPreset(deps, { preset: 'cdnow', file: CDNOW_MASTER, programId, rejectsPath: '/dev/null' });
  }
  const calibrationEnd = new Date('1997-09-30T00:00:00Z');
  for (const model of ['bgnbd', 'pareto-nbd'] as const) {
    const r = await timed(`CDNOW master, ${model}, weekly`, { programId, calibrationEnd, model });
    console.log(
      `  params ${JSON.stringify(r.params)} LL ${r.logLikelihood.toFixed(1)}; gamma-gamma ${JSON.stringify(r.spendModel?.params)}`,
    );
  }
}

const programId = members === 1_000_000 ? 'bench-clv-1m' : `bench-clv-${members}`;
const setupStarted = performance.now();
const added = await loadDemoPurchases(database.db, { programId, members, seed: DEMO_SEED, now: DEMO_NOW });
console.log(
  `demo program ${programId}: ${added} members loaded now (${((performance.now() - setupStarted) / 1000).toFixed(0)} s setup, not measured)`,
);
await timed(`demo ${members}, bgnbd, fit on ${fitSample}`, { programId, model: 'bgnbd', fitSample });
await timed(`demo ${members}, pareto-nbd, fit on ${fitSample}`, {
  programId,
  model: 'pareto-nbd',
  fitSample,
});
if (!values['skip-full']) await timed(`demo ${members}, bgnbd, fit on all`, { programId, model: 'bgnbd' });
await database.close();
