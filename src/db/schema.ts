import type { ColumnType, Generated } from 'kysely';
import type * as Campaigns from './schema-campaigns.ts';

export type * from './schema-campaigns.ts';

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

export interface MemberFeaturesTable {
  program_id: string;
  member_id: number;
  /** MemberAggregates (domain/features/member-aggregates.ts). */
  aggregates: unknown;
  /** FeatureVector as of `as_of`. */
  features: unknown;
  as_of: Date;
  updated_at: Generated<Date>;
  /** CLV summaries computed by the database from `aggregates` (migration 0010); never written. */
  clv_orders: ColumnType<number | null, never, never>;
  clv_order_days: ColumnType<number | null, never, never>;
  clv_first_day: ColumnType<number | null, never, never>;
  clv_last_day: ColumnType<number | null, never, never>;
  clv_repeat_amount: ColumnType<string | null, never, never>;
}

/**
 * What the program-wide half of a refresh reads, one narrow row per member beside the wide state
 * row (migration 0017): the R/F/M inputs and scores, the review day, and the values of the
 * features the program's top-percent rules read (`segment_settings.top_features`).
 */
export interface MemberRanksTable {
  program_id: string;
  member_id: number;
  review_day: number | null;
  last_purchase_day: number | null;
  frequency_orders: Defaulted<number>;
  monetary_total: Money | null;
  r_score: number | null;
  f_score: number | null;
  m_score: number | null;
  /** Feature name to value (number or null), for `segment_settings.top_features`. */
  top_values: Defaulted<unknown>;
}

export interface SegmentSettingsTable {
  program_id: string;
  overrides: Defaulted<unknown>;
  distributions: Defaulted<unknown>;
  refreshed_as_of: Date | null;
  /** Events after this time were left out of some members' aggregates by a past-dated rebuild. */
  history_cut: Defaulted<Date | null>;
  /** The features whose values member_ranks.top_values holds, sorted; null before the first refresh. */
  top_features: Defaulted<string[] | null>;
  definitions_version: Defaulted<number>;
  evaluated_version: Defaulted<number>;
  updated_at: Generated<Date>;
}

export interface SegmentDefinitionsTable {
  program_id: string;
  scheme: string;
  name: string;
  version: number;
  label: string;
  description: string | null;
  rule: unknown;
  position: number;
  scheme_mode: 'first_match' | 'overlapping';
  deleted: Defaulted<boolean>;
  created_at: Generated<Date>;
}

export interface SegmentMembershipsTable {
  program_id: string;
  member_id: number;
  scheme: string;
  segment: string;
  since: Date;
  explanation: string;
}

export interface SegmentTransitionsTable {
  seq: Generated<number>;
  program_id: string;
  member_id: number;
  scheme: string;
  segment: string;
  change: 'entered' | 'left';
  at: Date;
  cause: 'event' | 'refresh' | 'definition';
  explanation: string | null;
  recorded_at: Generated<Date>;
}

export interface SegmentSizesTable {
  program_id: string;
  scheme: string;
  segment: string;
  as_of: Date;
  size: number;
}

export interface WebhooksTable {
  id: string;
  program_id: string;
  url: string;
  secret: string;
  events: string[];
  created_at: Generated<Date>;
  disabled_at: Date | null;
}

export interface WebhookDeliveriesTable {
  id: string;
  program_id: string;
  webhook_id: string;
  payload: unknown;
  attempts: Defaulted<number>;
  next_attempt_at: Date;
  delivered_at: Date | null;
  last_error: string | null;
  created_at: Generated<Date>;
}

export interface InstallationSecretsTable {
  name: string;
  secret: string;
  created_at: Generated<Date>;
}

/** A program's member-link signing keys (migration 0007); a null secret is the installation's. */
export interface PreferenceLinkKeysTable {
  program_id: string;
  key_id: number;
  secret: string | null;
  created_at: Date;
  /** Null for the key that signs now; a replaced key verifies until then. */
  accept_until: Date | null;
}

export interface PreferenceCentresTable {
  program_id: string;
  config: unknown;
  updated_at: Defaulted<Date>;
}

export interface QuizzesTable {
  program_id: string;
  quiz_id: string;
  kind: 'quiz' | 'poll' | 'challenge';
  definition: unknown;
  status: 'active' | 'archived';
  created_at: Generated<Date>;
  updated_at: Defaulted<Date>;
}

export interface PreferenceFormUsesTable {
  program_id: string;
  nonce: string;
  member_id: number;
  used_at: Date;
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
  member_features: MemberFeaturesTable;
  member_ranks: MemberRanksTable;
  segment_settings: SegmentSettingsTable;
  segment_definitions: SegmentDefinitionsTable;
  segment_memberships: SegmentMembershipsTable;
  segment_transitions: SegmentTransitionsTable;
  segment_sizes: SegmentSizesTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  installation_secrets: InstallationSecretsTable;
  preference_link_keys: PreferenceLinkKeysTable;
  preference_centres: PreferenceCentresTable;
  quizzes: QuizzesTable;
  preference_form_uses: PreferenceFormUsesTable;
  campaigns: Campaigns.CampaignsTable;
  campaign_policies: Campaigns.CampaignPoliciesTable;
  campaign_link_secrets: Campaigns.CampaignLinkSecretsTable;
  suppressions: Campaigns.SuppressionsTable;
  campaign_decisions: Campaigns.CampaignDecisionsTable;
  outbox: Campaigns.OutboxTable;
  delivery_channels: Campaigns.DeliveryChannelsTable;
  delivery_feedback_secrets: Campaigns.DeliveryFeedbackSecretsTable;
  campaign_touches: Campaigns.CampaignTouchesTable;
  campaign_snapshots: Campaigns.CampaignSnapshotsTable;
  decision_trails: Campaigns.DecisionTrailsTable;
}
