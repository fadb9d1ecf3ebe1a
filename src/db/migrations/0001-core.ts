// The data model of DESIGN.md §1. Every table is keyed by program; member-keyed tables lead with
// (program_id, member_id) so that a distributed engine can co-locate a member's rows.
// History tables carry no foreign keys to members (ADR 0003): the record writer resolves every
// member id from the members table in the same statement, nothing deletes members, and a per-row
// key check would cost an index probe and a row lock per event (and, on an engine without fresh
// statistics, a cached sequential-scan plan that grows with the program).
// Money is numeric(18,4): exact, and wide enough for the largest order in any real program.

/** Event tables share these columns; `payload_hash` makes re-sends idempotent and detects reuse of an id. */
const eventColumns = `
  program_id text NOT NULL,
  event_id text NOT NULL,
  member_id bigint NOT NULL,
  occurred_at timestamptz NOT NULL,
  payload_hash text NOT NULL,
  ingested_at timestamptz NOT NULL DEFAULT now()`;

const eventTable = (name: string, columns: string) => [
  `CREATE TABLE ${name} (${eventColumns},
  ${columns},
  PRIMARY KEY (program_id, event_id)
)`,
  `CREATE INDEX ${name}_member_idx ON ${name} (program_id, member_id, occurred_at)`,
];

export const statements = [
  `CREATE TABLE programs (
  id text PRIMARY KEY,
  name text NOT NULL,
  currency text NOT NULL DEFAULT 'USD',
  as_of timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
)`,
  `CREATE TABLE api_keys (
  id text PRIMARY KEY,
  program_id text NOT NULL REFERENCES programs (id),
  secret_hash text NOT NULL,
  scopes text[] NOT NULL,
  label text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
)`,
  `CREATE TABLE accounts (
  program_id text NOT NULL REFERENCES programs (id),
  account_id bigint GENERATED ALWAYS AS IDENTITY,
  external_id text NOT NULL,
  name text NOT NULL,
  category text,
  attributes jsonb NOT NULL DEFAULT '{}',
  payload_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, account_id),
  UNIQUE (program_id, external_id)
)`,
  `CREATE TABLE members (
  program_id text NOT NULL REFERENCES programs (id),
  member_id bigint GENERATED ALWAYS AS IDENTITY,
  external_id text NOT NULL,
  joined_at timestamptz NOT NULL,
  tier text,
  timezone text,
  locale text,
  email text,
  phone text,
  push_token text,
  region text,
  gender text,
  birthday date,
  account_external_id text,
  business_category text,
  attributes jsonb NOT NULL DEFAULT '{}',
  payload_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, member_id),
  UNIQUE (program_id, external_id)
)`,
  ...eventTable(
    'purchases',
    `kind text NOT NULL CHECK (kind IN ('order', 'refund')),
  refund_of text,
  amount numeric(18, 4) NOT NULL CHECK (amount >= 0),
  merchandise_amount numeric(18, 4) NOT NULL CHECK (merchandise_amount >= 0),
  currency text NOT NULL,
  item_count integer NOT NULL`,
  ),
  `CREATE TABLE purchase_items (
  program_id text NOT NULL,
  event_id text NOT NULL,
  line_no integer NOT NULL,
  sku text NOT NULL,
  category text,
  description text,
  quantity integer NOT NULL,
  unit_price numeric(18, 4) NOT NULL,
  amount numeric(18, 4) NOT NULL,
  merchandise boolean NOT NULL,
  PRIMARY KEY (program_id, event_id, line_no)
)`,
  ...eventTable(
    'points',
    `type text NOT NULL CHECK (type IN ('earn', 'redeem', 'expire', 'adjust')),
  points bigint NOT NULL,
  reason text,
  reward text,
  order_id text`,
  ),
  ...eventTable('engagement', `kind text NOT NULL, detail text`),
  ...eventTable(
    'surveys',
    `kind text NOT NULL CHECK (kind IN ('csat', 'nps')), score smallint NOT NULL, comment text`,
  ),
  ...eventTable('declarations', `key text NOT NULL, value text NOT NULL, source text NOT NULL`),
  ...eventTable(
    'consents',
    `channel text NOT NULL,
  purpose text NOT NULL,
  status text NOT NULL CHECK (status IN ('granted', 'revoked')),
  source text NOT NULL`,
  ),
  ...eventTable(
    'message_events',
    `type text NOT NULL, channel text NOT NULL, campaign_id text, message_id text, url text`,
  ),
];
