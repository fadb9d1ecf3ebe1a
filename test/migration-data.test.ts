import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest } from '../src/db/migrate.ts';
import type { MemberStateUpdate } from '../src/db/queries/member-features.ts';
import { membersWithoutState } from '../src/db/queries/segment-refresh.ts';
import type { Schema } from '../src/db/schema.ts';
import { openUnmigratedTestDatabase } from './fixtures/database.ts';

// Migrations that move rows, tried on rows as the schema before them held them. Migration 0017
// moved every member's review day and R/F/M inputs and scores from the wide state row into a
// narrow rank row (ADR 0032): a member whose values were lost would be due on the wrong day, ranked
// from nothing, or rebuilt from history as if they had no state at all.

const database = await openUnmigratedTestDatabase();
afterAll(() => database.close());
const db = database.db;

/** A member's rank values as 0016 kept them on the wide row, the same columns the state writer now fills. */
type OldState = { member: string } & Pick<
  MemberStateUpdate,
  | 'review_day'
  | 'last_purchase_day'
  | 'frequency_orders'
  | 'monetary_total'
  | 'r_score'
  | 'f_score'
  | 'm_score'
>;

/** Members as the 0016 schema held them: one with orders and scores, one due with none, one bare. */
const OLD: OldState[] = [
  {
    member: 'm1',
    review_day: 20_100,
    last_purchase_day: 20_010,
    frequency_orders: 7,
    monetary_total: '1234.5600',
    r_score: 5,
    f_score: 4,
    m_score: 3,
  },
  {
    member: 'm2',
    review_day: 19_990,
    last_purchase_day: null,
    frequency_orders: 0,
    monetary_total: null,
    r_score: null,
    f_score: null,
    m_score: null,
  },
  {
    member: 'm3',
    review_day: null,
    last_purchase_day: 19_000,
    frequency_orders: 1,
    monetary_total: '0.0100',
    r_score: 1,
    f_score: 1,
    m_score: 1,
  },
];

beforeAll(async () => {
  await migrateTo(db, '0016-history-cut');
  await sql`INSERT INTO programs (id, name) VALUES ('p', 'P'), ('q', 'Q')`.execute(db);
  for (const program of ['p', 'q']) {
    for (const state of OLD) {
      await sql`INSERT INTO members (program_id, external_id, joined_at, payload_hash)
        VALUES (${program}, ${state.member}, '2024-01-01T00:00:00Z', 'h')`.execute(db);
      // The other program's copy differs in every value, so a row crossing programs would show.
      const shift = program === 'p' ? 0 : 1;
      await sql`INSERT INTO member_features (program_id, member_id, aggregates, features, as_of, review_day,
          last_purchase_day, frequency_orders, monetary_total, r_score, f_score, m_score)
        SELECT ${program}, member_id, '{"orders": 0}', '{"frequency_orders": 0}', '2024-06-01T00:00:00Z',
          ${state.review_day === null ? null : state.review_day + shift}::int,
          ${state.last_purchase_day === null ? null : state.last_purchase_day + shift}::int,
          ${state.frequency_orders + shift}::int, ${state.monetary_total}::numeric + ${shift},
          ${state.r_score}::smallint, ${state.f_score}::smallint, ${state.m_score}::smallint
        FROM members WHERE program_id = ${program} AND external_id = ${state.member}`.execute(db);
    }
  }
  await sql`INSERT INTO segment_settings (program_id, refreshed_as_of) VALUES ('p', '2024-06-01T00:00:00Z')`.execute(
    db,
  );
  await migrateToLatest(db);
}, 60_000);

describe('migration 0017 (rank rows apart from the wide state)', () => {
  it('moves each member’s review day, R/F/M inputs and scores into their rank row unchanged', async () => {
    const { rows } = await sql<OldState & { program_id: string; top_values: unknown }>`
      SELECT r.program_id, m.external_id AS member, r.review_day, r.last_purchase_day,
        r.frequency_orders, r.monetary_total::text AS monetary_total, r.r_score, r.f_score, r.m_score,
        r.top_values
      FROM member_ranks r JOIN members m ON m.program_id = r.program_id AND m.member_id = r.member_id
      WHERE r.program_id = 'p' ORDER BY m.external_id`.execute(db);
    expect(rows).toEqual(OLD.map((state) => ({ program_id: 'p', ...state, top_values: null })));
    const counted = await sql<{ program_id: string; n: number }>`
      SELECT program_id, count(*)::int AS n FROM member_ranks GROUP BY 1 ORDER BY 1`.execute(db);
    expect(counted.rows).toEqual([
      { program_id: 'p', n: 3 },
      { program_id: 'q', n: 3 },
    ]);
  });

  it('keeps the wide rows, without the moved columns', async () => {
    const kept = await sql<{ n: number }>`SELECT count(*)::int AS n FROM member_features`.execute(db);
    expect(kept.rows[0]?.n).toBe(6);
    const columns = await sql<{ attname: string }>`
      SELECT attname FROM pg_attribute
      WHERE attrelid = 'member_features'::regclass AND attnum > 0 AND NOT attisdropped
        AND attname IN ('review_day', 'last_purchase_day', 'frequency_orders', 'monetary_total',
          'r_score', 'f_score', 'm_score')`.execute(db);
    expect(columns.rows).toEqual([]);
  });

  it('leaves the top-percent list unset, so the next refresh fills every member’s values', async () => {
    const { rows } = await sql<{ top_features: string[] | null; refreshed: boolean }>`
      SELECT top_features, refreshed_as_of IS NOT NULL AS refreshed FROM segment_settings`.execute(db);
    expect(rows).toEqual([{ top_features: null, refreshed: true }]);
  });

  it('leaves no member without state, so no refresh rebuilds them from history', async () => {
    const schemaDb = db as unknown as Kysely<Schema>;
    expect(await membersWithoutState(schemaDb, 'p')).toEqual([]);
    expect(await membersWithoutState(schemaDb, 'q')).toEqual([]);
  });

  it('finds the members due on a day by the review-day index', async () => {
    const { rows } = await sql<{ indexdef: string }>`
      SELECT indexdef FROM pg_indexes WHERE tablename = 'member_ranks' AND indexname = 'member_ranks_review_idx'`.execute(
      db,
    );
    expect(rows[0]?.indexdef).toMatch(/\(program_id, review_day\)/);
  });
});
