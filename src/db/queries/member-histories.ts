import { CompiledQuery, type Kysely } from 'kysely';
import type { EngagementKind } from '../../contracts/records.ts';
import type { Schema } from '../schema.ts';
import { memberProbe } from './member-probe.ts';

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

/**
 * An event time as the ISO text Date#toISOString gives (UTC, milliseconds truncated), made by the
 * database: parsing each of a rebuild's millions of times into a Date only to format it again
 * was a visible part of its first pass.
 */
const isoText = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${column}`;

export async function loadHistories(
  db: Kysely<Schema>,
  programId: string,
  memberIds: readonly number[],
): Promise<Map<number, StoredHistory>> {
  const histories = new Map<number, Mutable>();
  if (memberIds.length === 0) return histories;
  // One index range per member (memberProbe): planned as `member_id = ANY(...)`, a chunk of 2,000
  // members of a million-member program was estimated at 400,000 points rows and read all 15 million.
  const run = async <R>(columns: string, table: string) =>
    (
      await db.executeQuery<R & { member_id: number }>(
        CompiledQuery.raw(
          `SELECT u.id AS member_id, x.* FROM unnest($2::int8[]) AS u(id)
           ${memberProbe(table, columns, 'u.id', 'x')}`,
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
    occurred_at: string;
    amount: string;
    merchandise_amount: string;
  }>(
    `event_id, kind, ${isoText('occurred_at')}, amount::text AS amount, merchandise_amount::text AS merchandise_amount`,
    'purchases',
  )) {
    of(p.member_id)?.purchases.push({
      id: p.event_id,
      kind: p.kind,
      occurredAt: p.occurred_at,
      amount: p.amount,
      merchandiseAmount: p.merchandise_amount,
    });
  }
  for (const p of await run<{
    event_id: string;
    occurred_at: string;
    type: 'earn' | 'redeem' | 'expire' | 'adjust';
    points: string | number;
    reason: string | null;
    order_id: string | null;
  }>(`event_id, ${isoText('occurred_at')}, type, points, reason, order_id`, 'points')) {
    of(p.member_id)?.points.push({
      id: p.event_id,
      occurredAt: p.occurred_at,
      type: p.type,
      points: Number(p.points),
      reason: p.reason ?? undefined,
      orderId: p.order_id ?? undefined,
    });
  }
  for (const e of await run<{
    event_id: string;
    occurred_at: string;
    kind: EngagementKind;
  }>(`event_id, ${isoText('occurred_at')}, kind`, 'engagement')) {
    of(e.member_id)?.engagement.push({ id: e.event_id, occurredAt: e.occurred_at, kind: e.kind });
  }
  for (const s of await run<{ event_id: string; occurred_at: string; kind: 'csat' | 'nps'; score: number }>(
    `event_id, ${isoText('occurred_at')}, kind, score`,
    'surveys',
  )) {
    of(s.member_id)?.surveys.push({
      id: s.event_id,
      occurredAt: s.occurred_at,
      kind: s.kind,
      score: s.score,
    });
  }
  for (const d of await run<{ event_id: string; occurred_at: string; key: string; value: string }>(
    `event_id, ${isoText('occurred_at')}, key, value`,
    'declarations',
  )) {
    of(d.member_id)?.declarations.push({
      id: d.event_id,
      occurredAt: d.occurred_at,
      key: d.key,
      value: d.value,
    });
  }
  return histories;
}
