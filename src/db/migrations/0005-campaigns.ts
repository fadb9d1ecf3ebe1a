// Campaigns (issue 5). A campaign is named within its program and kept as numbered versions: a
// draft may be edited in place, but once approved its content is frozen, and a change makes a new
// version that names the one it supersedes. A trigger holds the freeze even against a stray UPDATE.
// A program's send rules (frequency caps, quiet hours, sensitive declaration keys) are one JSON
// document, validated by the GovernancePolicy contract; a program without one uses the defaults.
// Unsubscribe and tracking links are signed with a per-program secret made on first use, never shown.
// Suppression lists name a member id, an email address or a phone number (lower-cased).
// A launch writes one decision per audience member and step (the audit trail behind "why") and,
// in the same transaction, one outbox row per message to send; the unique key on
// (program, campaign, step, member) is what makes a message go at most once (ADR 0013).

export const statements = [
  `CREATE TABLE campaigns (
  program_id text NOT NULL REFERENCES programs (id),
  name text NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  status text NOT NULL CHECK (status IN ('draft', 'approved', 'scheduled', 'running', 'completed', 'cancelled')),
  definition jsonb NOT NULL,
  definition_hash text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  approved_at timestamptz,
  approved_by text,
  cancelled_at timestamptz,
  completed_at timestamptz,
  supersedes integer,
  PRIMARY KEY (program_id, name, version)
)`,
  `CREATE INDEX campaigns_status_idx ON campaigns (program_id, status)`,
  `CREATE FUNCTION campaigns_keep_approved_content() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'draft' AND NEW.definition IS DISTINCT FROM OLD.definition THEN
    RAISE EXCEPTION 'campaign %/% version % is %: its content is frozen', OLD.program_id, OLD.name, OLD.version, OLD.status
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$`,
  `CREATE TRIGGER campaigns_freeze BEFORE UPDATE ON campaigns
  FOR EACH ROW EXECUTE FUNCTION campaigns_keep_approved_content()`,
  `CREATE TABLE campaign_policies (
  program_id text PRIMARY KEY REFERENCES programs (id),
  policy jsonb NOT NULL,
  updated_at timestamptz NOT NULL
)`,
  `CREATE TABLE campaign_link_secrets (
  program_id text PRIMARY KEY REFERENCES programs (id),
  secret text NOT NULL,
  created_at timestamptz NOT NULL
)`,
  `CREATE TABLE suppressions (
  program_id text NOT NULL REFERENCES programs (id),
  list text NOT NULL,
  subject text NOT NULL,
  reason text,
  added_at timestamptz NOT NULL,
  PRIMARY KEY (program_id, subject, list)
)`,
  `CREATE TABLE campaign_decisions (
  program_id text NOT NULL,
  campaign text NOT NULL,
  step text NOT NULL,
  member_id bigint NOT NULL,
  version integer NOT NULL,
  arm text NOT NULL CHECK (arm IN ('holdout', 'treatment')),
  variant text,
  outcome text NOT NULL CHECK (outcome IN ('send', 'deferred', 'excluded', 'holdout')),
  excluded_by text,
  channel text,
  send_at timestamptz,
  rules jsonb NOT NULL,
  decided_at timestamptz NOT NULL,
  PRIMARY KEY (program_id, campaign, step, member_id)
)`,
  `CREATE INDEX campaign_decisions_member_idx ON campaign_decisions (program_id, member_id)`,
  `CREATE TABLE outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  program_id text NOT NULL,
  campaign text NOT NULL,
  step text NOT NULL,
  member_id bigint NOT NULL,
  version integer NOT NULL,
  variant text NOT NULL,
  channel text NOT NULL,
  purpose text NOT NULL,
  idempotency_key text NOT NULL UNIQUE,
  recipient text NOT NULL,
  subject text,
  body text NOT NULL,
  send_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  locked_until timestamptz,
  sent_at timestamptz,
  provider_id text,
  last_error text,
  UNIQUE (program_id, campaign, step, member_id)
)`,
  `CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status IN ('pending', 'sending')`,
  `CREATE INDEX outbox_member_idx ON outbox (program_id, member_id, channel, send_at)`,
];
