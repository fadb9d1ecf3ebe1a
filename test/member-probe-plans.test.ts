import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCK_MEMBER_STATES,
  WRITE_MEMBER_STATES,
  WRITE_MEMBERSHIP_CHANGES,
} from '../src/db/queries/member-features.ts';
import { memberProbe } from '../src/db/queries/member-probe.ts';
import { createProgram } from '../src/services/create-program.ts';
import { type Deps, silentLog } from '../src/services/deps.ts';
import { ingestBatch } from '../src/services/ingest-batch.ts';
import { freshProgramId, openOwnTestDatabase } from './fixtures/database.ts';
import { sampleRecords } from './fixtures/programs.ts';

// A program's first import writes every member's state in one transaction, planned with statistics
// taken before that program existed: they put its rows at about none. Each per-member read must
// still be an index probe on the member's own key. When an index led by the program alone was
// cheaper to descend, the planner took it and filtered on the member, so every probe read the
// whole program: an import of 23,570 members went from 7 s to 80 s once the state table had been
// analysed (ADR 0031).
//
// The statistics must be those of this file's program alone: on a database other files share, their
// programs keep the estimate for an unseen program off the floor, and a wrong plan would pass. So
// this file has a database of its own on the server too.

const database = await openOwnTestDatabase();
afterAll(() => database.close());
const deps: Deps = { db: database.db, clock: () => new Date('2024-06-01T00:00:00Z'), log: silentLog };

/** The tables read one member at a time, with their columns that such a read names. */
const PROBED = [
  'members',
  'member_features',
  'member_ranks',
  'member_predictions',
  'purchases',
  'points',
  'engagement',
  'surveys',
  'declarations',
  'segment_memberships',
] as const;

