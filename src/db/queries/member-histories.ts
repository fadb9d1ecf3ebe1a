import { CompiledQuery, type Kysely } from 'kysely';
import type { EngagementKind } from '../../contracts/records.ts';
import type { Schema } from '../schema.ts';

// Full histories of a set of members, for rebuilding their stored aggregates from scratch (a
// database that predates the segment engine, or `narrowcast refresh --rebuild`). Each kind is one
// query over the members' index range.

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
  const run = async <R>(text: string) =>
    (await db.executeQuery<R & { member_id: number }>(CompiledQuery.raw(text, [programId, memberIds]))).rows;
  const where = 'WHERE program_id = $1 AND member_id = ANY($2::int8[])';
  for (const m of await run<{ joined_at: Date }>(`SELECT member_id, joined_at FROM members ${where}`)) {
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
    `SELECT member_id, event_id, kind, occurred_at, amount::text AS amount, merchandise_amount::text AS merchandise_amount FROM purchases ${where}`,
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
  }>(`SELECT member_id, event_id, occurred_at, type, points, reason, order_id FROM points ${where}`)) {
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
  }>(`SELECT member_id, event_id, occurred_at, kind FROM engagement ${where}`)) {
    of(e.member_id)?.engagement.push({ id: e.event_id, occurredAt: iso(e.occurred_at), kind: e.kind });
  }
  for (const s of await run<{ event_id: string; occurred_at: Date; kind: 'csat' | 'nps'; score: number }>(
    `SELECT member_id, event_id, occurred_at, kind, score FROM surveys ${where}`,
  )) {
    of(s.member_id)?.surveys.push({
      id: s.event_id,
      occurredAt: iso(s.occurred_at),
      kind: s.kind,
      score: s.score,
    });
  }
  for (const d of await run<{ event_id: string; occurred_at: Date; key: string; value: string }>(
    `SELECT member_id, event_id, occurred_at, key, value FROM declarations ${where}`,
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
