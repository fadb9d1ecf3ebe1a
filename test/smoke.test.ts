import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from './fixtures/database.ts';

const database = await openTestDatabase();
afterAll(() => database.close());

describe('the database', () => {
  it('returns int8 as numbers, numeric as exact strings and dates as text on every engine', async () => {
    const { rows } = await sql<{ n: number; m: string; d: string }>`
      select 9007199254740991::int8 as n, 0.1::numeric(18,4) + 0.2::numeric(18,4) as m, '2024-02-29'::date as d`.execute(
      database.db,
    );
    expect(rows[0]).toEqual({ n: 9007199254740991, m: '0.3000', d: '2024-02-29' });
  });
});
