// The segment engine on the demo program, in one run on PostgreSQL:
//   (a) event -> membership updated over HTTP: p50/p99 latency at a sustained rate;
//   (b) refresh of all schemes: the daily time-based refresh (as-of +1 day), and a full one;
//   (c) the same features computed from raw history by DuckDB, the reference batch engine, and
//       compared with the stored ones member by member.
//
//   node bin/run-ts.mjs bench/segments.ts [--members 1000000] [--rate 1000] [--seconds 30]
//        [--database-url postgres://postgres@127.0.0.1:5432/nc_bench_segments] [--port 3999]
//        [--full-refresh]   also time a refresh that re-evaluates every member
//        [--batch-ms N]     (a) as a forwarder sends: the events due in each N ms go in one request
//                           at the end of it (latency still counts from each event's due time);
//                           0, the default, sends one event per request
//        [--warmup S]       (a) first send S seconds (default 5) at the same rate to the just-started
//                           server, reported apart from the measured run; 0 measures from a cold start
//        [--profile-server DIR]  (a) write the server's CPU profile (node --cpu-prof) into DIR
//        [--parts a,b,c]    which measures to run (all by default), e.g. --parts a to measure the
//                           event latency again on a database an earlier run built
//
// The database is created if missing and the demo program is loaded once (the slow part at a
// million members); later runs reuse it. Each run moves the bench clock one day on per refresh.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { sql } from 'kysely';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { openDatabase } from '../src/db/database.ts';
import { createApiKey } from '../src/services/create-api-key.ts';
import { createProgram } from '../src/services/create-program.ts';
import { type Deps, silentLog } from '../src/services/deps.ts';
import { refreshSegments } from '../src/services/segments/refresh-segments.ts';
import { copyDemoProgram } from './demo-copy.ts';
import { ensureDatabase } from './ensure-database.ts';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '1000000' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '30' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/nc_bench_segments' },
    port: { type: 'string', default: '3999' },
    program: { type: 'string', default: 'bench' },
    'full-refresh': { type: 'boolean', default: false },
    'batch-ms': { type: 'string', default: '0' },
    parts: { type: 'string', default: 'a,b,c' },
    warmup: { type: 'string', default: '5' },
    'profile-server': { type: 'string' },
  },
});
const MEMBERS = Number(values.members);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const URL_ = values['database-url'];
const PORT = Number(values.port);
const PROGRAM = values.program;
const BATCH_MS = Number(values['batch-ms']);
const WARMUP = Number(values.warmup);
const PROFILE_DIR = values['profile-server'];
const PARTS = new Set(values.parts.split(',').map((p) => p.trim()));
for (const part of PARTS)
  if (!['a', 'b', 'c'].includes(part)) throw new Error(`unknown part ${part}: a, b or c`);
const DAY_MS = 86_400_000;
/** The demo is generated three days ago, so that the bench's daily refreshes stay in the past. */
const GENERATED = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS - 3 * DAY_MS);

