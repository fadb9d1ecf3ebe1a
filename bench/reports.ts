// The campaign report on a 1,000,000-member campaign with 14 days of events, seeded set-based in SQL
// (generate_series) as a launch and the delivery worker leave their tables: 10% holdout, variants a
// and b, a segment snapshot in four schemes (recorded as a launch records it), sends and their
// delivered/opened/clicked events, orders (some refunded) and offer redemptions over 14 days, and
// a rival campaign on a tenth of the members that competes for their purchases. Times
// `reportCampaign` end to end.
//
//   node bin/run-ts.mjs bench/reports.ts [--members 1000000] [--repeat 5]
//                                        [--database-url postgres://postgres@127.0.0.1:5432/nc_reports]
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.ts';
import { recordSnapshots } from '../src/db/writers/campaign-snapshots.ts';
import { internTrails } from '../src/db/writers/decision-trails.ts';
import { definitionHash } from '../src/services/campaigns/campaign-store.ts';
import { createProgram } from '../src/services/create-program.ts';
import { silentLog } from '../src/services/deps.ts';
import { reportCampaign } from '../src/services/reports/report-campaign.ts';
import { testCampaignDefinition } from '../src/services/reports/report-test-program.ts';
import { ensureDatabase } from './ensure-database.ts';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '1000000' },
    repeat: { type: 'string', default: '5' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/nc_reports' },
  },
});
const MEMBERS = Number(values.members);
const PROGRAM = `bench-reports-${MEMBERS}`;
const LAUNCH = '2026-11-01T09:00:00Z';

await ensureDatabase(values['database-url']);
// One connection, so the report runs on one backend whose CPU time /proc can tell.
const database = await openDatabase({ url: values['database-url'] }, { poolSize: 1 });
const { db } = database;
const deps = { db, clock: () => new Date('2026-11-22T00:00:00Z'), log: silentLog };

async function timed<T>(label: string, body: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await body();
  console.log(`  ${label.padEnd(40)} ${((performance.now() - start) / 1000).toFixed(3)} s`);
  return result;
}

