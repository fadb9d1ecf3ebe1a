// Set-up for bench/campaigns.ts: a program of a million members in minutes instead of the ~25+
// minutes a full segment rebuild from history takes at that size.
//
// 1. A seed program of `seedMembers` demo members (seed 42) is loaded through the real path
//    (`loadDemo`: ingest with feature upkeep, then `refreshSegments`), so its members, consents,
//    purchases with items, features and segment memberships are exactly what the product stores.
// 2. The seed is copied `copies` times into the bench program by set-based SQL (INSERT ... SELECT
//    over generate_series): member ids are new, external ids and event ids get the suffix "-<copy>",
//    email addresses "+<copy>" before the @; every other value (time zone, features, declared
//    values, consents, segment memberships and their `since`, and with `withPurchases` purchases
//    and items) is the seed member's. So the million members are the seed's members 1/`copies`-fold each, with distinct ids
//    (holdout and variant hash on the id, so arms are drawn independently per copy).
// Points, engagement, surveys and declarations events are not copied: a launch reads none of them
// (declared values reach a launch through member_features). Purchases and their items (for the
// `last.*` tokens) are copied only with `withPurchases`: at 1M members they are 25M rows, longer
// to copy than a bench on a shared machine could wait; see BENCHMARKS.md for what was measured.
import { sql } from 'kysely';
import type { Database } from '../src/db/database.ts';
import type { Deps } from '../src/services/deps.ts';
import { loadDemo } from '../src/services/load-demo.ts';