const log = (text: string) => process.stdout.write(`${text}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

await ensureDatabase(URL_);
const database = await openDatabase({ url: URL_ }, { poolSize: 8 });
let clock = GENERATED;
const deps: Deps = { db: database.db, clock: () => clock, log: silentLog };

const { n: present } = await database.db
  .selectFrom('members')
  .select((eb) => eb.fn.countAll<string>().as('n'))
  .where('program_id', '=', PROGRAM)
  .executeTakeFirstOrThrow()
  .then((r) => ({ n: Number(r.n) }));
log(`Narrowcast segments bench: ${MEMBERS.toLocaleString('en')} members, PostgreSQL ${URL_}`);
if (present < MEMBERS) {
  if (present > 0) throw new Error(`program ${PROGRAM} has ${present} members; drop the database to reload`);
  log('loading the demo program with COPY, then building member state from history (once)...');
  let started = performance.now();
  await createProgram(deps, { programId: PROGRAM, currency: 'USD' });
  const counts = await copyDemoProgram(database, PROGRAM, MEMBERS, GENERATED, log);
  log(`copied in ${seconds(performance.now() - started)}: ${JSON.stringify(counts)}`);
  await sql`ANALYZE`.execute(database.db);
  started = performance.now();
  let last = 0;
  const built = await refreshSegments(deps, {
    programId: PROGRAM,
    rebuild: true,
    onProgress: (done, total) => {
      if (done < last) last = 0; // the second pass (memberships) starts over
      if (done - last >= total / 10 || done === total) {
        last = done;
        log(
          `  ${done.toLocaleString('en')} / ${total.toLocaleString('en')} members, ${seconds(performance.now() - started)}`,
        );
      }
    },
  });
  log(
    `rebuilt member state from history in ${seconds(performance.now() - started)}: ${JSON.stringify(built.reasons)}`,
  );
}
await sql`ANALYZE`.execute(database.db);

// The bench clock continues from the last refresh of an earlier run.
const settings = await database.db
  .selectFrom('segment_settings')
  .select('refreshed_as_of')
  .where('program_id', '=', PROGRAM)
  .executeTakeFirst();
if (settings?.refreshed_as_of) clock = new Date(settings.refreshed_as_of.getTime());

// (b) refresh
async function timedRefresh(label: string, options: { full?: boolean }) {
  // A day on, but never past now: the server below evaluates events as of now.
  clock = new Date(Math.min(clock.getTime() + DAY_MS, Date.now()));
  const started = performance.now();
  const s = await refreshSegments(deps, { programId: PROGRAM, ...options });
  log(
    `(b) ${label}: ${seconds(performance.now() - started)} as of ${s.asOf.slice(0, 10)} (${s.mode}): ` +
      `${s.evaluated.toLocaleString('en')} evaluated ${JSON.stringify(s.reasons)}, ${s.entered} entries, ${s.left} exits`,
  );
}
if (PARTS.has('b')) {
  await timedRefresh('daily refresh, a day on', {});
  await timedRefresh('daily refresh, a day on', {});
  if (values['full-refresh']) await timedRefresh('full refresh (every member re-evaluated)', { full: true });
}
clock = new Date();

// (a) event -> membership over HTTP
async function measureEventLatency() {
  const { key } = await createApiKey(deps, {
    programId: PROGRAM,
    scopes: ['ingest', 'read'],
    label: 'bench',
  });
  const server = spawn(
    process.execPath,
    [
      ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []),
      'bin/narrowcast.mjs',
      '--database-url',
      URL_,
      'serve',
      '--port',
      String(PORT),
      '--refresh-every',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    server.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('is running')) resolve();
    });
    server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const endpoint = `http://127.0.0.1:${PORT}/v1/programs/${PROGRAM}/engagement`;
  const runId = Date.now().toString(36);
  let sent = 0;
  /** Sends `seconds` of events at RATE, open loop; latencies are counted from each event's due time. */
  async function drive(seconds: number) {
    const latencies: number[] = [];
    /** [seconds since the start, latency] per event, for the per-interval tail below. */
    const series: [number, number][] = [];
    let errors = 0;
    const statuses = new Map<string, number>();
    const note = (status: string) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
    const total = RATE * seconds;
    const started = performance.now();
    const inflight: Promise<void>[] = [];
    type Due = { due: number; record: unknown };
    const send = (batch: readonly Due[]) =>
      inflight.push(
        fetch(endpoint, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ records: batch.map((e) => e.record) }),
        })
          .then(async (response) => {
            const text = await response.text();
            const answered = performance.now();
            note(response.status === 201 ? '201' : `${response.status} ${text.slice(0, 80)}`);
            if (response.status !== 201) errors += batch.length;
            for (const e of batch) {
              latencies.push(answered - e.due);
              series.push([(e.due - started) / 1000, answered - e.due]);
            }
          })
          .catch((error: unknown) => {
            errors += batch.length;
            note(
              `failed: ${error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error)}`,
            );
          }),
      );
    const sleepUntil = async (at: number) => {
      const wait = at - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    };
    let pending: Due[] = [];
    let windowEnd = started + BATCH_MS;
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / RATE;
      if (BATCH_MS > 0 && due >= windowEnd) {
        await sleepUntil(windowEnd);
        if (pending.length > 0) send(pending);
        pending = [];
        while (windowEnd <= due) windowEnd += BATCH_MS;
      }
      if (BATCH_MS === 0) await sleepUntil(due);
      // Members spread over the program, none twice in a run of under MEMBERS events.
      const member = `M${String(1 + ((sent * 7919) % MEMBERS)).padStart(7, '0')}`;
      const record = {
        id: `bench-${runId}-${sent++}`,
        memberId: member,
        occurredAt: clock.toISOString(),
        kind: 'review',
      };
      if (BATCH_MS > 0) pending.push({ due, record });
      else send([{ due, record }]);
    }
    if (pending.length > 0) {
      await sleepUntil(windowEnd);
      send(pending);
    }
    await Promise.all(inflight);
    const elapsed = performance.now() - started;
    const pct = (list: number[], p: number) => {
      const sorted = [...list].sort((a, b) => a - b);
      return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
    };
    const intervals: number[][] = [];
    for (const [at, latency] of series) {
      const i = Math.floor(at / 5);
      const list = intervals[i] ?? [];
      list.push(latency);
      intervals[i] = list;
    }
    return {
      total,
      achieved: (total / elapsed) * 1000,
      p: (q: number) => pct(latencies, q),
      max: Math.max(...latencies),
      errors,
      statuses,
      /** p99 of the events due in each 5 s of the run. */
      tail: intervals.map((list) => pct(list, 99).toFixed(0)).join(', '),
    };
  }
  const perRequest = BATCH_MS > 0 ? `those due in each ${BATCH_MS} ms in one request` : 'one per request';
  if (WARMUP > 0) {
    // A server that has just started compiles its code and opens its connections on the first
    // requests; the warm-up is reported on its own, and the measured run starts on a warm server.
    const w = await drive(WARMUP);
    log(
      `(a) warm-up, ${WARMUP} s at ${RATE}/s on the just-started server: p50 ${w.p(50).toFixed(1)} ms, ` +
        `p99 ${w.p(99).toFixed(1)} ms, max ${w.max.toFixed(1)} ms, errors ${w.errors}`,
    );
  }
  const r = await drive(SECONDS);
  server.kill('SIGTERM');
  log(
    `(a) ${r.total.toLocaleString('en')} review events over HTTP, ${perRequest}, at ${RATE}/s for ${SECONDS} s ` +
      `(achieved ${r.achieved.toFixed(0)}/s): p50 ${r.p(50).toFixed(1)} ms, p90 ${r.p(90).toFixed(1)} ms, ` +
      `p99 ${r.p(99).toFixed(1)} ms, max ${r.max.toFixed(1)} ms, errors ${r.errors}`,
  );
  log(`    p99 of each 5 s: ${r.tail} ms`);
  if (r.errors > 0) log(`    outcomes: ${JSON.stringify(Object.fromEntries(r.statuses))}`);
  // Each 201 means the member's features and memberships were updated in the event's transaction.
  const check = await database.db
    .selectFrom('engagement')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('program_id', '=', PROGRAM)
    .where('event_id', 'like', `bench-${runId}-%`)
    .executeTakeFirstOrThrow();
  log(`    stored events of this run (warm-up included): ${check.n} of ${sent.toLocaleString('en')} sent`);
}