async function seed() {
  await createProgram(deps, { programId: PROGRAM, currency: 'GBP' });
  const p = PROGRAM;
  await timed('members', () =>
    sql`INSERT INTO members (program_id, external_id, joined_at, payload_hash)
      SELECT ${p}, 'M' || i, timestamptz '2024-01-01' + (i % 700) * interval '1 day', 'bench'
      FROM generate_series(1, ${MEMBERS}) i`.execute(db),
  );
  for (const [name, fields] of [
    [
      'bench',
      {
        name: 'bench',
        holdout: 0.1,
        offer: { kind: 'bonus_points', value: 100, unitCost: '2.50', code: 'BENCH' },
        measurement: { windowDays: 7, messageCost: { email: '0.0020' } },
        variants: [
          { name: 'a', messages: { email: { subject: 'A', body: 'a' } } },
          { name: 'b', messages: { email: { subject: 'B', body: 'b' } } },
        ],
      },
    ],
    ['rival', { name: 'rival' }],
  ] as const) {
    const definition = testCampaignDefinition(fields as never);
    await sql`INSERT INTO campaigns (program_id, name, version, status, definition, definition_hash, created_at, updated_at)
      VALUES (${p}, ${name}, 1, 'running', ${JSON.stringify(definition)}::jsonb, ${definitionHash(definition)}, now(), now())`.execute(
      db,
    );
  }
  const [noRules] = await internTrails(db, p, ['[]']);
  // Arm from a hash of the member id: 10% holdout, then a and b evenly.
  await timed('decisions', () =>
    sql`INSERT INTO campaign_decisions (program_id, campaign, step, member_id, version, arm, variant, outcome,
        excluded_by, channel, send_at, trail_id, decided_at)
      SELECT ${p}, 'bench', 'once', member_id, 1,
        CASE WHEN h < 10 THEN 'holdout' ELSE 'treatment' END,
        CASE WHEN h < 10 THEN NULL WHEN h % 2 = 0 THEN 'a' ELSE 'b' END,
        CASE WHEN h < 10 THEN 'holdout' ELSE 'send' END,
        CASE WHEN h < 10 THEN 'holdout' END, 'email', ${LAUNCH}::timestamptz, ${noRules}, ${LAUNCH}::timestamptz
      FROM (SELECT member_id, abs(hashint8(member_id)) % 100 AS h FROM members WHERE program_id = ${p}) m`.execute(
      db,
    ),
  );
  await timed('rival decisions', () =>
    sql`INSERT INTO campaign_decisions (program_id, campaign, step, member_id, version, arm, variant, outcome,
        excluded_by, channel, send_at, trail_id, decided_at)
      SELECT ${p}, 'rival', 'once', member_id, 1, 'treatment', 'a', 'send', NULL, 'email',
        timestamptz '2026-11-05T09:00:00Z', ${noRules}, timestamptz '2026-11-05T09:00:00Z'
      FROM members WHERE program_id = ${p} AND member_id % 10 = 3`.execute(db),
  );
  // One segment in each of four schemes per member, recorded as a launch records it.
  const segment = (k: number, names: string[]) =>
    sql`(${sql.val(names)}::text[])[1 + (m.member_id / ${k}) % ${names.length}]`;
  await timed('segment snapshot (4 schemes)', () =>
    recordSnapshots(db, {
      programId: p,
      campaign: 'bench',
      source: sql`
        SELECT m.member_id, ARRAY['apostle', 'lifecycle', 'loyalty', 'rfm'] AS schemes,
          ARRAY[${segment(11, ['apostles', 'loyalists', 'mercenaries', 'hostages', 'defectors'])},
                ${segment(7, ['new', 'active', 'at_risk', 'lapsed'])},
                ${segment(1, ['vips', 'at_risk_loyals', 'points_savers', 'new_enthusiasts', 'engaged_advocates'])},
                ${segment(3, ['champions', 'loyal', 'potential_loyalist', 'new', 'promising', 'need_attention', 'about_to_sleep', 'at_risk', 'cant_lose_them', 'hibernating', 'lost'])}] AS segments
        FROM members m WHERE m.program_id = ${p}`,
    }),
  );
  // Sends within 6 hours of launch; 95% delivered, 30% opened, 5% clicked.
  await timed('message events', () =>
    sql`INSERT INTO message_events (program_id, event_id, member_id, occurred_at, payload_hash, type, channel, campaign_id)
      SELECT ${p}, t.type || ':' || d.member_id, d.member_id,
        ${LAUNCH}::timestamptz + (d.member_id % 360) * interval '1 minute' + t.lag, 'bench', t.type, 'email', 'bench'
      FROM campaign_decisions d
      JOIN (VALUES ('sent', 100, interval '0'), ('delivered', 95, interval '1 minute'),
                   ('opened', 30, interval '3 hours'), ('clicked', 5, interval '4 hours')) AS t (type, share, lag)
        ON abs(hashint8(d.member_id * 7 + 1)) % 100 < t.share
      WHERE d.program_id = ${p} AND d.campaign = 'bench' AND d.arm = 'treatment'`.execute(db),
  );
  await sql`INSERT INTO message_events (program_id, event_id, member_id, occurred_at, payload_hash, type, channel, campaign_id)
    SELECT ${p}, 'rival:' || member_id, member_id, timestamptz '2026-11-05T09:30:00Z', 'bench', 'sent', 'email', 'rival'
    FROM campaign_decisions WHERE program_id = ${p} AND campaign = 'rival'`.execute(db);
  // 14 days of orders from the launch: about 0.6 per member, a little more in the variants.
  await timed('orders (14 days)', () =>
    sql`INSERT INTO purchases (program_id, event_id, member_id, occurred_at, payload_hash, kind, amount,
        merchandise_amount, currency, item_count)
      SELECT ${p}, 'o' || m.member_id || '-' || k, m.member_id,
        ${LAUNCH}::timestamptz + ((abs(hashint8(m.member_id * 31 + k)) % 1209600) * interval '1 second'),
        'bench', 'order', a.amount, a.amount, 'GBP', 1
      FROM members m CROSS JOIN generate_series(1, 2) k
      CROSS JOIN LATERAL (SELECT (10 + abs(hashint8(m.member_id * 13 + k)) % 9000 / 100.0)::numeric(18,4) AS amount) a
      WHERE m.program_id = ${p} AND abs(hashint8(m.member_id * 17 + k)) % 100 < 30`.execute(db),
  );
  await timed('refunds (2% of orders)', () =>
    sql`INSERT INTO purchases (program_id, event_id, member_id, occurred_at, payload_hash, kind, refund_of, amount,
        merchandise_amount, currency, item_count)
      SELECT program_id, 'r' || event_id, member_id, occurred_at + interval '2 days', 'bench', 'refund', event_id,
        amount / 2, amount / 2, 'GBP', 1
      FROM purchases WHERE program_id = ${p} AND kind = 'order' AND abs(hashint8(member_id)) % 50 = 0`.execute(
      db,
    ),
  );
  await timed('redemptions', () =>
    sql`INSERT INTO points (program_id, event_id, member_id, occurred_at, payload_hash, type, points, reward)
      SELECT ${p}, 'p' || member_id, member_id,
        ${LAUNCH}::timestamptz + (abs(hashint8(member_id * 5)) % 1209600) * interval '1 second', 'bench', 'redeem', 100,
        CASE WHEN member_id % 3 = 0 THEN 'OTHER' ELSE 'BENCH' END
      FROM members WHERE program_id = ${p} AND abs(hashint8(member_id * 3)) % 100 < 8`.execute(db),
  );
  await timed('VACUUM ANALYZE', async () => {
    for (const table of [
      'members',
      'campaign_decisions',
      'campaign_touches',
      'campaign_snapshots',
      'message_events',
      'purchases',
      'points',
    ]) {
      await sql.raw(`VACUUM ANALYZE ${table}`).execute(db);
    }
  });
}

