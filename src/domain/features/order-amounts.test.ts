import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalToUnits, unitsToDecimal } from '../../contracts/scalars.ts';
import { applyEvent, emptyAggregates, type MemberAggregates } from './member-aggregates.ts';
import type { HistoryPurchase } from './member-history.ts';
import { repeatAmount } from './order-amounts.ts';
import { utcDay } from './utc-days.ts';

const START = Date.parse('2024-01-01T00:00:00Z');
const purchase = fc.record({
  kind: fc.constantFrom('order' as const, 'order' as const, 'refund' as const),
  // Few distinct days, so same-day orders and a late order before the first day are common.
  occurredAt: fc.integer({ min: 0, max: 20 * 86_400_000 }).map((ms) => new Date(START + ms).toISOString()),
  units: fc.bigInt({ min: 0n, max: 10_000_000n }),
});

function fold(purchases: readonly { kind: 'order' | 'refund'; occurredAt: string; units: bigint }[]) {
  let agg: MemberAggregates = emptyAggregates(null);
  purchases.forEach((p, i) => {
    const amount = unitsToDecimal(p.units);
    const record: HistoryPurchase = {
      id: `p${i}`,
      kind: p.kind,
      occurredAt: p.occurredAt,
      amount,
      merchandiseAmount: '0',
    };
    agg = applyEvent(agg, { event: 'purchase', record });
  });
  return agg;
}

describe('order amounts kept in the member aggregates', () => {
  it('equal the order totals in all and after the first order day, whatever order the purchases arrive in', () => {
    fc.assert(
      fc.property(fc.array(purchase, { maxLength: 15 }), fc.integer(), (purchases, seed) => {
        const shuffled = [...purchases];
        let state = seed;
        for (let i = shuffled.length - 1; i > 0; i--) {
          state = (Math.imul(state, 1103515245) + 12345) | 0;
          const j = Math.abs(state) % (i + 1);
          [shuffled[i], shuffled[j]] = [
            shuffled[j] as (typeof shuffled)[number],
            shuffled[i] as (typeof shuffled)[number],
          ];
        }
        const orders = purchases.filter((p) => p.kind === 'order');
        const firstDay = Math.min(...orders.map((p) => utcDay(p.occurredAt)));
        const repeat = orders
          .filter((p) => utcDay(p.occurredAt) > firstDay)
          .reduce((sum, p) => sum + p.units, 0n);
        const agg = fold(shuffled);
        expect(agg.orderAmounts).toEqual(fold(purchases).orderAmounts);
        expect(decimalToUnits(agg.orderAmounts?.total ?? 'x')).toBe(orders.reduce((s, p) => s + p.units, 0n));
        expect(decimalToUnits(repeatAmount(agg.orderAmounts ?? { total: '0', firstDay: '0' }))).toBe(repeat);
      }),
    );
  });

  it('stay unknown for a member whose aggregates were stored with orders but without them', () => {
    const { orderAmounts: _, ...stored } = fold([
      { kind: 'order', occurredAt: new Date(START).toISOString(), units: 10n },
    ]);
    const record: HistoryPurchase = {
      id: 'p9',
      kind: 'order',
      occurredAt: new Date(START).toISOString(),
      amount: '1.0000',
      merchandiseAmount: '1.0000',
    };
    expect(applyEvent(stored, { event: 'purchase', record }).orderAmounts).toBeUndefined();
  });

  it('start afresh for a member stored without them and without orders', () => {
    const { orderAmounts: _, ...stored } = emptyAggregates(null);
    const record: HistoryPurchase = {
      id: 'p1',
      kind: 'order',
      occurredAt: new Date(START).toISOString(),
      amount: '2.5000',
      merchandiseAmount: '2.5000',
    };
    expect(applyEvent(stored, { event: 'purchase', record }).orderAmounts).toEqual({
      total: '2.5000',
      firstDay: '2.5000',
    });
  });
});
