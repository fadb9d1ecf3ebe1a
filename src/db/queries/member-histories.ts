import { CompiledQuery, type Kysely } from 'kysely';
import type { EngagementKind } from '../../contracts/records.ts';
import type { Schema } from '../schema.ts';

// Full histories of a set of members, for rebuilding their stored aggregates from scratch (a
// database that predates the segment engine, or `narrowcast refresh --rebuild`). Each kind is one
// query, one index range per member.

/** One member's events as the feature computation reads them (domain/features/member-history.ts). */
export interface StoredHistory {
  joinedAt: string | null;
  purchases: {
    id: string;
    kind: 'order' | 'refund';
    occurredAt: string;
    amount: string;
    merchandiseAmount: string;
  }[];
  points: {
    id: string;
    occurredAt: string;
    type: 'earn' | 'redeem' | 'expire' | 'adjust';
    points: number;
    reason?: string | undefined;
    orderId?: string | undefined;
  }[];
  engagement: { id: string; occurredAt: string; kind: EngagementKind }[];
  surveys: { id: string; occurredAt: string; kind: 'csat' | 'nps'; score: number }[];
  declarations: { id: string; occurredAt: string; key: string; value: string }[];
}

type Mutable = StoredHistory;

const iso = (d: Date) => d.toISOString();

export async function loadHistories(
  db: Kysely<Schema>,
  programId: string,
  memberIds: readonly number[],
): Promise<Map<number, StoredHistory>> {
  const histories = new Map<number, Mutable>();
  if (memberIds.length === 0) return histories;
  // One index range per member (the LATERAL's OFFSET 0 keeps it one): planned as
  // `member_id = ANY(...)` over the whole table, a chunk of 2,000 members of a million-member
  // program was estimated at 400,000 points rows and read the whole 15-million-row table.
  const run = async <R>(columns: string, table: string) =>
    (
      await db.executeQuery<R & { member_id: number }>(
        CompiledQuery.raw(
          `SELECT u.id AS member_id, x.* FROM unnest($2::int8[]) AS u(id)
           CROSS JOIN LATERAL (
             SELECT ${columns} FROM ${table} WHERE program_id = $1 AND member_id = u.id OFFSET 0
           ) AS x`,
          [programId, memberIds],
        ),
      )
    ).rows;
  for (const m of await run<{ joined_at: Date }>('joined_at', 'members')) {
    histories.set(Number(m.member_id), {
      joinedAt: iso(m.joined_at),
      purchases: [],
      points: [],
      engagement: [],
      surveys: [],
      declarations: [],
    });
  }
  const of = (id: number) => histories.get(Number(id));
  for (const p of await run<{
    event_id: string;
    kind: 'order' | 'refund';
    occurred_at: Date;
    amount: string;
    merchandise_amount: string;
  }>(
    'event_id, kind, occurred_at, amount::text AS amount, merchandise_amount::text AS merchandise_amount',
    'purchases',
  )) {
    of(p.member_id)?.purchases.push({
      id: p.event_id,
      kind: p.kind,
      occurredAt: iso(p.occurred_at),
      amount: p.amount,
      merchandiseAmount: p.merchandise_amount,
    });
  }
  for (const p of await run<{
    event_id: string;
    occurred_at: Date;
    type: 'earn' | 'redeem' | 'expire' | 'adjust';
    points: string | number;
    reason: string | null;
    order_id: string | null;
  }>('event_id, occurred_at, type, points, reason, order_id', 'points')) {
    of(p.member_id)?.points.push({
      id: p.event_id,
      occurredAt: iso(p.occurred_at),
      type: p.type,
      points: Number(p.points),
      reason: p.reason ?? undefined,
      orderId: p.order_id ?? undefined,
    });
  }
  for (const e of await run<{
    event_id: string;
    occurred_at: Date;
    kind: EngagementKind;
  }>('event_id, occurred_at, kind', 'engagement')) {
    of(e.member_id)?.engagement.push({ id: e.event_id, occurredAt: iso(e.occurred_at), kind: e.kind });
  }
  for (const s of await run<{ event_id: string; occurred_at: Date; kind: 'csat' | 'nps'; score: number }>(
    'event_id, occurred_at, kind, score',
    'surveys',
  )) {
    of(s.member_id)?.surveys.push({
      id: s.event_id,
      occurredAt: iso(s.occurred_at),
      kind: s.kind,
      score: s.score,
    });
  }
  for (const d of await run<{ event_id: string; occurred_at: Date; key: string; value: string }>(
    'event_id, occurred_at, key, value',
    'declarations',
  )) {
    of(d.member_id)?.declarations.push({
      id: d.event_id,
      occurredAt: iso(d.occurred_at),
      key: d.key,
      value: d.value,
    });
  }
  return histories;
}
