// Import throughput of purchases for the demo program, beside a plain COPY of the same rows into
// the same engine, in one run.
//
//   node bin/run-ts.mjs bench/import.ts [--members 1000000] [--engines embedded,server]
//                                       [--database-url postgres://postgres@127.0.0.1:5432/nc_bench_import]
//
// For each engine: members are loaded first (set-up, timed apart), then the purchases CSV is
// imported by `narrowcast import purchases` (the product path: parse, validate, hash, idempotent
// write, and the touched members' features and memberships kept current, in one transaction) into
// one program, and COPY'd, with member ids already resolved, into the same table under another
// program. Both land in the same indexed table.
//
// A COPY'd program has no member state: its segments are empty until `refresh --rebuild` builds
// every member's features and memberships from the rows. That build is timed too, so the import
// stands beside both a bare COPY and a COPY followed by what makes its segments current; and the
// bytes each path stores are summed (the purchase rows, and the import's member state rows).
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { type Database, openDatabase } from '../src/db/database.ts';
import { purchaseTotals } from '../src/db/writers/table-specs.ts';
import { demoMember } from '../src/domain/demo/demo-member.ts';
import { createProgram } from '../src/services/create-program.ts';
import { type Deps, silentLog } from '../src/services/deps.ts';
import { importFile } from '../src/services/import-file.ts';
import { hashRecord } from '../src/services/ingest/validate-record.ts';
import { refreshSegments } from '../src/services/segments/refresh-segments.ts';
import { ensureDatabase } from './ensure-database.ts';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '1000000' },
    engines: { type: 'string', default: 'embedded,server' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/nc_bench_import' },
    seed: { type: 'string', default: '42' },
  },
});
const MEMBERS = Number(values.members);
const SEED = Number(values.seed);
const NOW = new Date('2026-11-01T00:00:00Z');

const csv = (fields: (string | number | null)[]) =>
  `${fields.map((f) => (f === null ? '' : /[",\n]/.test(String(f)) ? `"${String(f).replaceAll('"', '""')}"` : String(f))).join(',')}\n`;

async function writeFiles(dir: string) {
  const members = createWriteStream(join(dir, 'members.csv'));
  const purchases = createWriteStream(join(dir, 'purchases.csv'));
  const copyRows = createWriteStream(join(dir, 'purchases-copy.csv'));
  members.write('id,joinedAt,timezone,email\n');
  purchases.write('id,memberId,occurredAt,kind,refundOf,amount,currency\n');
  let rows = 0;
  const write = (stream: NodeJS.WritableStream, text: string) =>
    stream.write(text) ? undefined : new Promise((resolve) => stream.once('drain', resolve));
  for (let index = 1; index <= MEMBERS; index++) {
    const g = demoMember({ seed: SEED, index, now: NOW });
    await write(
      members,
      csv([g.member.id, g.member.joinedAt ?? null, g.member.timezone ?? null, g.member.email ?? null]),
    );
    for (const p of g.purchases) {
      // Header-level purchases (no items): the same rows for both paths.
      const { items: _, ...header } = p;
      const amount = purchaseTotals(p).amount;
      const record = { ...header, amount };
      rows++;
      await write(
        purchases,
        csv([p.id, p.memberId, p.occurredAt, p.kind, p.refundOf ?? null, amount, p.currency ?? 'GBP']),
      );
      // COPY rows: member_id is the generator's index, the order in which members get loaded.
      await write(
        copyRows,
        csv([
          p.id,
          index,
          p.occurredAt,
          hashRecord(record),
          p.kind,
          p.refundOf ?? null,
          amount,
          amount,
          p.currency ?? 'GBP',
          0,
        ]),
      );
    }
  }
  await Promise.all([members, purchases, copyRows].map((s) => new Promise((resolve) => s.end(resolve))));
  return rows;
}

async function* readChunks(file: string, prefix: (line: string) => string, skipHeader = false) {
  const { createReadStream } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  let batch = '';
  let header = skipHeader;
  for await (const line of createInterface({ input: createReadStream(file) })) {
    if (header) {
      header = false;
      continue;
    }
    batch += `${prefix(line)}\n`;
    if (batch.length > 1 << 20) {
      yield batch;
      batch = '';
    }
  }
  if (batch) yield batch;
}

