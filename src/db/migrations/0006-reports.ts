// Measurement (issue 6). A campaign report breaks results down by the segments each member was in
// when assigned, so a launch copies the member's memberships, in every scheme, next to the decision
// (segment memberships change afterwards; the transitions log could rebuild them, but only at the
// cost of replaying history for a million members per report). One row per (campaign, member,
// scheme, segment): the first assignment wins, so a recurring campaign keeps its first snapshot.
// The indexes serve the report's reads: a campaign's message events, purchases and redemptions in
// a time range.

export const statements = [
  `CREATE TABLE campaign_assignment_segments (
  program_id text NOT NULL,
  campaign text NOT NULL,
  member_id bigint NOT NULL,
  scheme text NOT NULL,
  segment text NOT NULL,
  PRIMARY KEY (program_id, campaign, member_id, scheme, segment)
)`,
  `CREATE INDEX message_events_campaign_idx ON message_events (program_id, campaign_id, member_id)
  WHERE campaign_id IS NOT NULL`,
  `CREATE INDEX purchases_time_idx ON purchases (program_id, occurred_at)`,
  `CREATE INDEX points_redeem_idx ON points (program_id, reward, occurred_at) WHERE type = 'redeem'`,
];
