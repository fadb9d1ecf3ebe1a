import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { freshProgramId, openTestDatabase } from '../../../test/fixtures/database.ts';
import { memberStateOf } from '../../../test/fixtures/member-state.ts';
import { testDeps } from '../../../test/fixtures/programs.ts';
import type { AppError } from '../../contracts/errors.ts';
import { createProgram } from '../create-program.ts';
import { ingestBatch } from '../ingest-batch.ts';
import { GROUP_RECORDS, IngestGroups } from './ingest-groups.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());

async function program(): Promise<string> {
  const programId = freshProgramId('grp');
  await createProgram(deps, { programId, currency: 'GBP' });
  return programId;
}

/** The backend process and transaction a job ran in, as the database reports them. */
async function transactionOf(trx: Parameters<Parameters<IngestGroups['submit']>[3]>[0]['trx']) {
  const { rows } = await sql<{ tx: string }>`SELECT txid_current()::text AS tx`.execute(trx);
  return rows[0]?.tx as string;
}

describe('IngestGroups', () => {
  it('commits requests that wait behind a group together, in the order they came, one result each', async () => {
    const programId = await program();
    const groups = new IngestGroups(database.db, 1);
    const seen: { job: number; tx: string }[] = [];
    const results = await Promise.all(
      [0, 1, 2, 3, 4].map((job) =>
        groups.submit(deps.clock, programId, 1, async ({ trx }) => {
          seen.push({ job, tx: await transactionOf(trx) });
          return job * 10;
        }),
      ),
    );
    expect(results).toEqual([0, 10, 20, 30, 40]);
    expect(seen.map((s) => s.job)).toEqual([0, 1, 2, 3, 4]);
    // The first request found its one lane free and went alone; the four that waited shared one.
    expect(new Set(seen.map((s) => s.tx)).size).toBe(2);
    expect(seen[0]?.tx).not.toBe(seen[1]?.tx);
    expect(new Set(seen.slice(1).map((s) => s.tx)).size).toBe(1);
  });

  it('with two lanes, starts two requests at once and groups what waits behind them', async () => {
    const programId = await program();
    const groups = new IngestGroups(database.db, 2);
    const seen: { job: number; tx: string }[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4, 5].map((job) =>
        groups.submit(deps.clock, programId, 1, async ({ trx }) => {
          seen.push({ job, tx: await transactionOf(trx) });
        }),
      ),
    );
    const txOf = (job: number) => seen.find((s) => s.job === job)?.tx;
    expect(new Set([txOf(0), txOf(1), txOf(2)]).size).toBe(3);
    expect(new Set([2, 3, 4, 5].map(txOf)).size).toBe(1);
  });

  it('keeps a group within its record limit and commits a larger request on its own', async () => {
    const programId = await program();
    const groups = new IngestGroups(database.db, 1);
    const txs: string[] = [];
    const job = async ({ trx }: { trx: Parameters<typeof transactionOf>[0] }) => {
      txs.push(await transactionOf(trx));
    };
    await Promise.all([
      groups.submit(deps.clock, programId, 1, job),
      groups.submit(deps.clock, programId, GROUP_RECORDS - 1, job),
      groups.submit(deps.clock, programId, 1, job),
      groups.submit(deps.clock, programId, 1, job),
    ]);
    // [1], then [999, 1] (1,000 records), then [1]; nothing over the limit shares a transaction.
    expect(txs).toHaveLength(4);
    expect(new Set(txs).size).toBe(3);
    const alone: string[] = [];
    await Promise.all([
      groups.submit(deps.clock, programId, 1, job),
      groups.submit(deps.clock, programId, GROUP_RECORDS + 1, async ({ trx }) => {
        alone.push(await transactionOf(trx));
      }),
    ]);
    expect(txs).not.toContain(alone[0]);
  });
});

