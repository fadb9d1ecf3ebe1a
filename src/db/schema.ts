import type { ColumnType, Generated } from 'kysely';

// Row types of the tables created by the migrations, for Kysely's typed query builder.
// numeric columns come back as strings (exact), int8 as numbers, timestamptz as Date.

type Defaulted<T> = ColumnType<T, T | undefined, T>;
type Money = ColumnType<string, string, string>;

export interface ProgramsTable {
  id: string;
  name: string;
  currency: Defaulted<string>;
  as_of: Date | null;
  created_at: Generated<Date>;
}

export interface ApiKeysTable {
  id: string;
  program_id: string;
  secret_hash: string;
  scopes: string[];
  label: string | null;
  created_at: Generated<Date>;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface MembersTable {
  program_id: string;
  member_id: Generated<number>;
  external_id: string;
  joined_at: Date;
  tier: string | null;
  timezone: string | null;
  locale: string | null;
  email: string | null;
  phone: string | null;
  push_token: string | null;
  region: string | null;
  gender: string | null;
  birthday: string | null;
  account_external_id: string | null;
  business_category: string | null;
  attributes: unknown;
  payload_hash: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

interface EventColumns {
  program_id: string;
  event_id: string;
  member_id: number;
  occurred_at: Date;
  payload_hash: string;
  ingested_at: Generated<Date>;
}

export interface PurchasesTable extends EventColumns {
  kind: 'order' | 'refund';
  refund_of: string | null;
  amount: Money;
  merchandise_amount: Money;
  currency: string;
  item_count: number;
}

export interface PurchaseItemsTable {
  program_id: string;
  event_id: string;
  line_no: number;
  sku: string;
  category: string | null;
  description: string | null;
  quantity: number;
  unit_price: Money;
  amount: Money;
  merchandise: boolean;
}

export interface PointsTable extends EventColumns {
  type: 'earn' | 'redeem' | 'expire' | 'adjust';
  points: number;
  reason: string | null;
  reward: string | null;
  order_id: string | null;
}

export interface EngagementTable extends EventColumns {
  kind: string;
  detail: string | null;
}

export interface SurveysTable extends EventColumns {
  kind: 'csat' | 'nps';
  score: number;
  comment: string | null;
}

export interface DeclarationsTable extends EventColumns {
  key: string;
  value: string;
  source: string;
}

export interface ConsentsTable extends EventColumns {
  channel: string;
  purpose: string;
  status: 'granted' | 'revoked';
  source: string;
}

export interface MessageEventsTable extends EventColumns {
  type: string;
  channel: string;
  campaign_id: string | null;
  message_id: string | null;
  url: string | null;
}

export interface AccountsTable {
  program_id: string;
  account_id: Generated<number>;
  external_id: string;
  name: string;
  category: string | null;
  attributes: unknown;
  payload_hash: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ClvModelsTable {
  id: string;
  program_id: string;
  model: 'bgnbd' | 'pareto-nbd' | 'gamma-gamma';
  params: Record<string, number>;
  standard_errors: Record<string, number> | null;
  log_likelihood: number;
  n: number;
  converged: boolean;
  iterations: number;
  calibration_end: Date;
  time_unit: 'day' | 'week';
  fitted_at: Defaulted<Date>;
}

export interface MemberPredictionsTable {
  program_id: string;
  member_id: number;
  model_id: string;
  spend_model_id: string | null;
  expected_purchases: number;
  p_alive: number;
  expected_spend: Money | null;
  clv: Money | null;
  clv_percentile: number | null;
  computed_at: Date;
}

export interface Schema {
  programs: ProgramsTable;
  api_keys: ApiKeysTable;
  accounts: AccountsTable;
  members: MembersTable;
  purchases: PurchasesTable;
  purchase_items: PurchaseItemsTable;
  points: PointsTable;
  engagement: EngagementTable;
  surveys: SurveysTable;
  declarations: DeclarationsTable;
  consents: ConsentsTable;
  message_events: MessageEventsTable;
  clv_models: ClvModelsTable;
  member_predictions: MemberPredictionsTable;
}
