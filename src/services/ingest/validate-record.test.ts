import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_KINDS } from '../../contracts/records.ts';
import { hashRecord, validateRecord } from './validate-record.ts';

// Text the database can hold: printable ASCII is enough to exercise the hash.
const printable = (min: number, max: number) =>
  fc.string({ minLength: min, maxLength: max, unit: fc.constantFrom(...'abcXYZ 019-_.,"\\/é€'.split('')) });

const purchase = fc.record(
  {
    id: fc.stringMatching(/^[a-z0-9-]{1,12}$/),
    memberId: fc.stringMatching(/^[a-z0-9]{1,8}$/),
    occurredAt: fc.constantFrom('2024-01-01', '2024-02-29T10:00:00Z'),
    kind: fc.constantFrom('order', 'refund'),
    amount: fc.nat({ max: 10_000_000 }).map((cents) => (cents / 100).toFixed(2)),
    currency: fc.constantFrom('GBP', 'EUR'),
    items: fc.array(
      fc.record(
        {
          sku: printable(1, 8).map((s) => s.trim() || 'x'),
          quantity: fc.integer({ min: 1, max: 50 }),
          unitPrice: fc.constantFrom('1.25', '0.1', '19.99'),
          description: printable(0, 12),
        },
        { requiredKeys: ['sku', 'quantity', 'unitPrice'] },
      ),
      { maxLength: 4 },
    ),
  },
  { requiredKeys: ['id', 'memberId', 'occurredAt'] },
);

describe('hashRecord', () => {
  it('gives an event kind the same hash through its fast path as through the canonical walk', () => {
    fc.assert(
      fc.property(purchase, (raw) => {
        const result = validateRecord('purchases', raw);
        if (!result.ok) return;
        expect(hashRecord(result.record, 'purchases')).toBe(hashRecord(result.record));
      }),
    );
  });

  it('does not depend on the order of the fields', () => {
    const a = { id: 'e1', memberId: 'm1', occurredAt: '2024-01-01T00:00:00.000Z', kind: 'review' };
    const b = { kind: 'review', occurredAt: '2024-01-01T00:00:00.000Z', memberId: 'm1', id: 'e1' };
    for (const kind of EVENT_KINDS) expect(hashRecord(a, kind)).toBe(hashRecord(b, kind));
  });

  it('changes when any field changes', () => {
    const a = { id: 'e1', memberId: 'm1', occurredAt: '2024-01-01T00:00:00.000Z', kind: 'review' };
    expect(hashRecord({ ...a, kind: 'share' }, 'engagement')).not.toBe(hashRecord(a, 'engagement'));
  });
});