// (c) DuckDB on the same raw history. A refresh to now first, so every member is current as of the
// same day; day counts are compared through the stored dates they count from (stored features of
// members who were not due keep the day counts of their last evaluation; members show derives them).
async function compareWithDuckDB() {
  clock = new Date();
  await timedRefresh('refresh to now, before the comparison', {});
  const asOf = clock;
  const dir = await mkdtemp(join(tmpdir(), 'narrowcast-bench-'));
  const client = new pg.Client({ connectionString: URL_ });
  await client.connect();
  const exportStarted = performance.now();
  const exportCsv = async (name: string, query: string) => {
    const stream = client.query(copyTo(`COPY (${query}) TO STDOUT (FORMAT csv, HEADER)`));
    await pipeline(stream, createWriteStream(join(dir, `${name}.csv`)));
  };
  const p = `program_id = '${PROGRAM}'`;
  await exportCsv('members', `SELECT member_id, joined_at FROM members WHERE ${p}`);
  await exportCsv(
    'purchases',
    `SELECT member_id, kind, occurred_at, merchandise_amount FROM purchases WHERE ${p}`,
  );
  await exportCsv('points', `SELECT member_id, type, points, occurred_at FROM points WHERE ${p}`);
  await exportCsv('engagement', `SELECT member_id, occurred_at FROM engagement WHERE ${p}`);
  await exportCsv(
    'stored',
    `SELECT member_id, (features->>'last_purchase_at')::timestamptz AS last_purchase_at, (features->>'frequency_orders')::int AS frequency_orders,
     (features->>'frequency_days')::int AS frequency_days, (features->>'monetary_total')::numeric(18,4) AS monetary_total,
     (features->>'orders_90d')::int AS orders_90d, (features->>'spend_90d')::numeric(18,4) AS spend_90d,
     (features->>'orders_prev_90d')::int AS orders_prev_90d, (features->>'points_balance')::bigint AS points_balance,
     (features->>'engagements')::int AS engagements
   FROM member_features WHERE ${p}`,
  );
  await client.end();
  const exportMs = performance.now() - exportStarted;

  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  const read = (name: string) => `read_csv('${join(dir, `${name}.csv`)}', header = true)`;
  const loadStarted = performance.now();
  for (const name of ['members', 'purchases', 'points', 'engagement', 'stored']) {
    await duck.run(`CREATE TABLE ${name} AS SELECT * FROM ${read(name)}`);
  }
  const loadMs = performance.now() - loadStarted;
  const asOfDay = `DATE '${asOf.toISOString().slice(0, 10)}'`;
  const day = (column: string) => `CAST(timezone('UTC', ${column}) AS DATE)`;
  const computeStarted = performance.now();
  await duck.run(`CREATE TABLE reference AS
  WITH o AS (
    SELECT member_id,
      count(*) FILTER (WHERE kind = 'order') AS frequency_orders,
      count(DISTINCT ${day('occurred_at')}) FILTER (WHERE kind = 'order') AS frequency_days,
      max(occurred_at) FILTER (WHERE kind = 'order') AS last_order,
      sum(CASE WHEN kind = 'order' THEN merchandise_amount ELSE -merchandise_amount END) AS monetary_total,
      count(*) FILTER (WHERE kind = 'order' AND ${day('occurred_at')} > ${asOfDay} - 90) AS orders_90d,
      count(*) FILTER (WHERE kind = 'order' AND ${day('occurred_at')} <= ${asOfDay} - 90 AND ${day('occurred_at')} > ${asOfDay} - 180) AS orders_prev_90d,
      coalesce(sum(CASE WHEN kind = 'order' THEN merchandise_amount ELSE -merchandise_amount END)
        FILTER (WHERE ${day('occurred_at')} > ${asOfDay} - 90), 0) AS spend_90d
    FROM purchases GROUP BY member_id
  ), pt AS (
    SELECT member_id, sum(CASE type WHEN 'earn' THEN points WHEN 'adjust' THEN points ELSE -points END) AS points_balance
    FROM points GROUP BY member_id
  ), e AS (SELECT member_id, count(*) AS engagements FROM engagement GROUP BY member_id)
  SELECT m.member_id,
    o.last_order AS last_purchase_at,
    coalesce(o.frequency_orders, 0) AS frequency_orders, coalesce(o.frequency_days, 0) AS frequency_days,
    CAST(coalesce(o.monetary_total, 0) AS DECIMAL(18, 4)) AS monetary_total,
    coalesce(o.orders_90d, 0) AS orders_90d, CAST(coalesce(o.spend_90d, 0) AS DECIMAL(18, 4)) AS spend_90d,
    coalesce(o.orders_prev_90d, 0) AS orders_prev_90d, coalesce(pt.points_balance, 0) AS points_balance,
    coalesce(e.engagements, 0) AS engagements
  FROM members m LEFT JOIN o USING (member_id) LEFT JOIN pt USING (member_id) LEFT JOIN e USING (member_id)`);
  const computeMs = performance.now() - computeStarted;
  const compared = await duck.runAndReadAll(`
  SELECT count(*) AS members,
    count(*) FILTER (WHERE s.member_id IS NULL OR r.last_purchase_at IS DISTINCT FROM s.last_purchase_at
      OR r.frequency_orders <> s.frequency_orders OR r.frequency_days <> s.frequency_days
      OR r.monetary_total <> s.monetary_total OR r.orders_90d <> s.orders_90d OR r.spend_90d <> s.spend_90d
      OR r.orders_prev_90d <> s.orders_prev_90d OR r.points_balance <> s.points_balance
      OR r.engagements <> s.engagements) AS different
  FROM reference r LEFT JOIN stored s USING (member_id)`);
  const [members, different] = compared.getRows()[0] as [bigint, bigint];
  log(
    `(c) DuckDB from raw history as of ${asOf.toISOString().slice(0, 10)}: features of ${members.toLocaleString('en')} members computed in ${seconds(computeMs)} ` +
      `(export from PostgreSQL ${seconds(exportMs)}, load into DuckDB ${seconds(loadMs)}); members whose stored features differ: ${different}`,
  );
  await rm(dir, { recursive: true, force: true });
}

if (PARTS.has('a')) await measureEventLatency();
if (PARTS.has('c')) await compareWithDuckDB();
await database.close();
