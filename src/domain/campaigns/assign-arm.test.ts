import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignArm } from './assign-arm.ts';

const variants = [
  { name: 'a', weight: 1 },
  { name: 'b', weight: 1 },
  { name: 'c', weight: 2 },
];

describe('holdout and variant assignment', () => {
  it('puts a member in the same arm every time it is asked', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string({ minLength: 1 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (campaign, member, share) => {
          expect(assignArm(campaign, member, share, variants)).toEqual(
            assignArm(campaign, member, share, variants),
          );
        },
      ),
    );
  });

  it("keeps a treated member's variant when the holdout share changes", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (member) => {
        const wide = assignArm('c-1', member, 0.3, variants);
        const narrow = assignArm('c-1', member, 0.1, variants);
        if (wide.arm === 'treatment') expect(narrow).toEqual(wide);
      }),
    );
  });

  it('holds out about the configured share and splits the rest by weight', () => {
    const counts: Record<string, number> = { holdout: 0, a: 0, b: 0, c: 0 };
    const n = 40_000;
    for (let i = 0; i < n; i++) {
      const arm = assignArm('spring-campaign', `M${i}`, 0.1, variants);
      counts[arm.arm === 'holdout' ? 'holdout' : arm.variant] =
        (counts[arm.arm === 'holdout' ? 'holdout' : arm.variant] ?? 0) + 1;
    }
    // 5 standard deviations of a binomial share: fails by chance about once in 3 million runs.
    const near = (count: number | undefined, p: number) =>
      expect(Math.abs((count ?? 0) / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    near(counts.holdout, 0.1);
    near(counts.a, 0.9 * 0.25);
    near(counts.b, 0.9 * 0.25);
    near(counts.c, 0.9 * 0.5);
  });

  it('gives different campaigns independent arms', () => {
    let same = 0;
    for (let i = 0; i < 2000; i++) {
      const one = assignArm('one', `M${i}`, 0.5, variants).arm;
      const two = assignArm('two', `M${i}`, 0.5, variants).arm;
      if (one === two) same++;
    }
    expect(same / 2000).toBeGreaterThan(0.4);
    expect(same / 2000).toBeLessThan(0.6);
  });

  it('holds out nobody at share 0', () => {
    for (let i = 0; i < 500; i++) expect(assignArm('c', `M${i}`, 0, variants).arm).toBe('treatment');
  });
});
