import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Schema } from '../schema.ts';

// The campaign report's cell sums in one statement (docs/measurement.md, ADR 0018): each assigned
// member's touch (first send, or assignment for the holdout and for members never sent), orders and
// offer redemptions in the window after it, taken from the campaign only when no other campaign's
// touch of the same member holds them by the attribution rule, then summed per scheme x segment
// (at assignment) x arm. Money comes back as integer 1/10,000ths in text, so the sums stay exact.

export interface CellSumsOptions {
  programId: string;
  campaign: string;
  /** The reported campaign's window, in seconds. */
  windowSeconds: number;
  /** Window of a competing campaign whose definition names none. */
  defaultWindowSeconds: number;
  rule: 'last_touch' | 'first_touch';
  /** Schemes to break down by; every member of each falls in one or more segments, or in none (null). */
  schemes: readonly string[];
  /** Cost of one sent message per channel, in 1/10,000ths. */
  messageCostUnits: Readonly<Record<string, string>>;
  /** The campaign offer's code; redemptions carrying it count. null: none count. */
  offerCode: string | null;
}

export interface CellSumsRow {
  scheme: string | null;
  segment: string | null;
  arm: string;
  holdout: boolean;
  assigned: number;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  converted: number;
  orders: number;
  redeemed: number;
  redemptions: number;
  messages: number;
  revenue_units: string;
  revenue_squares_units: string;
  revenue_members: number;
  message_cost_units: string;
}

/** A decision that put the member in an arm (governance exclusions precede the draw, ADR 0014). */
const ASSIGNED = sql.raw(`(d.outcome <> 'excluded' OR d.excluded_by = 'render')`);

const SUMS = sql.raw(`count(*)::int AS assigned,
  count(*) FILTER (WHERE mo.sent)::int AS sent,
  count(*) FILTER (WHERE mo.delivered)::int AS delivered,
  count(*) FILTER (WHERE mo.opened)::int AS opened,
  count(*) FILTER (WHERE mo.clicked)::int AS clicked,
  count(*) FILTER (WHERE mo.orders > 0)::int AS converted,
  sum(mo.orders)::int AS orders,
  count(*) FILTER (WHERE mo.redemptions > 0)::int AS redeemed,
  sum(mo.redemptions)::int AS redemptions,
  sum(mo.messages)::int AS messages,
  sum(mo.revenue)::text AS revenue_units,
  sum(mo.revenue::numeric * mo.revenue)::text AS revenue_squares_units,
  count(*) FILTER (WHERE mo.revenue > 0)::int AS revenue_members,
  sum(mo.message_cost)::text AS message_cost_units`);

/** The competing touch `r` takes the event from the reported touch `o` under the rule. */
function rivalWins(rule: CellSumsOptions['rule'], campaign: string): RawBuilder<unknown> {
  const later = rule === 'last_touch' ? sql.raw('>') : sql.raw('<');
  return sql`(r.at ${later} o.at OR (r.at = o.at AND r.campaign < ${campaign}))`;
}

/** Per (scheme, segment, arm) sums of the campaign's assigned members; scheme null rows cover every member. */
export async function campaignCellSums(db: Kysely<Schema>, options: CellSumsOptions): Promise<CellSumsRow[]> {
  // PostgreSQL's JIT compiles this statement's ~230 expressions on every run, which cost 0.6 s on the
  // benchmark machine, more than the statement itself, and the sums gain little from it.
  return db.transaction().execute(async (tx) => {
    await sql`SET LOCAL jit = off`.execute(tx);
    return (await cellSumsStatement(options).execute(tx)).rows;
  });
}

