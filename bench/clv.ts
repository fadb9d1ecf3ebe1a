// Fit time of the CLV models (issue 4) on PostgreSQL: reading the summaries, then fitting BG/NBD,
// Pareto/NBD and Gamma-Gamma, on CDNOW (the master file, 23,570 customers) and on the demo program
// at N members (default 1,000,000). The target is read + fit < 5 s at 1M members.
//
//   node bin/run-ts.mjs bench/clv.ts [--members 1000000] [--repeat 3] [--cdnow FILE] [--score]
//                                    [--orders] [--verify]
//                                    [--database-url postgres://postgres@127.0.0.1:5432/narrowcast_bench]
//
// Set-up is not measured: the first run creates the database if missing, imports CDNOW and loads
// the demo program's members and purchases (a few minutes at 1M), then VACUUM ANALYZEs; later runs
// reuse them. Each repeat times the steps fitClv runs before scoring: readClvSummaries (SQL: the
// kept per-member summaries when they apply, else the window pass over the orders; --orders always
// times the window pass; --verify first checks the two agree member by member),
// fitDataOf (counting customers into weighted groups), and each model's fit (with standard errors).
// --score also runs fitClv end to end once per count model (scores and writes every member).
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.ts';
import { readClvSummaries, readKeptClvSummaries } from '../src/db/queries/clv-kept-summaries.ts';
import { type ClvSummaryColumns, readClvSummariesFromOrders } from '../src/db/queries/clv-summaries.ts';
import { fitBgNbdGroups } from '../src/domain/clv/bgnbd.ts';
import { fitGammaGammaGroups } from '../src/domain/clv/gamma-gamma.ts';
import { fitParetoNbdGroups } from '../src/domain/clv/pareto-nbd.ts';
import { silentLog } from '../src/services/deps.ts';
import { fitClv, fitDataOf } from '../src/services/fit-clv.ts';
import { importPreset } from '../src/services/import-preset.ts';
import { loadDemoPurchases } from './clv-demo-load.ts';
import { ensureDatabase } from './ensure-database.ts';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '1000000' },
    repeat: { type: 'string', default: '3' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/narrowcast_bench' },
    cdnow: {
      type: 'string',
      default: new URL('../../shared/data/cdnow/CDNOW_master.txt', import.meta.url).pathname,
    },
    score: { type: 'boolean', default: false },
    'skip-cdnow': { type: 'boolean', default: false },
    orders: { type: 'boolean', default: false },
    verify: { type: 'boolean', default: false },
  },
});
const members = Number(values.members);
const repeat = Number(values.repeat);
const url = values['database-url'] as string;
/** The demo program is generated as of this day, so every run loads and fits the same data. */
const DEMO_NOW = new Date('2026-11-22T00:00:00Z');
const DEMO_SEED = 42;

await ensureDatabase(url);
const database = await openDatabase({ url });
const deps = { db: database.db, clock: () => DEMO_NOW, log: silentLog };

const datasets: { label: string; programId: string; calibrationEnd: Date }[] = [];
if (!values['skip-cdnow']) {
  if (existsSync(values.cdnow as string)) {
    const programId = 'bench-clv-cdnow';
    if ((await customers(programId)) === 0) {
      await importPreset(deps, {
        preset: 'cdnow',
        file: values.cdnow as string,
        programId,
        rejectsPath: '/dev/null',
      });
      await analyze();
    }
    datasets.push({ label: 'CDNOW master', programId, calibrationEnd: new Date('1997-09-30T00:00:00Z') });
  } else {
    console.log(`CDNOW master not found at ${values.cdnow}; pass --cdnow FILE (skipped)`);
  }
}
const demoProgram = members === 1_000_000 ? 'bench-clv-1m' : `bench-clv-${members}`;
const setupStarted = performance.now();
const added = await loadDemoPurchases(database.db, {
  programId: demoProgram,
  members,
  seed: DEMO_SEED,
  now: DEMO_NOW,
  onProgress: (done) => {
    if (done % 100_000 === 0) console.log(`  loaded ${done} demo members`);
  },
});
if (added > 0) await analyze();
console.log(
  `demo program ${demoProgram}: ${added} members loaded now (${((performance.now() - setupStarted) / 1000).toFixed(0)} s set-up, not measured)`,
);
datasets.push({
  label: `demo ${members.toLocaleString('en')}`,
  programId: demoProgram,
  calibrationEnd: DEMO_NOW,
});

const seconds = (from: number) => (performance.now() - from) / 1000;
/** CPU seconds of this process (the fits are JavaScript; the read's work is the server's). */
const cpu = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1e6;
};
const f2 = (v: number) => v.toFixed(2);

