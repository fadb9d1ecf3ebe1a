// What the program-wide half of a refresh reads, apart from the wide state rows (issue 3, ADR 0031).
// A refresh ranks every member's R/F/M inputs, summarises the values its top-percent rules compare,
// and picks the members whose review day has come. Kept on `member_features`, each of those passes
// read the program's wide rows (aggregates and features, some 3 kB a member, 5 GB at a million
// members) and decoded every member's features; here they read a row of some 60 bytes. The
// columns move: `member_features` keeps what evaluating one member needs.
//
// `top_values` holds the member's values of the features the program's top-percent rules read
// (`segment_settings.top_features`, sorted), as of the member's last evaluation. The list is set by
// the first refresh after this migration, which fills every member's values from their stored
// features; after that, each evaluation writes them, and a refresh whose rules read another list
// fills them again.

export const statements = [
  `CREATE TABLE member_ranks (
  program_id text NOT NULL,
  member_id bigint NOT NULL,
  review_day integer,
  last_purchase_day integer,
  frequency_orders integer NOT NULL DEFAULT 0,
  monetary_total numeric(18, 4),
  r_score smallint,
  f_score smallint,
  m_score smallint,
  top_values jsonb,
  PRIMARY KEY (program_id, member_id)
)`,
  `INSERT INTO member_ranks (program_id, member_id, review_day, last_purchase_day, frequency_orders,
    monetary_total, r_score, f_score, m_score)
  SELECT program_id, member_id, review_day, last_purchase_day, frequency_orders, monetary_total,
    r_score, f_score, m_score
  FROM member_features`,
  `CREATE INDEX member_ranks_review_idx ON member_ranks (program_id, review_day)`,
  `DROP INDEX member_features_review_idx`,
  `ALTER TABLE member_features
    DROP COLUMN review_day,
    DROP COLUMN last_purchase_day,
    DROP COLUMN frequency_orders,
    DROP COLUMN monetary_total,
    DROP COLUMN r_score,
    DROP COLUMN f_score,
    DROP COLUMN m_score`,
  `ALTER TABLE segment_settings ADD COLUMN top_features text[]`,
];