async function runEngine(engine: 'embedded' | 'server', dir: string, rows: number) {
  const dataDir = join(dir, 'data');
  if (engine === 'server') await ensureDatabase(values['database-url'] as string);
  const database: Database = await openDatabase(
    engine === 'server' ? { url: values['database-url'] as string } : { dataDir },
  );
  const deps: Deps = { db: database.db, clock: () => NOW, log: silentLog };
  const stamp = Date.now().toString(36);
  const viaImport = `bench-import-${stamp}`;
  const viaCopy = `bench-copy-${stamp}`;
  await createProgram(deps, { programId: viaImport, currency: 'GBP' });
  await createProgram(deps, { programId: viaCopy, currency: 'GBP' });

  let t = performance.now();
  await importFile(deps, { programId: viaImport, kind: 'members', file: join(dir, 'members.csv') });
  const membersImport = (performance.now() - t) / 1000;

  t = performance.now();
  await database.copyCsv(
    'members (program_id, external_id, joined_at, timezone, email, payload_hash)',
    readChunks(join(dir, 'members.csv'), (line) => `${viaCopy},${line},x`, true),
  );
  const membersCopy = (performance.now() - t) / 1000;
  // The COPY rows name members by generator index; the COPY'd members got consecutive ids from here.
  const { rows: mapped } = await sql<{
    min: number;
  }>`select min(member_id) as min from members where program_id = ${viaCopy}`.execute(database.db);
  const shift = Number(mapped[0]?.min ?? 0) - 1;

  t = performance.now();
  const summary = await importFile(deps, {
    programId: viaImport,
    kind: 'purchases',
    file: join(dir, 'purchases.csv'),
  });
  const importSeconds = (performance.now() - t) / 1000;

  t = performance.now();
  await database.copyCsv(
    'purchases (program_id, event_id, member_id, occurred_at, payload_hash, kind, refund_of, amount, merchandise_amount, currency, item_count)',
    readChunks(join(dir, 'purchases-copy.csv'), (line) => {
      const comma = line.indexOf(',');
      const second = line.indexOf(',', comma + 1);
      const member = Number(line.slice(comma + 1, second)) + shift;
      return `${viaCopy},${line.slice(0, comma)},${member}${line.slice(second)}`;
    }),
  );
  const copySeconds = (performance.now() - t) / 1000;

  t = performance.now();
  await refreshSegments(deps, { programId: viaCopy, rebuild: true, asOf: NOW });
  const buildSeconds = (performance.now() - t) / 1000;

  const bytes = async (table: string, programId: string) => {
    const { rows } = await sql<{ n: string | null }>`
      select sum(pg_column_size(t.*))::text as n from ${sql.table(table)} t where t.program_id = ${programId}`.execute(
      database.db,
    );
    return Number(rows[0]?.n ?? 0);
  };
  const stored = {
    purchases: await bytes('purchases', viaCopy),
    state:
      (await bytes('member_features', viaImport)) +
      (await bytes('member_ranks', viaImport)) +
      (await bytes('segment_memberships', viaImport)),
  };
  const counted = await sql<{ program_id: string; n: number }>`
    select program_id, count(*)::int as n from purchases where program_id in (${viaImport}, ${viaCopy}) group by 1`.execute(
    database.db,
  );
  await database.close();
  if (engine === 'embedded') await rm(dataDir, { recursive: true, force: true });
  return {
    engine,
    rows,
    membersImport,
    membersCopy,
    importSeconds,
    copySeconds,
    buildSeconds,
    stored,
    imported: summary.imported,
    counted: counted.rows,
  };
}

const dir = await mkdtemp(join(tmpdir(), 'narrowcast-bench-import-'));
try {
  let t = performance.now();
  const rows = await writeFiles(dir);
  const generate = (performance.now() - t) / 1000;
  const size = (await stat(join(dir, 'purchases.csv'))).size;
  console.log(
    `demo program: ${MEMBERS.toLocaleString('en')} members, ${rows.toLocaleString('en')} purchases (${(size / 1e6).toFixed(0)} MB CSV), generated in ${generate.toFixed(1)} s`,
  );
  for (const engine of (values.engines as string).split(',') as ('embedded' | 'server')[]) {
    t = performance.now();
    const r = await runEngine(engine, dir, rows);
    const rate = (seconds: number) => `${Math.round(rows / seconds).toLocaleString('en')} rows/s`;
    const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;
    const copyAndBuild = r.membersCopy + r.copySeconds + r.buildSeconds;
    console.log(
      `${engine}: import ${r.importSeconds.toFixed(1)} s (${rate(r.importSeconds)}), plain COPY ${r.copySeconds.toFixed(1)} s (${rate(r.copySeconds)}), ratio ${(r.importSeconds / r.copySeconds).toFixed(2)}x; members: import ${r.membersImport.toFixed(1)} s, COPY ${r.membersCopy.toFixed(1)} s; stored ${JSON.stringify(r.counted.map((c) => c.n))}`,
    );
    console.log(
      `${engine}: members and purchases imported ${(r.membersImport + r.importSeconds).toFixed(1)} s, against COPY of both and \`refresh --rebuild\` (${r.buildSeconds.toFixed(1)} s) ${copyAndBuild.toFixed(1)} s, ratio ${((r.membersImport + r.importSeconds) / copyAndBuild).toFixed(2)}x; bytes stored: purchase rows ${mb(r.stored.purchases)}, the import's member state ${mb(r.stored.state)}`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