const exists = await db.selectFrom('programs').select('id').where('id', '=', PROGRAM).executeTakeFirst();
if (!exists) {
  console.log(`seeding ${PROGRAM} (${MEMBERS.toLocaleString('en')} members)`);
  await seed();
}
const counts = await sql<{ name: string; n: string }>`
  SELECT 'decisions' AS name, count(*) AS n FROM campaign_decisions WHERE program_id = ${PROGRAM}
  UNION ALL SELECT 'snapshots', count(*) FROM campaign_touches WHERE program_id = ${PROGRAM} AND snapshot_id IS NOT NULL
  UNION ALL SELECT 'message events', count(*) FROM message_events WHERE program_id = ${PROGRAM}
  UNION ALL SELECT 'purchases', count(*) FROM purchases WHERE program_id = ${PROGRAM}
  UNION ALL SELECT 'redemptions', count(*) FROM points WHERE program_id = ${PROGRAM}`.execute(db);
console.log(counts.rows.map((r) => `${r.name} ${Number(r.n).toLocaleString('en')}`).join(', '));

/** CPU seconds of the server backend (the database is on this machine); null when /proc cannot say. */
const backend = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db)).rows[0]?.pid;
async function backendCpu(): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${backend}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

const runs: number[] = [];
const cpu: (number | null)[] = [];
let cells = 0;
for (let i = 0; i < Number(values.repeat); i++) {
  const cpuBefore = await backendCpu();
  const start = performance.now();
  const report = await reportCampaign(deps, { programId: PROGRAM, campaign: 'bench' });
  runs.push((performance.now() - start) / 1000);
  const cpuAfter = await backendCpu();
  cpu.push(cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore);
  cells = report.cells.length;
  const overall = report.cells.filter((c) => c.scheme === null);
  if (i === 0) {
    for (const c of overall) {
      console.log(
        `  ${c.arm.padEnd(8)} assigned ${c.assigned} converted ${c.converted} revenue ${c.revenue} cost ${c.totalCost}`,
      );
    }
  }
}
const sorted = [...runs].sort((a, b) => a - b);
console.log(`report: ${cells} cells; runs ${runs.map((r) => r.toFixed(3)).join(' ')} s`);
console.log(
  `server backend CPU per run (parallel workers not included): ${cpu.map((c) => (c === null ? '?' : c.toFixed(2))).join(' ')} s`,
);
console.log(
  `median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(3)} s, fastest ${sorted[0]?.toFixed(3)} s`,
);
await database.close();
