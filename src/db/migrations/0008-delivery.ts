// Delivery settings of a program (issue 5). Each channel may have a rate limit (messages per
// second, honoured by every worker process) and, for SMS, push and in-app, the endpoint the worker
// POSTs signed messages to, with the secret that signs them. Email goes over SMTP, configured on
// the worker, so it has no endpoint here. The feedback secret verifies the signature of bounce and
// complaint reports a program's email provider sends in. Secrets are stored in clear because the
// server must compute HMACs with them (ADR 0021) and are never shown after they are made.

export const statements = [
  `CREATE TABLE delivery_channels (
  program_id text NOT NULL REFERENCES programs (id),
  channel text NOT NULL CHECK (channel IN ('email', 'sms', 'push', 'in_app')),
  endpoint_url text,
  secret text,
  rate_per_second double precision CHECK (rate_per_second > 0),
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (program_id, channel),
  CHECK (channel <> 'email' OR endpoint_url IS NULL),
  CHECK ((endpoint_url IS NULL) = (secret IS NULL))
)`,
  `CREATE TABLE delivery_feedback_secrets (
  program_id text PRIMARY KEY REFERENCES programs (id),
  secret text NOT NULL,
  created_at timestamptz NOT NULL
)`,
  `CREATE INDEX message_events_message_idx ON message_events (program_id, message_id) WHERE message_id IS NOT NULL`,
];
