import type { RecordKind, RecordOf } from '../../contracts/records.ts';
import { decimalToUnits, unitsToDecimal } from '../../contracts/scalars.ts';

// How each record kind maps onto its table: the column list that the merge statements are built
// from, and the value each column takes from a validated record.

/** A column of the JSON recordset handed to a merge statement. */
export interface Column<R> {
  name: string;
  type: string;
  value: (record: R) => unknown;
}

export interface EventSpec<K extends RecordKind> {
  table: string;
  columns: Column<RecordOf[K]>[];
}

const col = <R>(name: string, type: string, value: (record: R) => unknown): Column<R> => ({
  name,
  type,
  value,
});

/** Order total and merchandise subtotal, exact, from the items when they are given. */
export function purchaseTotals(record: RecordOf['purchases']): { amount: string; merchandise: string } {
  if (!record.items?.length) {
    const amount = record.amount ?? '0.0000';
    return { amount, merchandise: amount };
  }
  let all = 0n;
  let merchandise = 0n;
  for (const item of record.items) {
    const line = BigInt(item.quantity) * decimalToUnits(item.unitPrice);
    all += line;
    if (item.merchandise) merchandise += line;
  }
  // An explicit amount wins (it may include tax or rounding the items do not show).
  const amount = record.amount ?? unitsToDecimal(all);
  const capped = merchandise > decimalToUnits(amount) ? decimalToUnits(amount) : merchandise;
  return { amount, merchandise: unitsToDecimal(capped) };
}

export const EVENT_SPECS: { [K in Exclude<RecordKind, 'members' | 'accounts'>]: EventSpec<K> } = {
  purchases: {
    table: 'purchases',
    columns: [
      col('kind', 'text', (r) => r.kind),
      col('refund_of', 'text', (r) => r.refundOf ?? null),
      col('amount', 'numeric', (r) => purchaseTotals(r).amount),
      col('merchandise_amount', 'numeric', (r) => purchaseTotals(r).merchandise),
      col('currency', 'text', (r) => r.currency ?? null),
      col('item_count', 'integer', (r) => r.items?.length ?? 0),
    ],
  },
  points: {
    table: 'points',
    columns: [
      col('type', 'text', (r) => r.type),
      col('points', 'bigint', (r) => r.points),
      col('reason', 'text', (r) => r.reason ?? null),
      col('reward', 'text', (r) => r.reward ?? null),
      col('order_id', 'text', (r) => r.orderId ?? null),
    ],
  },
  engagement: {
    table: 'engagement',
    columns: [col('kind', 'text', (r) => r.kind), col('detail', 'text', (r) => r.detail ?? null)],
  },
  surveys: {
    table: 'surveys',
    columns: [
      col('kind', 'text', (r) => r.kind),
      col('score', 'smallint', (r) => r.score),
      col('comment', 'text', (r) => r.comment ?? null),
    ],
  },
  declarations: {
    table: 'declarations',
    columns: [
      col('key', 'text', (r) => r.key),
      col('value', 'text', (r) => r.value),
      col('source', 'text', (r) => r.source),
    ],
  },
  consents: {
    table: 'consents',
    columns: [
      col('channel', 'text', (r) => r.channel),
      col('purpose', 'text', (r) => r.purpose),
      col('status', 'text', (r) => r.status),
      col('source', 'text', (r) => r.source),
    ],
  },
  'message-events': {
    table: 'message_events',
    columns: [
      col('type', 'text', (r) => r.type),
      col('channel', 'text', (r) => r.channel),
      col('campaign_id', 'text', (r) => r.campaignId ?? null),
      col('message_id', 'text', (r) => r.messageId ?? null),
      col('url', 'text', (r) => r.url ?? null),
    ],
  },
};

export const MEMBER_COLUMNS: Column<RecordOf['members']>[] = [
  col('joined_at', 'timestamptz', (r) => r.joinedAt ?? null),
  col('tier', 'text', (r) => r.tier ?? null),
  col('timezone', 'text', (r) => r.timezone ?? null),
  col('locale', 'text', (r) => r.locale ?? null),
  col('email', 'text', (r) => r.email ?? null),
  col('phone', 'text', (r) => r.phone ?? null),
  col('push_token', 'text', (r) => r.pushToken ?? null),
  col('region', 'text', (r) => r.region ?? null),
  col('gender', 'text', (r) => r.gender ?? null),
  col('birthday', 'date', (r) => r.birthday ?? null),
  col('account_external_id', 'text', (r) => r.accountId ?? null),
  col('business_category', 'text', (r) => r.businessCategory ?? null),
  col('attributes', 'jsonb', (r) => r.attributes ?? {}),
];

export const ACCOUNT_COLUMNS: Column<RecordOf['accounts']>[] = [
  col('name', 'text', (r) => r.name),
  col('category', 'text', (r) => r.category ?? null),
  col('attributes', 'jsonb', (r) => r.attributes ?? {}),
];
