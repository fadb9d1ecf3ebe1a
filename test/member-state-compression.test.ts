import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createProgram } from '../src/services/create-program.ts';
import { ingestBatch } from '../src/services/ingest-batch.ts';
import { freshProgramId, openTestDatabase } from './fixtures/database.ts';
import { testDeps } from './fixtures/programs.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());

/** Whether the engine under test was built with lz4 (the server usually is, the embedded one is not). */
async function engineHasLz4(): Promise<boolean> {
  try {
    await database.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL default_toast_compression = lz4`.execute(trx);
    });
    return true;
  } catch {
    return false;
  }
}

describe('member state compression (migration 0015)', () => {
  it('compresses members’ aggregates and features with lz4 where the engine has it, and the default elsewhere', async () => {
    const columns = await sql<{ attname: string; attcompression: string }>`
      SELECT attname, attcompression::text AS attcompression FROM pg_attribute
      WHERE attrelid = 'member_features'::regclass AND attname IN ('aggregates', 'features')
      ORDER BY attname`.execute(database.db);
    const expected = (await engineHasLz4()) ? 'l' : '';
    expect(columns.rows).toEqual([
      { attname: 'aggregates', attcompression: expected },
      { attname: 'features', attcompression: expected },
    ]);
  });

  it('stores and reads back a member whose state is large enough to be compressed', async () => {
    const programId = freshProgramId('lz4');
    await createProgram(deps, { programId });
    await ingestBatch(deps, { programId, kind: 'members', records: [{ id: 'm1', joinedAt: '2024-01-01' }] });
    const purchases = Array.from({ length: 400 }, (_, i) => ({
      id: `p${i}`,
      memberId: 'm1',
      occurredAt: new Date(Date.UTC(2024, 0, 2) + i * 86_400_000).toISOString(),
      kind: 'order',
      amount: '10.00',
    }));
    await ingestBatch(deps, { programId, kind: 'purchases', records: purchases });
    const [row] = (
      await sql<{ size: number; orders: number; compression: string | null }>`
        SELECT pg_column_size(aggregates) AS size, (aggregates ->> 'orders')::int AS orders,
          pg_column_compression(aggregates) AS compression
        FROM member_features WHERE program_id = ${programId}`.execute(database.db)
    ).rows;
    expect(row?.orders).toBe(400);
    expect(row?.compression).toBe((await engineHasLz4()) ? 'lz4' : 'pglz');
  });
});