interface PlanNode {
  'Node Type': string;
  'Conflict Arbiter Indexes'?: string[];
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

function scansOf(node: PlanNode, table: string): PlanNode[] {
  // A data-modifying node names its table too; only the reads beneath it are scans.
  const own = node['Relation Name'] === table && node['Node Type'] !== 'ModifyTable' ? [node] : [];
  return [...own, ...(node.Plans ?? []).flatMap((child) => scansOf(child, table))];
}

async function plan(text: string, params: unknown[]): Promise<PlanNode> {
  const { rows } = await database.db.executeQuery<{ 'QUERY PLAN': unknown }>(
    CompiledQuery.raw(`EXPLAIN (FORMAT JSON) ${text}`, params),
  );
  const raw = rows[0]?.['QUERY PLAN'];
  const parsed = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  return parsed[0]?.Plan as PlanNode;
}

/**
 * Each scan of `table` goes through an index whose condition names the member: an index scan, or a
 * bitmap heap scan over bitmap index scans.
 */
function expectMemberProbes(root: PlanNode, table: string): void {
  const scans = scansOf(root, table);
  expect(scans.length, `${table} is read`).toBeGreaterThan(0);
  for (const scan of scans) {
    const probes =
      scan['Node Type'] === 'Bitmap Heap Scan'
        ? (scan.Plans ?? []).filter((p) => p['Node Type'] === 'Bitmap Index Scan')
        : [scan];
    expect(probes.length, `${table}: ${scan['Node Type']}`).toBeGreaterThan(0);
    for (const probe of probes) {
      expect({
        table,
        type: probe['Node Type'],
        index: probe['Index Name'],
        cond: probe['Index Cond'] ?? null,
      }).toEqual({
        table,
        type: expect.stringMatching(/^(Bitmap )?Index (Only )?Scan$/),
        index: expect.any(String),
        cond: expect.stringMatching(/member_id = /),
      });
    }
  }
}

const members = 400;
const unseen = Array.from({ length: 2_000 }, (_, i) => i + 1);

beforeAll(async () => {
  // A program with a history of every kind, then statistics taken while it is the only one they know.
  const programId = freshProgramId('known');
  await createProgram(deps, { programId });
  const ids = Array.from({ length: members }, (_, i) => `m${i}`);
  const records = ids.map((id, i) => sampleRecords(id, String(i)));
  for (const kind of ['members', 'purchases', 'points', 'engagement', 'surveys', 'declarations'] as const) {
    await ingestBatch(deps, { programId, kind, records: records.map((r) => r[kind]) });
  }
  // Predictions as a CLV fit leaves them, so that table is analysed with rows in it too.
  const model = `bgnbd-${programId}`;
  await database.db
    .insertInto('clv_models')
    .values({
      id: model,
      program_id: programId,
      model: 'bgnbd',
      params: { r: 1, alpha: 1, a: 1, b: 1 },
      log_likelihood: -1,
      n: members,
      converged: true,
      iterations: 1,
      calibration_end: new Date('2024-06-01T00:00:00Z'),
      time_unit: 'week',
    })
    .execute();
  await sql`INSERT INTO member_predictions (program_id, member_id, model_id, expected_purchases, p_alive, computed_at)
    SELECT program_id, member_id, ${model}, 1, 0.5, now() FROM members WHERE program_id = ${programId}`.execute(
    database.db,
  );
  for (const table of PROBED) {
    await sql.raw(`ANALYZE ${table}`).execute(database.db);
  }
  // Since those statistics, the narrow rank table has grown, as a large import grows it: read whole,
  // a table of a few pages is cheaper than probing it for 2,000 members, and a server rightly reads
  // it so; what must not happen is a scan of a table that has outgrown its statistics.
  await sql`INSERT INTO member_ranks (program_id, member_id, frequency_orders)
    SELECT ${freshProgramId('grown')}, g, 0 FROM generate_series(1, 50000) AS g`.execute(database.db);
}, 120_000);

describe('per-member reads of a program the statistics have not seen', () => {
  it('lock each state row by its own key', async () => {
    // The lock is an insert whose conflict check finds each member's row by its key: no scan of the
    // table for the planner to choose.
    const root = (await plan(LOCK_MEMBER_STATES, [
      freshProgramId('new'),
      unseen,
      '{}',
      new Date(),
    ])) as PlanNode & {
      Operation?: string;
      'Conflict Resolution'?: string;
      'Conflict Arbiter Indexes'?: string[];
    };
    expect({
      operation: root.Operation,
      resolution: root['Conflict Resolution'],
      arbiters: root['Conflict Arbiter Indexes'],
      scans: scansOf(root, 'member_features').length,
    }).toEqual({ operation: 'Insert', resolution: 'UPDATE', arbiters: ['member_features_pkey'], scans: 0 });
  });

  it('write each state and rank row by its own key, and create rank rows through the key’s conflict check', async () => {
    const updates = unseen.map((id) => ({
      member_id: id,
      aggregates: null,
      features: {},
      review_day: 1,
      last_purchase_day: null,
      frequency_orders: 0,
      monetary_total: null,
      r_score: null,
      f_score: null,
      m_score: null,
      top_values: null,
    }));
    const root = await plan(WRITE_MEMBER_STATES, [
      freshProgramId('new'),
      JSON.stringify(updates),
      new Date(),
    ]);
    expectMemberProbes(root, 'member_features');
    expectMemberProbes(root, 'member_ranks');
    const arbiters = (node: PlanNode): string[][] => [
      ...(node['Conflict Arbiter Indexes'] === undefined ? [] : [node['Conflict Arbiter Indexes']]),
      ...(node.Plans ?? []).flatMap(arbiters),
    ];
    expect(arbiters(root)).toEqual([['member_ranks_pkey']]);
  });

  it('remove and reword memberships by each member’s own key', async () => {
    // With the program compared as a plain parameter, the planner put the program's memberships on
    // the outside and scanned the changes once per membership: an import ran for minutes.
    const changes = unseen.flatMap((id) => [
      { member_id: id, scheme: 'rfm', segment: 'lost', explanation: 'x', change: 'left' },
      { member_id: id, scheme: 'lifecycle', segment: 'active', explanation: 'y', change: 'reworded' },
    ]);
    const root = await plan(WRITE_MEMBERSHIP_CHANGES, [
      freshProgramId('new'),
      JSON.stringify(changes),
      new Date(),
      'event',
    ]);
    expectMemberProbes(root, 'segment_memberships');
  });

  it.each(PROBED)('read %s by each member’s own key', async (table) => {
    const text = `SELECT u.id, x.* FROM unnest($2::int8[]) AS u(id) ${memberProbe(table, '*', 'u.id', 'x')}`;
    expectMemberProbes(await plan(text, [freshProgramId('new'), unseen]), table);
  });
});
