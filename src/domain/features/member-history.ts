import type { EngagementKind } from '../../contracts/records.ts';

// One member's full history as the feature computation reads it: the stored shape of each event,
// trimmed to what features need. Times are ISO timestamps in UTC; money is an exact decimal string.

export interface HistoryPurchase {
  id: string;
  kind: 'order' | 'refund';
  occurredAt: string;
  /** Order total (or amount refunded), postage and fees included. */
  amount: string;
  /** The goods part of `amount`: what monetary features count. */
  merchandiseAmount: string;
}

export interface HistoryPoints {
  id: string;
  occurredAt: string;
  type: 'earn' | 'redeem' | 'expire' | 'adjust';
  /** Positive for earn/redeem/expire; an adjustment carries its sign. */
  points: number;
  reason?: string | undefined;
  orderId?: string | undefined;
}

export interface HistoryEngagement {
  id: string;
  occurredAt: string;
  kind: EngagementKind;
}

export interface HistorySurvey {
  id: string;
  occurredAt: string;
  kind: 'csat' | 'nps';
  score: number;
}

export interface HistoryDeclaration {
  id: string;
  occurredAt: string;
  key: string;
  value: string;
}

export interface MemberHistory {
  /** Null when the member record has no join date: the first purchase stands in. */
  joinedAt: string | null;
  purchases: readonly HistoryPurchase[];
  points: readonly HistoryPoints[];
  engagement: readonly HistoryEngagement[];
  surveys: readonly HistorySurvey[];
  declarations: readonly HistoryDeclaration[];
}

/** One event of any kind, tagged, as an incremental update receives it. */
export type MemberEvent =
  | { event: 'purchase'; record: HistoryPurchase }
  | { event: 'points'; record: HistoryPoints }
  | { event: 'engagement'; record: HistoryEngagement }
  | { event: 'survey'; record: HistorySurvey }
  | { event: 'declaration'; record: HistoryDeclaration };
