// Per (campaign, member) touches kept by the database as decisions and message events are written,
// with the member's segment snapshot at assignment (issue 6, ADR 0029). A campaign report needs, for each assigned member,
// the arm, the touch time (first send, or assignment for the holdout and the never-sent), the
// delivery funnel and the segments at assignment. Computed from the raw tables that is a grouping
// of every decision, message event and snapshot row of the campaign on each report: 8 million rows
// for a 1M-member campaign. Statement-level triggers fold each written statement's rows into one
// row per (campaign, member) in the writer's transaction, whichever path wrote them (launch,
// delivery worker, tracking, ingest), so the report reads one narrow row per member; the launch
// writes the snapshot id into the same row.
//
// Both source tables are append-only (no writer updates or deletes their rows), so their rows fold
// in as deltas. Rows are upserted in key order, so two concurrent writers lock them in the same
// order. `touchesFromDecisions` and `touchesFromMessageEvents` take the relation to read, so the
// backfill below and the triggers are the same statement.

/** Decisions that put a member in an arm (governance exclusions precede the draw, ADR 0014). */
const ASSIGNED = `(outcome <> 'excluded' OR excluded_by = 'render')`;

export function touchesFromDecisions(source: string): string {
  return `INSERT INTO campaign_touches AS t (program_id, campaign, member_id, assigned, holdout, variant, assigned_at)
  SELECT program_id, campaign, member_id, true, bool_or(arm = 'holdout'), min(variant), min(decided_at)
  FROM ${source} WHERE ${ASSIGNED}
  GROUP BY program_id, campaign, member_id ORDER BY program_id, campaign, member_id
  ON CONFLICT (program_id, campaign, member_id) DO UPDATE SET
    assigned = true,
    holdout = t.holdout OR excluded.holdout,
    variant = least(t.variant, excluded.variant),
    assigned_at = least(t.assigned_at, excluded.assigned_at)`;
}

export function touchesFromMessageEvents(source: string): string {
  const sent = (channel: string) => `count(*) FILTER (WHERE type = 'sent' AND channel = '${channel}')`;
  return `INSERT INTO campaign_touches AS t (program_id, campaign, member_id, first_sent_at,
      sent_email, sent_sms, sent_push, sent_in_app, delivered, opened, clicked)
  SELECT program_id, campaign_id, member_id, min(occurred_at) FILTER (WHERE type = 'sent'),
    ${sent('email')}, ${sent('sms')}, ${sent('push')}, ${sent('in_app')},
    bool_or(type = 'delivered'), bool_or(type = 'opened'), bool_or(type = 'clicked')
  FROM ${source} WHERE campaign_id IS NOT NULL
  GROUP BY program_id, campaign_id, member_id ORDER BY program_id, campaign_id, member_id
  ON CONFLICT (program_id, campaign, member_id) DO UPDATE SET
    first_sent_at = least(t.first_sent_at, excluded.first_sent_at),
    sent_email = t.sent_email + excluded.sent_email,
    sent_sms = t.sent_sms + excluded.sent_sms,
    sent_push = t.sent_push + excluded.sent_push,
    sent_in_app = t.sent_in_app + excluded.sent_in_app,
    delivered = t.delivered OR excluded.delivered,
    opened = t.opened OR excluded.opened,
    clicked = t.clicked OR excluded.clicked`;
}

/**
 * The snapshots migration 0006 stored as one row per (campaign, member, scheme, segment), moved into
 * `campaign_snapshots`, after which that table is dropped: a launch now records each member's
 * snapshot directly (src/db/writers/campaign-snapshots.ts), so a report groups members by a number.
 */
const snapshotsFromRows = `SELECT program_id, campaign, member_id,
    array_agg(scheme ORDER BY scheme COLLATE "C", segment COLLATE "C") AS schemes,
    array_agg(segment ORDER BY scheme COLLATE "C", segment COLLATE "C") AS segments
  FROM campaign_assignment_segments GROUP BY program_id, campaign, member_id`;

const movedSnapshots = [
  `INSERT INTO campaign_snapshots (program_id, schemes, segments)
  SELECT DISTINCT program_id, schemes, segments FROM (${snapshotsFromRows}) m
  ON CONFLICT (program_id, schemes, segments) DO NOTHING`,
  `INSERT INTO campaign_touches AS t (program_id, campaign, member_id, snapshot_id)
  SELECT m.program_id, m.campaign, m.member_id, c.id FROM (${snapshotsFromRows}) m
  JOIN campaign_snapshots c ON c.program_id = m.program_id AND c.schemes = m.schemes AND c.segments = m.segments
  ORDER BY m.program_id, m.campaign, m.member_id
  ON CONFLICT (program_id, campaign, member_id) DO UPDATE SET snapshot_id = excluded.snapshot_id`,
  'DROP TABLE campaign_assignment_segments',
];

function trigger(table: string, name: string, body: readonly string[]): string[] {
  return [
    `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  ${body.join(';\n  ')};
  RETURN NULL;
END
$fn$`,
    `CREATE TRIGGER ${name} AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ${name}()`,
  ];
}

export const statements = [
  `CREATE TABLE campaign_touches (
  program_id text NOT NULL,
  campaign text NOT NULL,
  member_id bigint NOT NULL,
  assigned boolean NOT NULL DEFAULT false,
  holdout boolean NOT NULL DEFAULT false,
  variant text,
  assigned_at timestamptz,
  first_sent_at timestamptz,
  sent_email integer NOT NULL DEFAULT 0,
  sent_sms integer NOT NULL DEFAULT 0,
  sent_push integer NOT NULL DEFAULT 0,
  sent_in_app integer NOT NULL DEFAULT 0,
  delivered boolean NOT NULL DEFAULT false,
  opened boolean NOT NULL DEFAULT false,
  clicked boolean NOT NULL DEFAULT false,
  snapshot_id bigint,
  -- When the member was touched: the first send, or the assignment for the holdout and the never-sent.
  touched_at timestamptz GENERATED ALWAYS AS (coalesce(CASE WHEN NOT holdout THEN first_sent_at END, assigned_at)) STORED,
  PRIMARY KEY (program_id, campaign, member_id)
)`,
  `CREATE TABLE campaign_snapshots (
  program_id text NOT NULL,
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  schemes text[] NOT NULL,
  segments text[] NOT NULL,
  UNIQUE (program_id, schemes, segments)
)`,
  // A campaign's touch span, and the competing campaigns' touches in a time range.
  `CREATE INDEX campaign_touches_at_idx ON campaign_touches (program_id, campaign, touched_at) WHERE assigned`,
  touchesFromDecisions('campaign_decisions'),
  touchesFromMessageEvents('message_events'),
  ...movedSnapshots,
  // The report's plan depends on the table's size; a backfilled table should not look empty.
  'ANALYZE campaign_touches',
  'ANALYZE campaign_snapshots',
  ...trigger('campaign_decisions', 'campaign_touches_from_decisions', [touchesFromDecisions('new_rows')]),
  ...trigger('message_events', 'campaign_touches_from_message_events', [
    touchesFromMessageEvents('new_rows'),
  ]),
];
