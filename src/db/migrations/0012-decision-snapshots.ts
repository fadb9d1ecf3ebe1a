// The segment snapshot at assignment travels on the decision row (issue 5, ADR 0029 amended). Until
// this migration a launch wrote each page's decisions, whose trigger inserted the members' touches,
// and then a second statement computed every assigned member's snapshot from their memberships and
// updated the same touches again: at 1,000,000 members that second statement was a fifth of the
// launch's time on its one write connection. Now the launch reads each member's memberships with
// the rest of the audience, interns the snapshot, and writes its id on the decision; the decisions
// trigger folds it into the touch with the rest, once. The first snapshot recorded for a (campaign,
// member) still wins. A decision that put nobody in an arm carries none.

export const statements = [
  'ALTER TABLE campaign_decisions ADD COLUMN snapshot_id bigint',
  `CREATE OR REPLACE FUNCTION campaign_touches_from_decisions() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO campaign_touches AS t (program_id, campaign, member_id, assigned, holdout, variant, assigned_at,
      snapshot_id)
  SELECT program_id, campaign, member_id, true, bool_or(arm = 'holdout'), min(variant), min(decided_at),
    min(snapshot_id)
  FROM new_rows WHERE (outcome <> 'excluded' OR excluded_by = 'render')
  GROUP BY program_id, campaign, member_id ORDER BY program_id, campaign, member_id
  ON CONFLICT (program_id, campaign, member_id) DO UPDATE SET
    assigned = true,
    holdout = t.holdout OR excluded.holdout,
    variant = least(t.variant, excluded.variant),
    assigned_at = least(t.assigned_at, excluded.assigned_at),
    snapshot_id = coalesce(t.snapshot_id, excluded.snapshot_id);
  RETURN NULL;
END
$fn$`,
];
