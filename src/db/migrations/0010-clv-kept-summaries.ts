// Per-member CLV summaries kept current as purchases arrive (issue 4, ADR 0006). The segment engine
// already folds every order into a member's aggregates in the ingest transaction (purchase days,
// order count, and since this migration the order totals in `orderAmounts`); these columns expose
// what the BTYD summaries need, computed by the database from the aggregates on every write, so
// a fit reads one narrow row per member instead of a window pass over every order, and no writer
// has to remember them. NULL where unknown: `clv_repeat_amount` of a member with orders whose
// aggregates were stored before `orderAmounts` was kept (a `refresh --rebuild` fills it).

export const statements = [
  `ALTER TABLE member_features
  ADD COLUMN clv_orders integer GENERATED ALWAYS AS ((aggregates ->> 'orders')::integer) STORED,
  ADD COLUMN clv_order_days integer GENERATED ALWAYS AS (jsonb_array_length(aggregates -> 'purchaseDays')) STORED,
  ADD COLUMN clv_first_day integer GENERATED ALWAYS AS ((aggregates -> 'purchaseDays' ->> 0)::integer) STORED,
  ADD COLUMN clv_last_day integer GENERATED ALWAYS AS ((aggregates -> 'purchaseDays' ->> -1)::integer) STORED,
  ADD COLUMN clv_repeat_amount numeric(18, 4) GENERATED ALWAYS AS (
    (aggregates #>> '{orderAmounts,total}')::numeric - (aggregates #>> '{orderAmounts,firstDay}')::numeric
  ) STORED`,
  // Covering, and only customers: the fit's read is an index-only scan in member order.
  `CREATE INDEX member_features_clv_idx ON member_features (program_id, member_id)
  INCLUDE (clv_orders, clv_order_days, clv_first_day, clv_last_day, clv_repeat_amount)
  WHERE clv_order_days > 0`,
];