/** The statement behind `campaignCellSums`, for EXPLAIN in the benchmark. */
export function cellSumsStatement(options: CellSumsOptions): RawBuilder<CellSumsRow> {
  const { programId: p, campaign: c } = options;
  const window = sql`make_interval(secs => ${options.windowSeconds}::double precision)`;
  const costs = JSON.stringify(options.messageCostUnits);
  const wins = rivalWins(options.rule, c);
  return sql<CellSumsRow>`
WITH mine AS (
  SELECT d.member_id, bool_or(d.arm = 'holdout') AS holdout, min(d.variant) AS variant,
         min(d.decided_at) AS assigned_at
  FROM campaign_decisions d
  WHERE d.program_id = ${p} AND d.campaign = ${c} AND ${ASSIGNED}
  GROUP BY d.member_id
),
events AS (
  SELECT e.member_id,
         min(e.occurred_at) FILTER (WHERE e.type = 'sent') AS first_sent,
         count(*) FILTER (WHERE e.type = 'sent')::int AS messages,
         coalesce(sum((${costs}::jsonb ->> e.channel)::bigint) FILTER (WHERE e.type = 'sent'), 0) AS message_cost,
         bool_or(e.type = 'delivered') AS delivered,
         bool_or(e.type = 'opened') AS opened,
         bool_or(e.type = 'clicked') AS clicked
  FROM message_events e
  WHERE e.program_id = ${p} AND e.campaign_id = ${c}
  GROUP BY e.member_id
),
touch AS MATERIALIZED (
  SELECT m.member_id, m.holdout,
         CASE WHEN m.holdout THEN 'holdout' ELSE m.variant END AS arm,
         coalesce(CASE WHEN NOT m.holdout THEN e.first_sent END, m.assigned_at) AS at,
         e.first_sent IS NOT NULL AS sent,
         coalesce(e.delivered, false) AS delivered,
         coalesce(e.opened, false) AS opened,
         coalesce(e.clicked, false) AS clicked,
         coalesce(e.messages, 0) AS messages,
         coalesce(e.message_cost, 0) AS message_cost
  FROM mine m LEFT JOIN events e ON e.member_id = m.member_id
),
span AS (SELECT min(at) AS lo, max(at) + ${window} AS hi FROM touch),
orders AS MATERIALIZED (
  SELECT t.member_id, t.at, p.event_id, p.occurred_at, p.amount
  FROM touch t JOIN purchases p ON p.member_id = t.member_id
  WHERE p.program_id = ${p} AND p.kind = 'order'
    AND p.occurred_at > (SELECT lo FROM span) AND p.occurred_at <= (SELECT hi FROM span)
    AND p.occurred_at > t.at AND p.occurred_at <= t.at + ${window}
),
redemptions AS MATERIALIZED (
  SELECT t.member_id, t.at, r.event_id, r.occurred_at
  FROM touch t JOIN points r ON r.member_id = t.member_id
  WHERE r.program_id = ${p} AND r.type = 'redeem' AND r.reward = ${options.offerCode}
    AND r.occurred_at > (SELECT lo FROM span) AND r.occurred_at <= (SELECT hi FROM span)
    AND r.occurred_at > t.at AND r.occurred_at <= t.at + ${window}
),
windows AS (
  SELECT DISTINCT ON (name) name AS campaign, definition -> 'offer' ->> 'code' AS offer_code,
         make_interval(secs => coalesce((definition -> 'measurement' ->> 'windowDays')::int * 86400,
                                        ${options.defaultWindowSeconds})::double precision) AS win
  FROM campaigns WHERE program_id = ${p} AND name <> ${c}
  ORDER BY name, version DESC
),
rival AS (
  SELECT d.campaign, d.member_id, bool_or(d.arm = 'holdout') AS holdout, min(d.decided_at) AS assigned_at
  FROM campaign_decisions d
  WHERE d.program_id = ${p} AND d.campaign <> ${c} AND ${ASSIGNED}
    AND d.member_id IN (SELECT member_id FROM orders UNION SELECT member_id FROM redemptions)
  GROUP BY d.campaign, d.member_id
),
rival_touch AS MATERIALIZED (
  SELECT r.campaign, r.member_id, w.offer_code, x.at, x.at + w.win AS until
  FROM rival r JOIN windows w ON w.campaign = r.campaign
  CROSS JOIN LATERAL (
    SELECT coalesce(
      CASE WHEN NOT r.holdout THEN (
        SELECT min(e.occurred_at) FROM message_events e
        WHERE e.program_id = ${p} AND e.campaign_id = r.campaign AND e.member_id = r.member_id
          AND e.type = 'sent')
      END, r.assigned_at) AS at
  ) x
),
credited_orders AS (
  SELECT o.member_id, o.event_id, o.amount FROM orders o
  WHERE NOT EXISTS (
    SELECT 1 FROM rival_touch r
    WHERE r.member_id = o.member_id AND o.occurred_at > r.at AND o.occurred_at <= r.until AND ${wins})
),
-- A refund of an attributed order comes after the order, so after the earliest touch: a range read.
refunds AS (
  SELECT f.refund_of, sum(f.amount) AS refunded FROM purchases f
  WHERE f.program_id = ${p} AND f.kind = 'refund' AND f.occurred_at > (SELECT lo FROM span)
  GROUP BY f.refund_of
),
member_orders AS (
  SELECT o.member_id, count(*)::int AS orders,
         sum((greatest(o.amount - coalesce(f.refunded, 0), 0) * 10000)::bigint) AS revenue
  FROM credited_orders o LEFT JOIN refunds f ON f.refund_of = o.event_id
  GROUP BY o.member_id
),
member_redemptions AS (
  SELECT o.member_id, count(*)::int AS redemptions FROM redemptions o
  WHERE NOT EXISTS (
    SELECT 1 FROM rival_touch r
    WHERE r.member_id = o.member_id AND r.offer_code = ${options.offerCode}
      AND o.occurred_at > r.at AND o.occurred_at <= r.until AND ${wins})
  GROUP BY o.member_id
),
mo AS MATERIALIZED (
  SELECT t.member_id, t.arm, t.holdout, t.sent, t.delivered, t.opened, t.clicked, t.messages,
         t.message_cost, coalesce(mo.orders, 0) AS orders, coalesce(mo.revenue, 0) AS revenue,
         coalesce(mr.redemptions, 0) AS redemptions
  FROM touch t
  LEFT JOIN member_orders mo ON mo.member_id = t.member_id
  LEFT JOIN member_redemptions mr ON mr.member_id = t.member_id
)
SELECT NULL::text AS scheme, NULL::text AS segment, mo.arm, mo.holdout, ${SUMS}
FROM mo GROUP BY mo.arm, mo.holdout
UNION ALL
SELECT sc.scheme, s.segment, mo.arm, mo.holdout, ${SUMS}
FROM mo CROSS JOIN jsonb_array_elements_text(${JSON.stringify(options.schemes)}::jsonb) AS sc (scheme)
LEFT JOIN campaign_assignment_segments s
  ON s.program_id = ${p} AND s.campaign = ${c} AND s.member_id = mo.member_id AND s.scheme = sc.scheme
GROUP BY sc.scheme, s.segment, mo.arm, mo.holdout`;
}
