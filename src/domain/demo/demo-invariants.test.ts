import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DemoMember } from './demo-member.ts';
import { demoMember } from './demo-member.ts';

const EARLIEST_NOW = Date.UTC(2005, 0, 1);
const LATEST_NOW = Date.UTC(2100, 0, 1);

const memberArbitrary = fc
  .record({
    seed: fc.integer(),
    index: fc.integer({ min: 1, max: 9_999_999 }),
    now: fc.integer({ min: EARLIEST_NOW, max: LATEST_NOW }).map((ms) => new Date(ms)),
  })
  .map((options) => ({ options, generated: demoMember(options) }));

function timed(generated: DemoMember): { id: string; occurredAt: string }[][] {
  const { purchases, points, engagement, surveys, declarations, consents } = generated;
  return [purchases, points, engagement, surveys, declarations, consents];
}

describe('demo member invariants', () => {
  it('never lets the points balance go below zero', () => {
    fc.assert(
      fc.property(memberArbitrary, ({ generated }) => {
        let balance = 0;
        for (const entry of generated.points) {
          balance += entry.type === 'earn' || entry.type === 'adjust' ? entry.points : -entry.points;
          expect(balance).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every event between joining and now, each list in time order', () => {
    fc.assert(
      fc.property(memberArbitrary, ({ options, generated }) => {
        const joinedAt = Date.parse(generated.member.joinedAt ?? '');
        expect(joinedAt).toBeLessThanOrEqual(options.now.getTime());
        for (const records of timed(generated)) {
          let previous = joinedAt;
          for (const record of records) {
            const time = Date.parse(record.occurredAt);
            expect(time).toBeGreaterThanOrEqual(previous);
            expect(time).toBeLessThanOrEqual(options.now.getTime());
            previous = time;
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refunds and points only point at earlier orders of the same member', () => {
    fc.assert(
      fc.property(memberArbitrary, ({ generated }) => {
        const orderTimes = new Map<string, number>();
        for (const purchase of generated.purchases) {
          if (purchase.kind === 'order') orderTimes.set(purchase.id, Date.parse(purchase.occurredAt));
          else {
            const orderedAt = orderTimes.get(purchase.refundOf ?? '');
            expect(orderedAt).toBeDefined();
            expect(Date.parse(purchase.occurredAt)).toBeGreaterThan(orderedAt ?? Number.POSITIVE_INFINITY);
          }
        }
        for (const entry of generated.points) {
          if (entry.orderId !== undefined) expect(orderTimes.has(entry.orderId)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('asks for marketing consent only on channels the member can be reached on', () => {
    fc.assert(
      fc.property(memberArbitrary, ({ generated }) => {
        const { member, consents } = generated;
        for (const consent of consents) {
          if (consent.channel === 'email') expect(member.email).toBeDefined();
          if (consent.channel === 'sms') expect(member.phone).toBeDefined();
          if (consent.channel === 'push') expect(member.pushToken).toBeDefined();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives a tier that follows the last twelve months of spend', () => {
    const tiers = new Map<string, number[]>();
    for (let index = 1; index <= 1000; index++) {
      const { member, purchases } = demoMember({ seed: 5, index, now: new Date(LATEST_NOW) });
      const yearAgo = LATEST_NOW - 365 * 86_400_000;
      const spend = purchases
        .filter((p) => p.kind === 'order' && Date.parse(p.occurredAt) >= yearAgo)
        .reduce((sum, p) => sum + Number(p.amount), 0);
      tiers.set(member.tier ?? '', [...(tiers.get(member.tier ?? '') ?? []), spend]);
    }
    const median = (values: number[] = []) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    expect(median(tiers.get('bronze'))).toBeLessThan(median(tiers.get('silver')));
    expect(median(tiers.get('silver'))).toBeLessThan(median(tiers.get('gold')));
  });
});
