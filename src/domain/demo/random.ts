import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

/** A seeded source of random draws; one per demo member, so members can be generated alone. */
export type Random = {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element, uniformly. The list must not be empty. */
  pick<T>(items: readonly T[]): T;
  /** One element, with probability proportional to `weightOf`. The list must not be empty. */
  weighted<T>(items: readonly T[], weightOf: (item: T) => number): T;
  /** One element of a prepared table; faster than `weighted` when the same weights are drawn from often. */
  fromTable<T>(table: WeightedTable<T>): T;
  /** Gamma with shape k and scale theta (mean k * theta). */
  gamma(shape: number, scale: number): number;
  /** Beta(a, b), in [0, 1]. */
  beta(a: number, b: number): number;
  /** Normal with mean mu and standard deviation sigma. */
  normal(mu: number, sigma: number): number;
  /** Lognormal whose logarithm has mean mu and standard deviation sigma (median e^mu). */
  logNormal(mu: number, sigma: number): number;
  /** Poisson count with mean lambda. */
  poisson(lambda: number): number;
  /** Exponential waiting time with the given rate (mean 1 / rate). */
  exponential(rate: number): number;
};

/** Items with their cumulative weights, prepared once for repeated draws. */
export type WeightedTable<T> = { readonly items: readonly T[]; readonly cumulative: readonly number[] };

/** Prepares a table for `Random.fromTable`. The list must not be empty. */
export function weightedTable<T>(items: readonly T[], weightOf: (item: T) => number): WeightedTable<T> {
  let total = 0;
  const cumulative = items.map((item) => {
    total += weightOf(item);
    return total;
  });
  return { items, cumulative };
}

// murmur3's finaliser: spreads neighbouring (seed, index) pairs over the whole 32-bit range, so
// member 1 and member 2 get unrelated streams rather than nearby generator states.
function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

const GOLDEN = 0x9e3779b9;

/** The 128-bit generator state for member `index` of program `seed`. Never all zero. */
function stateOf(seed: number, index: number): number[] {
  const base = mix32(mix32(seed) ^ Math.imul(index | 0, GOLDEN)) ^ mix32(Math.floor(index / 2 ** 32));
  const state = [
    mix32(base + GOLDEN),
    mix32(base + 2 * GOLDEN),
    mix32(base + 3 * GOLDEN),
    mix32(base + 4 * GOLDEN),
  ];
  return state.every((word) => word === 0) ? [1, 0, 0, 0] : state;
}

/** Above this mean a Poisson draw uses its normal approximation (error far below what a demo needs). */
const POISSON_NORMAL_ABOVE = 500;

// A class rather than an object of closures: one is made per member, millions of times, and the
// per-member cost dominated. The samplers are the textbook ones (Marsaglia polar for normals,
// Marsaglia-Tsang for gammas, inversion for Poisson); d3-random's equivalents build a chain of
// factories per source, which cost more than generating the member itself.
class SeededRandom implements Random {
  readonly #rng: JumpableRandomGenerator;
  #spareNormal: number | undefined;

  constructor(rng: JumpableRandomGenerator) {
    this.#rng = rng;
  }

  uniform(): number {
    return uniformFloat64(this.#rng);
  }

  between(min: number, max: number): number {
    return min + (max - min) * this.uniform();
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.uniform() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.uniform() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.uniform() * items.length)] as T;
  }

  weighted<T>(items: readonly T[], weightOf: (item: T) => number): T {
    let total = 0;
    for (const item of items) total += weightOf(item);
    let target = this.uniform() * total;
    for (const item of items) {
      target -= weightOf(item);
      if (target < 0) return item;
    }
    return items[items.length - 1] as T;
  }

  fromTable<T>({ items, cumulative }: WeightedTable<T>): T {
    const target = this.uniform() * (cumulative[cumulative.length - 1] ?? 0);
    let i = 0;
    while (i < cumulative.length - 1 && (cumulative[i] ?? 0) <= target) i++;
    return items[i] as T;
  }

  normal(mu: number, sigma: number): number {
    if (this.#spareNormal !== undefined) {
      const spare = this.#spareNormal;
      this.#spareNormal = undefined;
      return mu + sigma * spare;
    }
    let x: number;
    let y: number;
    let r: number;
    do {
      x = this.uniform() * 2 - 1;
      y = this.uniform() * 2 - 1;
      r = x * x + y * y;
    } while (r === 0 || r >= 1);
    const scale = Math.sqrt((-2 * Math.log(r)) / r);
    this.#spareNormal = x * scale;
    return mu + sigma * y * scale;
  }

  logNormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }

  gamma(shape: number, scale: number): number {
    if (shape <= 0) return 0;
    // Marsaglia & Tsang (2000); a shape below 1 is boosted by one and scaled back by U^(1/shape).
    const boost = shape < 1 ? (1 - this.uniform()) ** (1 / shape) : 1;
    const d = (shape < 1 ? shape + 1 : shape) - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal(0, 1);
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - this.uniform();
      if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
        return d * v * boost * scale;
      }
    }
  }

  beta(a: number, b: number): number {
    const x = this.gamma(a, 1);
    const y = this.gamma(b, 1);
    return x + y > 0 ? x / (x + y) : 0;
  }

  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda > POISSON_NORMAL_ABOVE) return Math.max(0, Math.round(this.normal(lambda, Math.sqrt(lambda))));
    // Counting unit-rate arrivals in [0, lambda]: exact, and O(lambda) like the events drawn next.
    let count = 0;
    let t = -Math.log1p(-this.uniform());
    while (t <= lambda) {
      count++;
      t -= Math.log1p(-this.uniform());
    }
    return count;
  }

  exponential(rate: number): number {
    return -Math.log1p(-this.uniform()) / rate;
  }
}

/** A Random for member `index` of program `seed`, on pure-rand's xoroshiro128+. */
export function createRandom(seed: number, index: number): Random {
  return new SeededRandom(xoroshiro128plusFromState(stateOf(seed, index)));
}
