// Predictive customer value (issue 4): the fitted models of each program and the latest predictions
// per member. A fit is kept (not overwritten) so a prediction can always name the model behind it;
// predictions are replaced wholesale by each scoring run.
// Money (expected spend, CLV) is numeric like every other amount; the model outputs that are not
// money (counts, probabilities, percentiles) are double precision.

export const statements = [
  `CREATE TABLE clv_models (
  id text PRIMARY KEY,
  program_id text NOT NULL REFERENCES programs (id),
  model text NOT NULL CHECK (model IN ('bgnbd', 'pareto-nbd', 'gamma-gamma')),
  params jsonb NOT NULL,
  standard_errors jsonb,
  log_likelihood double precision NOT NULL,
  n integer NOT NULL,
  converged boolean NOT NULL,
  iterations integer NOT NULL,
  calibration_end timestamptz NOT NULL,
  time_unit text NOT NULL CHECK (time_unit IN ('day', 'week')),
  fitted_at timestamptz NOT NULL DEFAULT now()
)`,
  `CREATE INDEX clv_models_program_idx ON clv_models (program_id, fitted_at)`,
  `CREATE TABLE member_predictions (
  program_id text NOT NULL,
  member_id bigint NOT NULL,
  model_id text NOT NULL REFERENCES clv_models (id),
  spend_model_id text REFERENCES clv_models (id),
  expected_purchases double precision NOT NULL,
  p_alive double precision NOT NULL,
  expected_spend numeric(18, 4),
  clv numeric(18, 4),
  clv_percentile double precision,
  computed_at timestamptz NOT NULL,
  PRIMARY KEY (program_id, member_id)
)`,
];
