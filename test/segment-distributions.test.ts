import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { rankAndSummarise } from '../src/db/queries/segment-refresh.ts';
import { rfmScores } from '../src/domain/features/rfm-scores.ts';
import { summariseDistribution } from '../src/domain/segments/program-context.ts';
import { createProgram } from '../src/services/create-program.ts';
import { ingestBatch } from '../src/services/ingest-batch.ts';
import { freshProgramId, openTestDatabase } from './fixtures/database.ts';
import { testDeps } from './fixtures/programs.ts';

const database = await openTestDatabase();
const deps = testDeps(database);
afterAll(() => database.close());

const MEMBERS = 40;
const programId = freshProgramId('dist');
await createProgram(deps, { programId });
await ingestBatch(deps, {
  programId,
  kind: 'members',
  records: Array.from({ length: MEMBERS }, (_, i) => ({ id: `m${i}`, joinedAt: '2024-01-01' })),
});

const member = fc.record({
  lastPurchaseDay: fc.option(fc.integer({ min: 19_000, max: 19_010 }), { nil: null }),
  orders: fc.integer({ min: 0, max: 6 }),
  /** Money as a decimal with up to four places, ties likely. */
  spend: fc.integer({ min: -500_000, max: 500_000 }).map((u) => (u / 10_000).toFixed(4)),
  /** A feature value, absent, or JSON null. */
  balance: fc.oneof(fc.integer({ min: -50, max: 50 }), fc.constant(undefined), fc.constant(null)),
});

/** Internal member id -> index in the generated list. */
const ids = new Map(
  (
    await database.db
      .selectFrom('members')
      .select(['member_id', 'external_id'])
      .where('program_id', '=', programId)
      .execute()
  ).map((m) => [Number(m.member_id), Number(m.external_id.slice(1))]),
);

/** Each member's stored R/F/M scores as "r/f/m" (empty parts for none), in generated order. */
async function scores(): Promise<string[]> {
  const rows = await database.db
    .selectFrom('member_ranks')
    .select(['member_id', 'r_score', 'f_score', 'm_score'])
    .where('program_id', '=', programId)
    .execute();
  const list: string[] = Array.from({ length: MEMBERS }, () => '//');
  for (const row of rows)
    list[ids.get(Number(row.member_id)) as number] = [row.r_score, row.f_score, row.m_score].join('/');
  return list;
}

const sortedOf = (values: readonly (number | null | undefined)[]) =>
  values.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);

describe('rankAndSummarise', () => {
  it('ranks R/F/M as rfm-scores.ts does, storing and naming the scores that moved, and keeps exactly the order statistics summariseDistribution keeps, for every source in one call (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(member, { minLength: MEMBERS, maxLength: MEMBERS }),
        fc.constantFrom(2, 3, 7, 39, 40, 10_001),
        async (members, maxPoints) => {
          const rows = members.map((m, i) => ({
            external: `m${i}`,
            last_purchase_day: m.lastPurchaseDay,
            frequency_orders: m.orders,
            monetary_total: m.spend,
            top_values: m.balance === undefined ? {} : { points_balance: m.balance },
          }));
          await sql`
            UPDATE member_ranks f SET last_purchase_day = u.last_purchase_day,
              frequency_orders = u.frequency_orders, monetary_total = u.monetary_total, top_values = u.top_values,
              -- as the state writer does: no purchase, no scores
              r_score = CASE WHEN u.last_purchase_day IS NULL THEN NULL ELSE f.r_score END,
              f_score = CASE WHEN u.last_purchase_day IS NULL THEN NULL ELSE f.f_score END,
              m_score = CASE WHEN u.last_purchase_day IS NULL THEN NULL ELSE f.m_score END
            FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS u(external text, last_purchase_day integer,
              frequency_orders integer, monetary_total numeric, top_values jsonb),
              members m
            WHERE m.program_id = ${programId} AND m.external_id = u.external
              AND f.program_id = m.program_id AND f.member_id = m.member_id`.execute(database.db);

          const before = await scores();
          const bought = members.filter((m) => m.lastPurchaseDay !== null);
          const got = await database.db
            .transaction()
            .execute((trx) =>
              rankAndSummarise(
                trx,
                programId,
                [
                  { column: 'last_purchase_day' },
                  { column: 'frequency_orders' },
                  { column: 'monetary_total' },
                  { feature: 'points_balance' },
                  { feature: 'no_such_feature' },
                ],
                maxPoints,
              ),
            );
          expect(got.distributions).toEqual([
            summariseDistribution(sortedOf(bought.map((m) => m.lastPurchaseDay)), maxPoints),
            summariseDistribution(sortedOf(bought.map((m) => m.orders)), maxPoints),
            summariseDistribution(sortedOf(bought.map((m) => Number(m.spend))), maxPoints),
            summariseDistribution(sortedOf(members.map((m) => m.balance)), maxPoints),
            [],
          ]);

          const boughtOnly = (value: (m: (typeof members)[number]) => number) =>
            members.map((m) => (m.lastPurchaseDay === null ? null : value(m)));
          const r = rfmScores(
            boughtOnly((m) => m.lastPurchaseDay as number),
            'higher_is_better',
          );
          const f = rfmScores(
            boughtOnly((m) => m.orders),
            'higher_is_better',
          );
          const mScores = rfmScores(
            boughtOnly((m) => Number(m.spend)),
            'higher_is_better',
          );
          const expected = members.map((_, i) => [r[i], f[i], mScores[i]].join('/'));
          const after = await scores();
          expect(after).toEqual(expected);
          const moved = expected.flatMap((score, i) => (score === before[i] ? [] : [i]));
          expect(got.moved.map((id) => ids.get(id)).sort((a, b) => (a as number) - (b as number))).toEqual(
            moved,
          );
        },
      ),
      { numRuns: 40 },
    );
  });
});