for (const { label, programId, calibrationEnd } of datasets) {
  const runs: {
    read: number;
    group: number;
    bgnbd: number;
    pareto: number;
    gamma: number;
    load: number;
    cpu: { group: number; bgnbd: number; pareto: number; gamma: number };
  }[] = [];
  const kept = await readKeptClvSummaries(database.db, { programId, calibrationEnd });
  console.log(`${label}: kept summaries ${kept.ok ? 'apply' : `do not apply (${kept.reason})`}`);
  if (values.verify && kept.ok) {
    const orders = await readClvSummariesFromOrders(database.db, { programId, calibrationEnd });
    console.log(`  kept vs window pass over the orders: ${difference(kept.columns, orders) ?? 'identical'}`);
  }
  for (let rep = 0; rep < repeat; rep++) {
    const load = loadavg()[0] as number;
    let t = performance.now();
    const query = { programId, calibrationEnd };
    const columns = values.orders
      ? await readClvSummariesFromOrders(database.db, query)
      : await readClvSummaries(database.db, query);
    const read = seconds(t);
    t = performance.now();
    let c = cpu();
    const data = fitDataOf(columns, 'week');
    const group = seconds(t);
    const groupCpu = cpu() - c;
    t = performance.now();
    c = cpu();
    const bgnbd = fitBgNbdGroups(data.counts);
    const bgnbdTime = seconds(t);
    const bgnbdCpu = cpu() - c;
    t = performance.now();
    c = cpu();
    const gamma = fitGammaGammaGroups(data.spend);
    const gammaTime = seconds(t);
    const gammaCpu = cpu() - c;
    t = performance.now();
    c = cpu();
    const pareto = fitParetoNbdGroups(data.counts);
    const paretoTime = seconds(t);
    const paretoCpu = cpu() - c;
    runs.push({
      read,
      group,
      bgnbd: bgnbdTime,
      pareto: paretoTime,
      gamma: gammaTime,
      load,
      cpu: { group: groupCpu, bgnbd: bgnbdCpu, pareto: paretoCpu, gamma: gammaCpu },
    });
    if (rep === 0) {
      console.log(
        `${label}: ${columns.length} customers (read from ${columns.source === 'kept' ? 'kept summaries' : 'the orders'}), ${data.counts.x.length} (x, tx, T) groups, ${data.spend.customers} spenders in ${data.spend.x.length} (x, zbar) groups`,
      );
      for (const fit of [bgnbd, pareto, gamma]) {
        const params = Object.entries(fit.params).map(([k, v]) => `${k} ${v.toPrecision(4)}`);
        console.log(
          `  ${fit.model.padEnd(11)} ${params.join(', ')}; LL ${fit.logLikelihood.toFixed(1)}; ${fit.iterations} iterations${fit.converged ? '' : ' (NOT converged)'}`,
        );
      }
    }
    const r = runs[rep] as (typeof runs)[number];
    console.log(
      `  run ${rep + 1} (load ${r.load.toFixed(1)}): read ${f2(r.read)} s, group ${f2(r.group)} s, BG/NBD ${f2(r.bgnbd)} s, Pareto/NBD ${f2(r.pareto)} s, Gamma-Gamma ${f2(r.gamma)} s | read+fit BG/NBD+GG ${f2(r.read + r.group + r.bgnbd + r.gamma)} s, Pareto/NBD+GG ${f2(r.read + r.group + r.pareto + r.gamma)} s | CPU group ${f2(r.cpu.group)}, BG/NBD ${f2(r.cpu.bgnbd)}, Pareto/NBD ${f2(r.cpu.pareto)}, GG ${f2(r.cpu.gamma)} s`,
    );
  }
  const median = (pick: (r: (typeof runs)[number]) => number) => {
    const sorted = runs.map(pick).sort((a, b) => a - b);
    return sorted[Math.floor((sorted.length - 1) / 2)] as number;
  };
  console.log(
    `  median: read ${f2(median((r) => r.read))} s, read+fit BG/NBD+GG ${f2(median((r) => r.read + r.group + r.bgnbd + r.gamma))} s, Pareto/NBD+GG ${f2(median((r) => r.read + r.group + r.pareto + r.gamma))} s`,
  );
  if (values.score) {
    for (const model of ['bgnbd', 'pareto-nbd'] as const) {
      const started = performance.now();
      const report = await fitClv(deps, { programId, calibrationEnd, model, timeUnit: 'week' });
      const s = report.seconds;
      console.log(
        `  fitClv ${model}: read ${f2(s.readSummaries)} s, fit ${f2(s.fitCountModel)} s + ${f2(s.fitSpendModel)} s, score+write ${f2(s.scoreAndWrite)} s, total ${f2(seconds(started))} s`,
      );
    }
  }
}
await database.close();

/** The first difference between two reads of the summaries, or null when they are equal. */
function difference(a: ClvSummaryColumns, b: ClvSummaryColumns): string | null {
  if (a.length !== b.length) return `${a.length} vs ${b.length} customers`;
  for (const key of ['memberId', 'x', 'firstDay', 'lastDay', 'repeatSpend', 'holdoutX'] as const) {
    for (let i = 0; i < a.length; i++) {
      if (a[key][i] !== b[key][i]) return `${key} of member ${a.memberId[i]}: ${a[key][i]} vs ${b[key][i]}`;
    }
  }
  return null;
}

async function customers(programId: string): Promise<number> {
  const row = await database.db
    .selectFrom('members')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('program_id', '=', programId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Fresh rows: set hint bits and the visibility map, and refresh statistics, as a live table has them. */
async function analyze(): Promise<void> {
  await sql`VACUUM ANALYZE purchases`.execute(database.db);
  await sql`VACUUM ANALYZE members`.execute(database.db);
  await sql`VACUUM ANALYZE member_features`.execute(database.db);
}