describe('ingestBatch in groups', () => {
  const member = (id: string) => ({ id, joinedAt: '2024-01-01' });
  const review = (id: string, memberId: string, occurredAt = '2024-05-01T10:00:00Z') => ({
    id,
    memberId,
    occurredAt,
    kind: 'review',
  });

  it('gives each of many concurrent requests its own counts, duplicates and conflicts included', async () => {
    const programId = await program();
    await ingestBatch(deps, { programId, kind: 'members', records: [member('a'), member('b')] });
    const send = (records: unknown[]) =>
      ingestBatch(deps, { programId, kind: 'engagement', records }).then(
        (r) => ({ inserted: r.inserted, duplicate: r.duplicate }),
        (e: AppError) => e.code,
      );
    const outcomes = await Promise.all([
      send([review('e1', 'a')]),
      send([review('e2', 'a'), review('e3', 'b')]),
      send([review('e2', 'a')]),
      send([review('e3', 'a')]),
      send([review('e5', 'b'), review('e3', 'a')]),
      send([review('e4', 'b')]),
    ]);
    expect(outcomes).toEqual([
      { inserted: 1, duplicate: 0 },
      { inserted: 2, duplicate: 0 },
      { inserted: 0, duplicate: 1 },
      'ID_CONFLICT',
      'ID_CONFLICT',
      { inserted: 1, duplicate: 0 },
    ]);
    const rows = await deps.db
      .selectFrom('engagement')
      .select('event_id')
      .where('program_id', '=', programId)
      .orderBy('event_id')
      .execute();
    // The refused requests left nothing: e5 came with a conflicting e3, and the group went on without it.
    expect(rows.map((r) => r.event_id)).toEqual(['e1', 'e2', 'e3', 'e4']);
    // Each member's features count the events their group committed.
    const features = await deps.db
      .selectFrom('member_features as f')
      .innerJoin('members as m', (j) =>
        j.onRef('m.program_id', '=', 'f.program_id').onRef('m.member_id', '=', 'f.member_id'),
      )
      .select(['m.external_id', sql<number>`(f.features->>'engagements')::int`.as('engagements')])
      .where('f.program_id', '=', programId)
      .orderBy('m.external_id')
      .execute();
    expect(features).toEqual([
      { external_id: 'a', engagements: 2 },
      { external_id: 'b', engagements: 2 },
    ]);
  });

  it('leaves the same results, events and member features as sending the requests one by one (property)', async () => {
    const ids = ['e1', 'e2', 'e3', 'e4', 'e5'];
    const members = ['a', 'b', 'c'];
    const request = fc.array(
      fc.record({
        id: fc.constantFrom(...ids),
        memberId: fc.constantFrom(...members, 'nobody'),
        day: fc.integer({ min: 1, max: 28 }),
      }),
      { minLength: 1, maxLength: 3 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 8 }), async (requests) => {
        const bodies = requests.map((records) =>
          records.map((r) => review(r.id, r.memberId, `2024-05-${String(r.day).padStart(2, '0')}T10:00:00Z`)),
        );
        // One lane, so that requests sent together have the order they were sent in.
        const lane = new IngestGroups(database.db, 1);
        const outcome = (programId: string, records: unknown[], groups?: IngestGroups) =>
          ingestBatch(deps, { programId, kind: 'engagement', records }, groups).then(
            (r) => `${r.inserted} inserted, ${r.duplicate} duplicate`,
            (e: AppError) => e.code,
          );
        // Transitions are left out: a member entering and leaving a segment within one group
        // records neither (ADR 0030).
        const state = async (programId: string) => {
          const { features, memberships } = await memberStateOf(database.db, programId);
          const events = await deps.db
            .selectFrom('engagement')
            .select(['event_id', 'occurred_at'])
            .where('program_id', '=', programId)
            .orderBy('event_id')
            .execute();
          return { events, features, memberships };
        };
        const [one, together] = [await program(), await program()];
        for (const p of [one, together]) {
          await ingestBatch(deps, { programId: p, kind: 'members', records: members.map(member) });
        }
        const sequential: string[] = [];
        for (const body of bodies) sequential.push(await outcome(one, body));
        const grouped = await Promise.all(bodies.map((body) => outcome(together, body, lane)));
        expect(grouped).toEqual(sequential);
        expect(await state(together)).toEqual(await state(one));
      }),
      { numRuns: 15 },
    );
  });
});
