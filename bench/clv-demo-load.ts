import { type Kysely, sql } from 'kysely';
import type { Schema } from '../src/db/schema.ts';
import { purchaseTotals } from '../src/db/writers/table-specs.ts';
import { type DemoMember, demoMember } from '../src/domain/demo/demo-member.ts';
import { applyEvent, emptyAggregates, pruneBuckets } from '../src/domain/features/member-aggregates.ts';
import { memberEventOf } from '../src/services/segments/member-events.ts';

// Benchmark setup only: loads the demo generator's members and purchases (nothing else) with large
// array inserts. The normal loader writes ~40 records per member through the idempotent sink,
// which at a million members takes far longer than the fit being measured. Each member's segment
// state (member_features) is written beside them, its aggregates computed by the same pure fold
// over the member's purchases that `refresh --rebuild` runs over their history (the rebuild itself
// takes hours at 1M on this machine): that is the state the CLV fit reads its summaries from.

/** Members generated and inserted per transaction. */
const BATCH_MEMBERS = 20_000;
const BENCH_HASH = 'bench';

export interface DemoLoadOptions {
  programId: string;
  members: number;
  seed: number;
  now: Date;
  onProgress?: (done: number) => void;
}

/** Loads members 1..N of the demo program (resuming after the members already there); returns members added. */
export async function loadDemoPurchases(db: Kysely<Schema>, options: DemoLoadOptions): Promise<number> {
  await db
    .insertInto('programs')
    .values({
      id: options.programId,
      name: 'CLV benchmark (demo generator)',
      currency: 'GBP',
      as_of: options.now,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const have = await db
    .selectFrom('members')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('program_id', '=', options.programId)
    .executeTakeFirstOrThrow();
  const start = Number(have.n) + 1;
  for (let from = start; from <= options.members; from += BATCH_MEMBERS) {
    const to = Math.min(options.members, from + BATCH_MEMBERS - 1);
    const members = { id: [] as string[], joined: [] as string[], state: [] as string[] };
    const p = {
      id: [] as string[],
      member: [] as string[],
      at: [] as string[],
      kind: [] as string[],
      refundOf: [] as (string | null)[],
      amount: [] as string[],
      merchandise: [] as string[],
      items: [] as number[],
    };
    for (let index = from; index <= to; index++) {
      const generated = demoMember({ seed: options.seed, index, now: options.now });
      members.id.push(generated.member.id);
      members.joined.push(generated.member.joinedAt as string);
      members.state.push(JSON.stringify(memberState(generated, options.now)));
      for (const purchase of generated.purchases) {
        const totals = purchaseTotals(purchase);
        p.id.push(purchase.id);
        p.member.push(purchase.memberId);
        p.at.push(purchase.occurredAt);
        p.kind.push(purchase.kind);
        p.refundOf.push(purchase.refundOf ?? null);
        p.amount.push(totals.amount);
        p.merchandise.push(totals.merchandise);
        p.items.push(purchase.items?.length ?? 0);
      }
    }
    await db.transaction().execute(async (trx) => {
      await sql`INSERT INTO members (program_id, external_id, joined_at, payload_hash)
        SELECT ${options.programId}, id, joined, ${BENCH_HASH}
        FROM unnest(${members.id}::text[], ${members.joined}::timestamptz[]) AS t(id, joined)`.execute(trx);
      await sql`INSERT INTO purchases (program_id, event_id, member_id, occurred_at, payload_hash, kind,
          refund_of, amount, merchandise_amount, currency, item_count)
        SELECT ${options.programId}, t.id, m.member_id, t.at, ${BENCH_HASH}, t.kind, t.refund_of, t.amount,
          t.merchandise, 'GBP', t.items
        FROM unnest(${p.id}::text[], ${p.member}::text[], ${p.at}::timestamptz[], ${p.kind}::text[],
          ${p.refundOf}::text[], ${p.amount}::numeric[], ${p.merchandise}::numeric[], ${p.items}::int[])
          AS t(id, member, at, kind, refund_of, amount, merchandise, items)
        JOIN members m ON m.program_id = ${options.programId} AND m.external_id = t.member`.execute(trx);
      await sql`INSERT INTO member_features (program_id, member_id, aggregates, features, as_of)
        SELECT ${options.programId}, m.member_id, t.state -> 'aggregates', t.state -> 'features', ${options.now}
        FROM unnest(${members.id}::text[], ${members.state}::jsonb[]) AS t(id, state)
        JOIN members m ON m.program_id = ${options.programId} AND m.external_id = t.id`.execute(trx);
      await sql`INSERT INTO member_ranks (program_id, member_id, frequency_orders)
        SELECT ${options.programId}, m.member_id, (t.state #>> '{aggregates,orders}')::int
        FROM unnest(${members.id}::text[], ${members.state}::jsonb[]) AS t(id, state)
        JOIN members m ON m.program_id = ${options.programId} AND m.external_id = t.id`.execute(trx);
    });
    options.onProgress?.(to);
  }
  return Math.max(0, options.members - start + 1);
}

/**
 * A member's stored aggregates as a rebuild from their history as of `now` makes them, from their
 * purchases: the only events this loader stores, and all the CLV summaries read. Features are left
 * empty (the fit reads none of them); the full fold over all ~40 generated events and the features
 * cost about three times the generator's own time per member on this shared machine.
 */
function memberState(generated: DemoMember, now: Date) {
  let aggregates = emptyAggregates(generated.member.joinedAt ?? null);
  for (const record of generated.purchases) {
    const event = memberEventOf('purchases', record);
    if (event !== null && Date.parse(event.record.occurredAt) <= now.getTime()) {
      aggregates = applyEvent(aggregates, event);
    }
  }
  return { aggregates: pruneBuckets(aggregates, now), features: {} };
}
