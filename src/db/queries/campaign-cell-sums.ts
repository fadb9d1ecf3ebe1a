import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Schema } from '../schema.ts';

// The campaign report's cell sums in one statement (docs/measurement.md, ADR 0018): each assigned
// member's touch (first send, or assignment for the holdout and for members never sent), orders and
// offer redemptions in the window after it, taken from the campaign only when no other campaign's
// touch of the same member holds them by the attribution rule, then summed per scheme x segment
// (at assignment) x arm. Money comes back as integer 1/10,000ths in text, so the sums stay exact.
// Each member's arm, touch, funnel and snapshot come from `campaign_touches`, which triggers keep
// as decisions, message events and snapshots are written (migration 0011, ADR 0029).

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

// Members are first summed per (arm, snapshot): members who share an arm and the same segments at
// assignment fall in one group, a few thousand groups for a million members. The funnel comes from
// every touch, conversions and redemptions only from the members who have them; every cell is a sum
// of those partial sums, so the per-scheme breakdown unnests the groups, not the members.
const COUNTS = ['assigned', 'sent', 'delivered', 'opened', 'clicked', 'converted', 'orders', 'redeemed'];
const MORE_COUNTS = ['redemptions', 'messages', 'revenue_members'];
/** Money sums stay exact: numeric, returned as text. */
const MONEY = [
  ['revenue', 'revenue_units'],
  ['revenue_squares', 'revenue_squares_units'],
  ['message_cost', 'message_cost_units'],
];
const SUMS = sql.raw(
  [
    ...[...COUNTS, ...MORE_COUNTS].map((c) => `sum(g.${c})::int AS ${c}`),
    ...MONEY.map(([c, as]) => `sum(g.${c})::text AS ${as}`),
  ].join(',\n  '),
);

const ARM = sql.raw(`CASE WHEN holdout THEN 'holdout' ELSE variant END`);

/** From the campaign's first touch to the end of its last touch's window; null bounds when it has none. */
export interface CampaignSpan {
  lo: string | null;
  hi: string | null;
}

/**
 * Read ahead of the statement (two index reads) and handed to it as values, so the planner sizes
 * the purchases and redemptions in the span from their real bounds rather than guessing.
 */
export async function campaignSpan(
  db: Kysely<Schema>,
  options: Pick<CellSumsOptions, 'programId' | 'campaign' | 'windowSeconds'>,
): Promise<CampaignSpan> {
  const { rows } = await sql<CampaignSpan>`
    SELECT min(touched_at)::text AS lo,
           (max(touched_at) + make_interval(secs => ${options.windowSeconds}::double precision))::text AS hi
    FROM campaign_touches
    WHERE program_id = ${options.programId} AND campaign = ${options.campaign} AND assigned`.execute(db);
  return rows[0] ?? { lo: null, hi: null };
}

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
    // Hash joins and hash aggregates throughout: right after a launch the planner's statistics on
    // campaign_touches can still describe a nearly empty table, and a nested loop planned for 27
    // rows over 300,000 attributed orders ran for minutes; sorts planned for a few thousand rows
    // sorted hundreds of thousands. Hashing costs about the same when the estimates are right.
    await sql`SET LOCAL enable_nestloop = off`.execute(tx);
    await sql`SET LOCAL enable_sort = off`.execute(tx);
    await sql`SET LOCAL work_mem = '64MB'`.execute(tx);
    return (await cellSumsStatement(options, await campaignSpan(tx, options)).execute(tx)).rows;
  });
}

