import { CompiledQuery, type Kysely } from 'kysely';
import type { MemberTotals } from '../../contracts/member-view.ts';
import type { Schema } from '../schema.ts';

// One round trip: each history table is aggregated for the one member through its
// (program_id, member_id, occurred_at) index.
const TOTALS = `
SELECT
  COALESCE(p.orders, 0)::int AS orders,
  COALESCE(p.purchase_days, 0)::int AS purchase_days,
  COALESCE(p.spend, 0)::numeric(18,4)::text AS spend,
  COALESCE(p.merchandise, 0)::numeric(18,4)::text AS merchandise_spend,
  COALESCE(p.refunds, 0)::int AS refunds,
  COALESCE(p.refunded, 0)::numeric(18,4)::text AS refunded_amount,
  COALESCE(p.refunded_merchandise, 0)::numeric(18,4)::text AS refunded_merchandise,
  (COALESCE(p.merchandise, 0) - COALESCE(p.refunded_merchandise, 0))::numeric(18,4)::text AS net_merchandise_spend,
  p.first_at, p.last_at,
  COALESCE(pt.earned, 0)::int8 AS points_earned, COALESCE(pt.redeemed, 0)::int8 AS points_redeemed,
  COALESCE(pt.expired, 0)::int8 AS points_expired, COALESCE(pt.adjusted, 0)::int8 AS points_adjusted,
  (SELECT count(*) FROM engagement WHERE program_id = $1 AND member_id = $2)::int AS engagements,
  (SELECT count(*) FROM surveys WHERE program_id = $1 AND member_id = $2)::int AS surveys,
  (SELECT count(*) FROM declarations WHERE program_id = $1 AND member_id = $2)::int AS declarations
FROM (SELECT 1) one
LEFT JOIN (
  SELECT count(*) FILTER (WHERE kind = 'order') AS orders,
    count(DISTINCT (occurred_at AT TIME ZONE 'UTC')::date) FILTER (WHERE kind = 'order') AS purchase_days,
    sum(amount) FILTER (WHERE kind = 'order') AS spend,
    sum(merchandise_amount) FILTER (WHERE kind = 'order') AS merchandise,
    count(*) FILTER (WHERE kind = 'refund') AS refunds,
    sum(amount) FILTER (WHERE kind = 'refund') AS refunded,
    sum(merchandise_amount) FILTER (WHERE kind = 'refund') AS refunded_merchandise,
    min(occurred_at) FILTER (WHERE kind = 'order') AS first_at,
    max(occurred_at) FILTER (WHERE kind = 'order') AS last_at
  FROM purchases WHERE program_id = $1 AND member_id = $2
) p ON true
LEFT JOIN (
  SELECT sum(points) FILTER (WHERE type = 'earn') AS earned,
    sum(points) FILTER (WHERE type = 'redeem') AS redeemed,
    sum(points) FILTER (WHERE type = 'expire') AS expired,
    sum(points) FILTER (WHERE type = 'adjust') AS adjusted
  FROM points WHERE program_id = $1 AND member_id = $2
) pt ON true`;

interface Row {
  orders: number;
  purchase_days: number;
  spend: string;
  merchandise_spend: string;
  refunds: number;
  refunded_amount: string;
  refunded_merchandise: string;
  net_merchandise_spend: string;
  first_at: Date | null;
  last_at: Date | null;
  points_earned: number;
  points_redeemed: number;
  points_expired: number;
  points_adjusted: number;
  engagements: number;
  surveys: number;
  declarations: number;
}

/** Counts and totals of one member's history. */
export async function memberTotals(
  db: Kysely<Schema>,
  programId: string,
  memberId: number,
): Promise<MemberTotals> {
  const { rows } = await db.executeQuery<Row>(CompiledQuery.raw(TOTALS, [programId, memberId]));
  const r = rows[0] as Row;
  return {
    orders: r.orders,
    purchaseDays: r.purchase_days,
    spend: r.spend,
    merchandiseSpend: r.merchandise_spend,
    refunds: r.refunds,
    refundedAmount: r.refunded_amount,
    refundedMerchandise: r.refunded_merchandise,
    netMerchandiseSpend: r.net_merchandise_spend,
    firstPurchaseAt: r.first_at?.toISOString() ?? null,
    lastPurchaseAt: r.last_at?.toISOString() ?? null,
    pointsEarned: r.points_earned,
    pointsRedeemed: r.points_redeemed,
    pointsExpired: r.points_expired,
    pointsAdjusted: r.points_adjusted,
    pointsBalance: r.points_earned - r.points_redeemed - r.points_expired + r.points_adjusted,
    engagements: r.engagements,
    surveys: r.surveys,
    declarations: r.declarations,
  };
}