export interface BenchProgramOptions {
  programId: string;
  /** The seed program (loaded with `seedMembers` demo members if it has fewer). */
  seedId: string;
  members: number;
  seedMembers: number;
  /** Copy purchases and their items too (25M rows at 1M members: slow). */
  withPurchases: boolean;
  now: Date;
  log: (text: string) => void;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function memberCount(database: Database, programId: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    SELECT count(*) AS n FROM members WHERE program_id = ${programId}`.execute(database.db);
  return Number(rows[0]?.n ?? 0);
}

/** Makes sure the bench program holds `members` members (built once, reused later); returns the count. */
export async function ensureBenchProgram(
  database: Database,
  deps: Deps,
  { programId, seedId, members, seedMembers, withPurchases, now, log }: BenchProgramOptions,
): Promise<number> {
  const present = await memberCount(database, programId);
  if (present >= members) return present;
  if (present > 0) throw new Error(`program ${programId} has ${present} members; drop it to rebuild`);
  let started = performance.now();
  if ((await memberCount(database, seedId)) < seedMembers) {
    log(`loading the seed program (${seedMembers.toLocaleString('en')} demo members, real ingest path)...`);
    await loadDemo(deps, { programId: seedId, members: seedMembers, seed: 42, now });
    log(`  seed loaded and segmented in ${seconds(performance.now() - started)}`);
  }
  const copies = Math.ceil(members / seedMembers);
  started = performance.now();
  await database.db.transaction().execute(async (db) => {
    const step = async (label: string, query: ReturnType<typeof sql>) => {
      const t = performance.now();
      const result = await query.execute(db);
      log(
        `  ${label}: ${Number(result.numAffectedRows ?? 0).toLocaleString('en')} rows, ${seconds(performance.now() - t)}`,
      );
    };
    log(`copying the seed ${copies} times into ${programId} with INSERT ... SELECT...`);
    await sql`INSERT INTO programs (id, name, currency, as_of)
    SELECT ${programId}, 'Campaign bench program', currency, as_of FROM programs WHERE id = ${seedId}`.execute(
      db,
    );
    await sql`INSERT INTO segment_settings (program_id, overrides, distributions, refreshed_as_of, definitions_version, evaluated_version)
    SELECT ${programId}, overrides, distributions, refreshed_as_of, definitions_version, evaluated_version
    FROM segment_settings WHERE program_id = ${seedId}`.execute(db);
    // Member ids come from the identity in this order, so the map below is a join on external id.
    await step(
      'members',
      sql`INSERT INTO members (program_id, external_id, joined_at, tier, timezone, locale, email, phone,
        push_token, region, gender, birthday, account_external_id, business_category, attributes, payload_hash)
      SELECT ${programId}, m.external_id || '-' || c, m.joined_at, m.tier, m.timezone, m.locale,
        replace(m.email, '@', '+' || c || '@'), m.phone, m.push_token, m.region, m.gender, m.birthday,
        m.account_external_id, m.business_category, m.attributes, m.payload_hash
      FROM generate_series(0, ${copies - 1}) AS c, members m
      WHERE m.program_id = ${seedId} AND (c * ${seedMembers} + m.member_id - (
        SELECT min(member_id) FROM members WHERE program_id = ${seedId})) < ${members}
      ORDER BY c, m.member_id`,
    );
    await sql`DROP TABLE IF EXISTS bench_member_map`.execute(db);
    await step(
      'member map',
      sql`CREATE UNLOGGED TABLE bench_member_map AS
      SELECT o.member_id AS old_id, n.member_id AS new_id, split_part(n.external_id, '-', -1)::int AS c
      FROM members n JOIN members o ON o.program_id = ${seedId}
        AND o.external_id = left(n.external_id, length(n.external_id) - length(split_part(n.external_id, '-', -1)) - 1)
      WHERE n.program_id = ${programId}`,
    );
    await sql`CREATE INDEX ON bench_member_map (old_id)`.execute(db);
    await sql`ANALYZE bench_member_map`.execute(db);
    await step(
      'member_features',
      sql`INSERT INTO member_features (program_id, member_id, aggregates, features, as_of)
      SELECT ${programId}, map.new_id, f.aggregates, f.features, f.as_of
      FROM member_features f JOIN bench_member_map map ON map.old_id = f.member_id
      WHERE f.program_id = ${seedId}`,
    );
    await step(
      'member_ranks',
      sql`INSERT INTO member_ranks (program_id, member_id, review_day, last_purchase_day,
        frequency_orders, monetary_total, r_score, f_score, m_score, top_values)
      SELECT ${programId}, map.new_id, r.review_day, r.last_purchase_day, r.frequency_orders,
        r.monetary_total, r.r_score, r.f_score, r.m_score, r.top_values
      FROM member_ranks r JOIN bench_member_map map ON map.old_id = r.member_id
      WHERE r.program_id = ${seedId}`,
    );
    await step(
      'segment_memberships',
      sql`INSERT INTO segment_memberships (program_id, member_id, scheme, segment, since, explanation)
      SELECT ${programId}, map.new_id, s.scheme, s.segment, s.since, s.explanation
      FROM segment_memberships s JOIN bench_member_map map ON map.old_id = s.member_id
      WHERE s.program_id = ${seedId}`,
    );
    await step(
      'consents',
      sql`INSERT INTO consents (program_id, event_id, member_id, occurred_at, payload_hash, channel, purpose, status, source)
      SELECT ${programId}, e.event_id || '-' || map.c, map.new_id, e.occurred_at, e.payload_hash,
        e.channel, e.purpose, e.status, e.source
      FROM consents e JOIN bench_member_map map ON map.old_id = e.member_id
      WHERE e.program_id = ${seedId}`,
    );
    if (withPurchases) {
      await step(
        'purchases',
        sql`INSERT INTO purchases (program_id, event_id, member_id, occurred_at, payload_hash, kind, refund_of,
        amount, merchandise_amount, currency, item_count)
      SELECT ${programId}, e.event_id || '-' || map.c, map.new_id, e.occurred_at, e.payload_hash, e.kind,
        e.refund_of, e.amount, e.merchandise_amount, e.currency, e.item_count
      FROM purchases e JOIN bench_member_map map ON map.old_id = e.member_id
      WHERE e.program_id = ${seedId}`,
      );
      await step(
        'purchase_items',
        sql`INSERT INTO purchase_items (program_id, event_id, line_no, sku, category, description, quantity,
        unit_price, amount, merchandise)
      SELECT ${programId}, i.event_id || '-' || map.c, i.line_no, i.sku, i.category, i.description,
        i.quantity, i.unit_price, i.amount, i.merchandise
      FROM purchase_items i
        JOIN purchases p ON p.program_id = i.program_id AND p.event_id = i.event_id
        JOIN bench_member_map map ON map.old_id = p.member_id
      WHERE i.program_id = ${seedId}`,
      );
    }
    await sql`DROP TABLE bench_member_map`.execute(db);
  });
  await sql`VACUUM ANALYZE`.execute(database.db);
  log(`  copied in ${seconds(performance.now() - started)}`);
  return memberCount(database, programId);
}
