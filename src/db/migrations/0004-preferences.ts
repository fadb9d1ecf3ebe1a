// The member preference centre (issue 7). What members declare, consent to and earn there lives in
// the existing ledgers (declarations, consents, points); these tables hold only what is the
// preference centre's own: the installation's signing secret, each program's page configuration,
// the marketers' quizzes, and the one-time form nonces that stop a form being applied twice.

export const statements = [
  // Secrets generated per installation on first use; never shipped, never logged (ADR 0010).
  `CREATE TABLE installation_secrets (
  name text PRIMARY KEY,
  secret text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
)`,
  `CREATE TABLE preference_centres (
  program_id text PRIMARY KEY REFERENCES programs (id),
  config jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
)`,
  `CREATE TABLE quizzes (
  program_id text NOT NULL REFERENCES programs (id),
  quiz_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('quiz', 'poll', 'challenge')),
  definition jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'archived')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, quiz_id)
)`,
  // A submitted form's nonce: inserting it is what lets a submit apply, exactly once.
  `CREATE TABLE preference_form_uses (
  program_id text NOT NULL,
  nonce text NOT NULL,
  member_id bigint NOT NULL,
  used_at timestamptz NOT NULL,
  PRIMARY KEY (program_id, nonce)
)`,
];
