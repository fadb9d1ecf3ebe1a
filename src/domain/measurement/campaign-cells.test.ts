import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { poolTotals, tallyCells } from './campaign-cells.ts';
import type { MemberOutcome } from './member-outcomes.ts';
import { divideRounded, perCount } from './money.ts';

const outcome = (o: Partial<MemberOutcome>): MemberOutcome => ({
  memberId: 'm',
  arm: 'a',
  holdout: false,
  segments: [],
  sent: false,
  delivered: false,
  opened: false,
  clicked: false,
  messages: 0,
  messageCostUnits: 0n,
  orders: 0,
  revenueUnits: 0n,
  redemptions: 0,
  ...o,
});

describe('money', () => {
  it('sums exactly where floats would not', () => {
    // 0.1 + 0.2 in floating point is 0.30000000000000004; in units it is 1000 + 2000 = 3000.
    const cells = tallyCells(
      [outcome({ revenueUnits: 1000n, orders: 1 }), outcome({ revenueUnits: 2000n, orders: 1 })],
      [],
    );
    expect(cells[0]?.totals.revenueUnits).toBe(3000n);
    // A million members at 0.0001 each: exactly 100.0000.
    const many = Array.from({ length: 1_000_000 }, () => outcome({ revenueUnits: 1n, orders: 1 }));
    expect(tallyCells(many, [])[0]?.totals.revenueUnits).toBe(1_000_000n);
  });

  it('divides to the nearest unit, halves away from zero', () => {
    expect(divideRounded(5n, 2n)).toBe(3n);
    expect(divideRounded(-5n, 2n)).toBe(-3n);
    expect(divideRounded(7n, 3n)).toBe(2n);
    expect(perCount(50_560n, 3)).toBe('1.6853'); // 5.0560 / 3 = 1.68533
    expect(perCount(1n, 0)).toBeNull();
  });
});

describe('tallyCells', () => {
  it('puts a member of an overlapping scheme in each of their segments, and others in none', () => {
    const cells = tallyCells(
      [
        outcome({
          segments: [
            { scheme: 'interest', segment: 'coffee' },
            { scheme: 'interest', segment: 'tea' },
          ],
        }),
        outcome({ segments: [{ scheme: 'rfm', segment: 'champions' }] }),
      ],
      ['interest'],
    );
    expect(cells.map((c) => [c.scheme, c.segment, c.totals.assigned])).toEqual([
      [null, null, 2],
      ['interest', 'coffee', 1],
      ['interest', 'tea', 1],
      ['interest', null, 1],
    ]);
  });

  it('rejects an arm that is holdout for one member and not for another', () => {
    expect(() => tallyCells([outcome({}), outcome({ holdout: true })], [])).toThrow(/both holdout and sent/);
  });

  it('adds up: the segments of a one-label scheme sum to the whole, exactly', () => {
    const member = fc.record({
      arm: fc.constantFrom('a', 'b', 'holdout'),
      segment: fc.option(fc.constantFrom('gold', 'silver', 'bronze'), { nil: null }),
      orders: fc.integer({ min: 0, max: 3 }),
      revenueUnits: fc.bigInt({ min: 0n, max: 10n ** 10n }),
      redemptions: fc.integer({ min: 0, max: 2 }),
      sent: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(member, { maxLength: 60 }), (members) => {
        const outcomes = members.map((m) =>
          outcome({
            arm: m.arm,
            holdout: m.arm === 'holdout',
            segments: m.segment === null ? [] : [{ scheme: 'loyalty', segment: m.segment }],
            orders: m.orders,
            revenueUnits: m.orders > 0 ? m.revenueUnits : 0n,
            redemptions: m.redemptions,
            sent: m.arm !== 'holdout' && m.sent,
          }),
        );
        const cells = tallyCells(outcomes, ['loyalty'], 25_000n);
        for (const arm of ['a', 'b', 'holdout']) {
          const whole = cells.find((c) => c.scheme === null && c.arm === arm)?.totals;
          const parts = poolTotals(
            cells.filter((c) => c.scheme === 'loyalty' && c.arm === arm).map((c) => c.totals),
          );
          if (!whole) {
            expect(parts.assigned).toBe(0);
            continue;
          }
          expect(parts).toEqual(whole);
          expect(whole.offerCostUnits).toBe(BigInt(whole.redemptions) * 25_000n);
        }
      }),
    );
  });
});
