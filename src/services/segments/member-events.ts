import type { RecordKind, RecordOf } from '../../contracts/records.ts';
import { purchaseTotals } from '../../db/writers/table-specs.ts';
import type { MemberEvent } from '../../domain/features/member-history.ts';

/** The feature-relevant event of an ingested record, or null for kinds that do not feed features. */
export function memberEventOf(kind: RecordKind, record: unknown): MemberEvent | null {
  switch (kind) {
    case 'purchases': {
      const p = record as RecordOf['purchases'];
      const totals = purchaseTotals(p);
      return {
        event: 'purchase',
        record: {
          id: p.id,
          kind: p.kind,
          occurredAt: p.occurredAt,
          amount: totals.amount,
          merchandiseAmount: totals.merchandise,
        },
      };
    }
    case 'points': {
      const p = record as RecordOf['points'];
      return {
        event: 'points',
        record: {
          id: p.id,
          occurredAt: p.occurredAt,
          type: p.type,
          points: p.points,
          reason: p.reason,
          orderId: p.orderId,
        },
      };
    }
    case 'engagement': {
      const e = record as RecordOf['engagement'];
      return { event: 'engagement', record: { id: e.id, occurredAt: e.occurredAt, kind: e.kind } };
    }
    case 'surveys': {
      const s = record as RecordOf['surveys'];
      return {
        event: 'survey',
        record: { id: s.id, occurredAt: s.occurredAt, kind: s.kind, score: s.score },
      };
    }
    case 'declarations': {
      const d = record as RecordOf['declarations'];
      return {
        event: 'declaration',
        record: { id: d.id, occurredAt: d.occurredAt, key: d.key, value: d.value },
      };
    }
    default:
      return null;
  }
}
