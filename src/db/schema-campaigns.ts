import type { ColumnType, Generated } from 'kysely';

// Row types of the campaign, delivery and measurement tables (migrations 0005, 0006, 0008, 0011),
// kept apart from schema.ts so each file stays readable; schema.ts gathers them into `Schema`.

type Defaulted<T> = ColumnType<T, T | undefined, T>;

export interface CampaignsTable {
  program_id: string;
  name: string;
  version: number;
  status: 'draft' | 'approved' | 'scheduled' | 'running' | 'completed' | 'cancelled';
  definition: unknown;
  definition_hash: string;
  created_at: Date;
  updated_at: Date;
  approved_at: Date | null;
  approved_by: string | null;
  cancelled_at: Date | null;
  completed_at: Date | null;
  supersedes: number | null;
}

export interface CampaignPoliciesTable {
  program_id: string;
  policy: unknown;
  updated_at: Date;
}

export interface CampaignLinkSecretsTable {
  program_id: string;
  secret: string;
  created_at: Date;
}

export interface SuppressionsTable {
  program_id: string;
  list: string;
  subject: string;
  reason: string | null;
  added_at: Date;
}

export interface CampaignDecisionsTable {
  program_id: string;
  campaign: string;
  step: string;
  member_id: number;
  version: number;
  arm: 'holdout' | 'treatment';
  variant: string | null;
  outcome: 'send' | 'deferred' | 'excluded' | 'holdout';
  excluded_by: string | null;
  channel: string | null;
  send_at: Date | null;
  /** decision_trails.id: the rules that decided it, with their outcomes (migration 0014). */
  trail_id: number;
  decided_at: Date;
  /** campaign_snapshots.id: the member's segments when this decision put them in an arm. */
  snapshot_id: number | null;
}

export interface OutboxTable {
  id: Generated<number>;
  program_id: string;
  campaign: string;
  step: string;
  member_id: number;
  version: number;
  variant: string;
  channel: string;
  purpose: string;
  idempotency_key: string;
  recipient: string;
  subject: string | null;
  body: string;
  send_at: Date;
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'cancelled';
  attempts: Defaulted<number>;
  next_attempt_at: Date;
  locked_until: Date | null;
  sent_at: Date | null;
  provider_id: string | null;
  last_error: string | null;
}

export interface DeliveryChannelsTable {
  program_id: string;
  channel: string;
  endpoint_url: string | null;
  secret: string | null;
  rate_per_second: number | null;
  updated_at: Date;
}

export interface DeliveryFeedbackSecretsTable {
  program_id: string;
  secret: string;
  created_at: Date;
}

/** One row per (campaign, member): decisions and message events folded in by triggers, and the snapshot (migration 0011). */
export interface CampaignTouchesTable {
  program_id: string;
  campaign: string;
  member_id: number;
  assigned: Defaulted<boolean>;
  holdout: Defaulted<boolean>;
  variant: string | null;
  assigned_at: Date | null;
  first_sent_at: Date | null;
  sent_email: Defaulted<number>;
  sent_sms: Defaulted<number>;
  sent_push: Defaulted<number>;
  sent_in_app: Defaulted<number>;
  delivered: Defaulted<boolean>;
  opened: Defaulted<boolean>;
  clicked: Defaulted<boolean>;
  snapshot_id: number | null;
  touched_at: ColumnType<Date | null, never, never>;
}

/** A member's segments at assignment, in every scheme, stored once per program (migration 0011). */
export interface CampaignSnapshotsTable {
  program_id: string;
  id: Generated<number>;
  schemes: string[];
  segments: string[];
}

/** The rules that decided a member, with each one's outcome and detail, stored once per program (migration 0014). */
export interface DecisionTrailsTable {
  program_id: string;
  id: Generated<number>;
  rules: unknown;
  digest: ColumnType<string, never, never>;
}
