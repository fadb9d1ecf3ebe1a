// Member features and the segment engine (issue 3). A member's features live in one row: the
// stored aggregates (a fold over their events that a new event updates without reading history),
// the features derived from them as of the last evaluation, and the day on which a time-based
// value or membership can next change (review_day, a UTC day number), so a scheduled refresh reads
// only the members that are due. The typed rank columns feed the program-relative R/F/M scores.
// Memberships hold the current state; transitions are the history (never updated); sizes are
// snapshots taken by each refresh. Custom segments are versioned rows: an update adds a version,
// a delete marks the latest version deleted, so a stored membership can always name its definition.

export const statements = [
  `CREATE TABLE member_features (
  program_id text NOT NULL,
  member_id bigint NOT NULL,
  aggregates jsonb NOT NULL,
  features jsonb NOT NULL,
  as_of timestamptz NOT NULL,
  review_day integer,
  last_purchase_day integer,
  frequency_orders integer NOT NULL DEFAULT 0,
  monetary_total numeric(18, 4),
  r_score smallint,
  f_score smallint,
  m_score smallint,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, member_id)
)`,
  `CREATE INDEX member_features_review_idx ON member_features (program_id, review_day)`,
  `CREATE TABLE segment_settings (
  program_id text PRIMARY KEY REFERENCES programs (id),
  overrides jsonb NOT NULL DEFAULT '{}',
  distributions jsonb NOT NULL DEFAULT '{}',
  refreshed_as_of timestamptz,
  definitions_version integer NOT NULL DEFAULT 0,
  evaluated_version integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
)`,
  `CREATE TABLE segment_definitions (
  program_id text NOT NULL REFERENCES programs (id),
  scheme text NOT NULL,
  name text NOT NULL,
  version integer NOT NULL,
  label text NOT NULL,
  description text,
  rule jsonb NOT NULL,
  position integer NOT NULL,
  scheme_mode text NOT NULL CHECK (scheme_mode IN ('first_match', 'overlapping')),
  deleted boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, scheme, name, version)
)`,
  `CREATE TABLE segment_memberships (
  program_id text NOT NULL,
  member_id bigint NOT NULL,
  scheme text NOT NULL,
  segment text NOT NULL,
  since timestamptz NOT NULL,
  explanation text NOT NULL,
  PRIMARY KEY (program_id, member_id, scheme, segment)
)`,
  `CREATE INDEX segment_memberships_segment_idx ON segment_memberships (program_id, scheme, segment, member_id)`,
  `CREATE TABLE segment_transitions (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  program_id text NOT NULL,
  member_id bigint NOT NULL,
  scheme text NOT NULL,
  segment text NOT NULL,
  change text NOT NULL CHECK (change IN ('entered', 'left')),
  at timestamptz NOT NULL,
  cause text NOT NULL CHECK (cause IN ('event', 'refresh', 'definition')),
  explanation text,
  recorded_at timestamptz NOT NULL DEFAULT now()
)`,
  `CREATE INDEX segment_transitions_member_idx ON segment_transitions (program_id, member_id, at)`,
  `CREATE INDEX segment_transitions_at_idx ON segment_transitions (program_id, at)`,
  `CREATE TABLE segment_sizes (
  program_id text NOT NULL,
  scheme text NOT NULL,
  segment text NOT NULL,
  as_of timestamptz NOT NULL,
  size integer NOT NULL,
  PRIMARY KEY (program_id, as_of, scheme, segment)
)`,
  `CREATE TABLE webhooks (
  id text PRIMARY KEY,
  program_id text NOT NULL REFERENCES programs (id),
  url text NOT NULL,
  secret text NOT NULL,
  events text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
)`,
  `CREATE TABLE webhook_deliveries (
  id text PRIMARY KEY,
  program_id text NOT NULL,
  webhook_id text NOT NULL,
  payload jsonb NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  delivered_at timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now()
)`,
  `CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE delivered_at IS NULL`,
];