/** The statement behind `campaignCellSums`, for EXPLAIN in the benchmark. */
export function cellSumsStatement(options: CellSumsOptions, span: CampaignSpan): RawBuilder<CellSumsRow> {
  const { programId: p, campaign: c } = options;
  const window = sql`make_interval(secs => ${options.windowSeconds}::double precision)`;
  const cost = (channel: string) => sql`${options.messageCostUnits[channel] ?? '0'}::bigint`;
  const wins = rivalWins(options.rule, c);
  const lo = sql`${span.lo}::timestamptz`;
  const hi = sql`${span.hi}::timestamptz`;
  const mine = sql`t.program_id = ${p} AND t.campaign = ${c} AND t.assigned`;
  return sql<CellSumsRow>`
WITH orders AS MATERIALIZED (
  SELECT t.member_id, ${ARM} AS arm, t.holdout, t.snapshot_id, t.touched_at AS at, p.event_id, p.occurred_at, p.amount
  FROM purchases p JOIN campaign_touches t ON ${mine} AND t.member_id = p.member_id
  WHERE p.program_id = ${p} AND p.kind = 'order'
    AND p.occurred_at > ${lo} AND p.occurred_at <= ${hi}
    AND p.occurred_at > t.touched_at AND p.occurred_at <= t.touched_at + ${window}
),
redemptions AS MATERIALIZED (
  SELECT t.member_id, ${ARM} AS arm, t.holdout, t.snapshot_id, t.touched_at AS at, r.event_id, r.occurred_at
  FROM points r JOIN campaign_touches t ON ${mine} AND t.member_id = r.member_id
  WHERE r.program_id = ${p} AND r.type = 'redeem' AND r.reward = ${options.offerCode}
    AND r.occurred_at > ${lo} AND r.occurred_at <= ${hi}
    AND r.occurred_at > t.touched_at AND r.occurred_at <= t.touched_at + ${window}
),
windows AS (
  SELECT DISTINCT ON (name) name AS campaign, definition -> 'offer' ->> 'code' AS offer_code,
         make_interval(secs => coalesce((definition -> 'measurement' ->> 'windowDays')::int * 86400,
                                        ${options.defaultWindowSeconds})::double precision) AS win
  FROM campaigns WHERE program_id = ${p} AND name <> ${c}
  ORDER BY name, version DESC
),
-- Touches of other campaigns whose window overlaps the span: only they can hold an order or a
-- redemption in it. A range read of each campaign's touch index (OFFSET 0 keeps the subquery a
-- per-campaign lookup instead of a scan of every touch of the program).
rival_touch AS MATERIALIZED (
  SELECT w.campaign, r.member_id, w.offer_code, r.touched_at AS at, r.touched_at + w.win AS until
  FROM windows w CROSS JOIN LATERAL (
    SELECT r.member_id, r.touched_at FROM campaign_touches r
    WHERE r.program_id = ${p} AND r.campaign = w.campaign AND r.assigned
      AND r.touched_at <= ${hi} AND r.touched_at > ${lo} - w.win
    OFFSET 0
  ) r
),
credited_orders AS (
  SELECT o.* FROM orders o
  WHERE NOT EXISTS (
    SELECT 1 FROM rival_touch r
    WHERE r.member_id = o.member_id AND o.occurred_at > r.at AND o.occurred_at <= r.until AND ${wins})
),
-- A refund of an attributed order comes after the order, so after the earliest touch: a range read.
refunds AS (
  SELECT f.refund_of, sum(f.amount) AS refunded FROM purchases f
  WHERE f.program_id = ${p} AND f.kind = 'refund' AND f.occurred_at > ${lo}
  GROUP BY f.refund_of
),
member_orders AS (
  SELECT o.arm, o.holdout, o.snapshot_id, count(*) AS orders,
         sum((greatest(o.amount - coalesce(f.refunded, 0), 0) * 10000)::bigint) AS revenue
  FROM credited_orders o LEFT JOIN refunds f ON f.refund_of = o.event_id
  GROUP BY o.member_id, o.arm, o.holdout, o.snapshot_id
),
member_redemptions AS (
  SELECT o.arm, o.holdout, o.snapshot_id, count(*) AS redemptions FROM redemptions o
  WHERE NOT EXISTS (
    SELECT 1 FROM rival_touch r
    WHERE r.member_id = o.member_id AND r.offer_code = ${options.offerCode}
      AND o.occurred_at > r.at AND o.occurred_at <= r.until AND ${wins})
  GROUP BY o.member_id, o.arm, o.holdout, o.snapshot_id
),
g (arm, holdout, snapshot_id, assigned, sent, delivered, opened, clicked, messages, message_cost,
   converted, orders, revenue, revenue_squares, revenue_members, redeemed, redemptions) AS MATERIALIZED (
  SELECT ${ARM}, t.holdout, t.snapshot_id, count(*), count(*) FILTER (WHERE t.first_sent_at IS NOT NULL),
         count(*) FILTER (WHERE t.delivered), count(*) FILTER (WHERE t.opened), count(*) FILTER (WHERE t.clicked),
         sum(t.sent_email + t.sent_sms + t.sent_push + t.sent_in_app),
         sum(t.sent_email * ${cost('email')} + t.sent_sms * ${cost('sms')} + t.sent_push * ${cost('push')}
             + t.sent_in_app * ${cost('in_app')}),
         0, 0, 0, 0, 0, 0, 0
  FROM campaign_touches t WHERE ${mine}
  GROUP BY 1, t.holdout, t.snapshot_id
  UNION ALL
  SELECT arm, holdout, snapshot_id, 0, 0, 0, 0, 0, 0, 0, count(*), sum(orders), sum(revenue),
         sum(revenue::numeric * revenue), count(*) FILTER (WHERE revenue > 0), 0, 0
  FROM member_orders GROUP BY arm, holdout, snapshot_id
  UNION ALL
  SELECT arm, holdout, snapshot_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, count(*), sum(redemptions)
  FROM member_redemptions GROUP BY arm, holdout, snapshot_id
)
SELECT NULL::text AS scheme, NULL::text AS segment, g.arm, g.holdout, ${SUMS}
FROM g GROUP BY g.arm, g.holdout
UNION ALL
SELECT sc.scheme, x.segment, g.arm, g.holdout, ${SUMS}
FROM g LEFT JOIN campaign_snapshots s ON s.program_id = ${p} AND s.id = g.snapshot_id
CROSS JOIN jsonb_array_elements_text(${JSON.stringify(options.schemes)}::jsonb) AS sc (scheme)
LEFT JOIN LATERAL (
  SELECT u.segment FROM unnest(s.schemes, s.segments) AS u (scheme, segment) WHERE u.scheme = sc.scheme
) x ON true
GROUP BY sc.scheme, x.segment, g.arm, g.holdout`;
}
