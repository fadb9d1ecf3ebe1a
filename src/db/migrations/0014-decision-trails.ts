// A decision's rule trail, stored once per program (issue 5). Every decision kept the full trail of
// the rules that decided it (`campaigns why` reads it back), as jsonb on its own row: about 650 of
// the row's 815 bytes, written for every member of every launch. A launch of 1,000,000 members has
// a few hundred distinct trails (a rule's detail names the channel, the cap or the local send time,
// not the member), so the trails move to `decision_trails`, keyed by a digest of their text, and a
// decision refers to its trail by id. The decision row shrinks to a fifth, and with it what each
// launch writes to the table and the write-ahead log.

export const statements = [
  `CREATE TABLE decision_trails (
  program_id text NOT NULL,
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  rules jsonb NOT NULL,
  digest text GENERATED ALWAYS AS (md5(rules::text)) STORED,
  UNIQUE (program_id, digest)
)`,
  `INSERT INTO decision_trails (program_id, rules)
  SELECT DISTINCT program_id, rules FROM campaign_decisions
  ON CONFLICT (program_id, digest) DO NOTHING`,
  'ALTER TABLE campaign_decisions ADD COLUMN trail_id bigint',
  `UPDATE campaign_decisions d SET trail_id = t.id FROM decision_trails t
  WHERE t.program_id = d.program_id AND t.digest = md5(d.rules::text)`,
  'ALTER TABLE campaign_decisions ALTER COLUMN trail_id SET NOT NULL',
  'ALTER TABLE campaign_decisions DROP COLUMN rules',
];
