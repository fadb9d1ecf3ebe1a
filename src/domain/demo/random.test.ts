import { describe, expect, it } from 'vitest';
import { createRandom } from './random.ts';

const DRAWS = 20_000;

function meanOf(draw: () => number): number {
  let sum = 0;
  for (let i = 0; i < DRAWS; i++) sum += draw();
  return sum / DRAWS;
}

describe('createRandom', () => {
  it('repeats the same stream for the same seed and index, and not for the next index', () => {
    const a = createRandom(42, 1);
    const b = createRandom(42, 1);
    const c = createRandom(42, 2);
    const first = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toStrictEqual(first);
    expect(Array.from({ length: 5 }, () => c.uniform())).not.toStrictEqual(first);
  });

  it('draws gamma, beta, lognormal, Poisson and exponential values with the right means', () => {
    const random = createRandom(1, 1);
    expect(meanOf(() => random.gamma(0.5, 2))).toBeCloseTo(1, 1);
    expect(meanOf(() => random.gamma(3, 2))).toBeCloseTo(6, 0);
    expect(meanOf(() => random.beta(1, 4))).toBeCloseTo(0.2, 1);
    expect(meanOf(() => random.logNormal(0, 0.5))).toBeCloseTo(Math.exp(0.125), 1);
    expect(meanOf(() => random.poisson(3.5))).toBeCloseTo(3.5, 1);
    expect(meanOf(() => random.poisson(800)) / 800).toBeCloseTo(1, 2);
    expect(meanOf(() => random.exponential(4))).toBeCloseTo(0.25, 1);
  });

  it('draws from a weighted table in proportion to the weights', () => {
    const random = createRandom(3, 9);
    const counts = { a: 0, b: 0, c: 0 };
    const table = { items: ['a', 'b', 'c'] as const, cumulative: [1, 3, 6] };
    for (let i = 0; i < DRAWS; i++) counts[random.fromTable(table)]++;
    expect(counts.a / DRAWS).toBeCloseTo(1 / 6, 1);
    expect(counts.c / DRAWS).toBeCloseTo(1 / 2, 1);
  });
});
