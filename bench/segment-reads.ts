// The segment reads and webhook delivery on a program of N members, seeded through SQL as the
// upkeep leaves its tables: each member in one lifecycle stage and one loyalty segment, with two
// to three transitions each, and twelve size snapshots.
//
//   node bin/run-ts.mjs bench/segment-reads.ts [--members 1000000] [--engines server,embedded]
//                                              [--database-url postgres://postgres@127.0.0.1:5432/test]
//                                              [--deliveries 2000]
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { type Database, openDatabase } from '../src/db/database.ts';
import { createProgram } from '../src/services/create-program.ts';
import { type Deps, silentLog } from '../src/services/deps.ts';
import { exportSegment } from '../src/services/segment-history/export-segment.ts';
import { listSegmentMembers } from '../src/services/segment-history/list-segment-members.ts';
import { listSegments } from '../src/services/segment-history/list-segments.ts';
import { segmentMigration } from '../src/services/segment-history/segment-migration.ts';
import { segmentOverlap } from '../src/services/segment-history/segment-overlap.ts';
import { segmentSizeHistory } from '../src/services/segment-history/segment-size-history.ts';
import { createWebhook } from '../src/services/webhooks/create-webhook.ts';
import { deliverAllDue } from '../src/services/webhooks/webhook-worker.ts';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '1000000' },
    engines: { type: 'string', default: 'server,embedded' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    deliveries: { type: 'string', default: '2000' },
  },
});
const MEMBERS = Number(values.members);
const DELIVERIES = Number(values.deliveries);
const NOW = new Date('2026-11-01T00:00:00Z');

async function timed<T>(label: string, body: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await body();
  console.log(`  ${label.padEnd(44)} ${((performance.now() - start) / 1000).toFixed(3)} s`);
  return result;
}

async function seed(database: Database, programId: string) {
  const { db } = database;
  await sql`INSERT INTO members (program_id, external_id, joined_at, tier, payload_hash)
    SELECT ${programId}, 'M' || lpad(i::text, 7, '0'), timestamptz '2024-01-01' + (i % 700) * interval '1 day',
      CASE WHEN i % 3 = 0 THEN 'gold' END, 'bench'
    FROM generate_series(1, ${MEMBERS}) i`.execute(db);
  const stages = sql`(ARRAY['prospect','new','active','at_risk','lapsed','churned'])`;
  // Stage by member id; a third of members moved from 'new' on 2026-06-01.
  await sql`INSERT INTO segment_memberships (program_id, member_id, scheme, segment, since, explanation)
    SELECT ${programId}, member_id, 'lifecycle', ${stages}[1 + member_id % 6], timestamptz '2026-06-01', 'bench'
    FROM members WHERE program_id = ${programId}`.execute(db);
  await sql`INSERT INTO segment_memberships (program_id, member_id, scheme, segment, since, explanation)
    SELECT ${programId}, member_id, 'loyalty', CASE WHEN member_id % 10 = 0 THEN 'vips' ELSE 'points_savers' END,
      timestamptz '2026-06-01', 'bench'
    FROM members WHERE program_id = ${programId} AND member_id % 4 = 0`.execute(db);
  await sql`INSERT INTO segment_transitions (program_id, member_id, scheme, segment, change, at, cause)
    SELECT ${programId}, member_id, 'lifecycle', 'new', 'entered', timestamptz '2026-01-01', 'event'
    FROM members WHERE program_id = ${programId} AND member_id % 3 = 0`.execute(db);
  await sql`INSERT INTO segment_transitions (program_id, member_id, scheme, segment, change, at, cause)
    SELECT ${programId}, member_id, 'lifecycle', 'new', 'left', timestamptz '2026-06-01', 'refresh'
    FROM members WHERE program_id = ${programId} AND member_id % 3 = 0`.execute(db);
  await sql`INSERT INTO segment_transitions (program_id, member_id, scheme, segment, change, at, cause)
    SELECT ${programId}, member_id, 'lifecycle', ${stages}[1 + member_id % 6], 'entered', timestamptz '2026-06-01', 'refresh'
    FROM members WHERE program_id = ${programId}`.execute(db);
  await sql`INSERT INTO segment_sizes (program_id, scheme, segment, as_of, size)
    SELECT ${programId}, 'lifecycle', s, timestamptz '2026-01-01' + m * interval '1 month', ${Math.round(MEMBERS / 6)}
    FROM unnest(${stages}) s, generate_series(0, 11) m`.execute(db);
  await sql`ANALYZE`.execute(db);
}

async function run(engine: 'server' | 'embedded') {
  const database = await openDatabase(
    engine === 'server' ? { url: values['database-url'] as string } : { memory: true },
  );
  const deps: Deps = { db: database.db, clock: () => NOW, log: silentLog };
  const programId = `bench-seg-${Date.now().toString(36)}`;
  await createProgram(deps, { programId });
  console.log(`${engine}: ${MEMBERS.toLocaleString('en')} members`);
  await timed('seed (SQL, not the product path)', () => seed(database, programId));

  const list = await timed('segments list', () => listSegments(deps, { programId }));
  const active = list.segments.find((s) => s.scheme === 'lifecycle' && s.name === 'active')?.size ?? 0;
  const first = await timed('segments members active (first page of 100)', () =>
    listSegmentMembers(deps, { programId, name: 'lifecycle/active' }),
  );
  await timed('segments members active (next page)', () =>
    listSegmentMembers(deps, { programId, name: 'lifecycle/active', cursor: first.nextCursor ?? undefined }),
  );
  let bytes = 0;
  await timed(`segments export active, csv (${active.toLocaleString('en')} rows)`, async () => {
    const { chunks } = await exportSegment(deps, { programId, name: 'lifecycle/active', format: 'csv' });
    for await (const chunk of chunks) bytes += chunk.length;
  });
  console.log(`    ${(bytes / 1e6).toFixed(1)} MB`);
  const migration = await timed('segments migration lifecycle', () =>
    segmentMigration(deps, {
      programId,
      from: new Date('2026-03-01'),
      to: new Date('2026-07-01'),
      scheme: 'lifecycle',
    }),
  );
  console.log(`    ${migration.schemes[0]?.cells.length} cells`);
  await timed('segments overlap lifecycle/active loyalty/vips', () =>
    segmentOverlap(deps, { programId, a: { name: 'lifecycle/active' }, b: { name: 'loyalty/vips' } }),
  );
  await timed('segments sizes lifecycle', () => segmentSizeHistory(deps, { programId, scheme: 'lifecycle' }));

  // Delivery to a local receiver that answers 200 at once.
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const webhook = await createWebhook(deps, { programId, input: { url } });
  await sql`INSERT INTO webhook_deliveries (id, program_id, webhook_id, payload, next_attempt_at)
    SELECT ${programId}::text || ':' || i, ${programId}, ${webhook.id},
      json_build_object('id', ${programId}::text || ':' || i, 'type', 'segment.entered', 'programId', ${programId}::text,
        'memberId', 'M' || i, 'scheme', 'lifecycle', 'segment', 'active', 'at', '2026-11-01T00:00:00.000Z',
        'cause', 'event', 'explanation', 'bench'), ${NOW}
    FROM generate_series(1, ${DELIVERIES}) i`.execute(database.db);
  const start = performance.now();
  const round = await deliverAllDue(deps, { programId });
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `  ${`webhooks deliver (${round.delivered} deliveries)`.padEnd(44)} ${seconds.toFixed(3)} s (${Math.round(round.delivered / seconds)}/s)`,
  );
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await database.close();
}

for (const engine of (values.engines as string).split(',')) await run(engine as 'server' | 'embedded');
