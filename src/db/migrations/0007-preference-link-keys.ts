// Member-link keys per program, so a program can rotate the key its preference links and forms are
// signed with (ADR 0028). A program with no row signs with the installation's secret, as before.
// The newest key signs; a replaced key keeps verifying until its accept_until, so links already sent
// keep working for the grace period. A null secret stands for the installation's secret, which is
// never copied out of installation_secrets.

export const statements = [
  `CREATE TABLE preference_link_keys (
  program_id text NOT NULL REFERENCES programs (id),
  key_id integer NOT NULL CHECK (key_id >= 0),
  secret text,
  created_at timestamptz NOT NULL,
  accept_until timestamptz,
  PRIMARY KEY (program_id, key_id)
)`,
];
