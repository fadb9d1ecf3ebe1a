import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bgnbdObjective, fitBgNbdGroups } from './bgnbd.ts';
import {
  type CountData,
  countDataFromDays,
  countDataOf,
  groupByFrequency,
  historyPointsOf,
  thinCountData,
} from './frequency-groups.ts';
import { groupSpend, spendDataFromTotals, spendDataOf } from './gamma-gamma.ts';
import { type LogLikelihoodAndGradient, maximiseLogLikelihood } from './maximum-likelihood.ts';
import { fitParetoNbdGroups, paretoNbdObjective } from './pareto-nbd.ts';

/** Groups of a CountData as sorted "x|tx|T|count" strings, to compare two ways of building it. */
function groupsOf(data: CountData): string[] {
  return Array.from(data.x, (x, i) => `${x}|${data.tx[i]}|${data.T[i]}|${data.count[i]}`).sort();
}

const customerDays = fc.array(
  fc
    .record({
      x: fc.integer({ min: 0, max: 12 }),
      age: fc.integer({ min: 0, max: 60 }),
      f: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map(({ x, age, f }) => ({ x, age, tx: x === 0 ? 0 : Math.floor(f * age) })),
  { minLength: 1, maxLength: 300 },
);

describe('counting customers into weighted groups', () => {
  it('gives the same groups from whole days as from per-customer summaries', () => {
    fc.assert(
      fc.property(customerDays, fc.constantFrom(1, 7), (customers, unit) => {
        const fast = countDataFromDays(
          customers.map((c) => c.x),
          customers.map((c) => c.tx),
          customers.map((c) => c.age),
          unit,
        );
        const reference = countDataOf(
          groupByFrequency(customers.map((c) => ({ x: c.x, tx: c.tx / unit, T: c.age / unit }))),
        );
        expect(groupsOf(fast)).toEqual(groupsOf(reference));
        expect(fast.customers).toBe(customers.length);
        // Each group's time indices point at its own tx and T.
        fast.x.forEach((_, i) => {
          expect(fast.times[fast.tIndex[i] as number]).toBe(fast.T[i]);
          expect(fast.times[fast.txIndex[i] as number]).toBe(fast.tx[i]);
        });
      }),
    );
  });

  it('counts only the customers at the given indices', () => {
    const fast = countDataFromDays([0, 1, 1, 2], [0, 3, 3, 5], [9, 9, 9, 9], 1, [1, 2, 3]);
    expect(groupsOf(fast)).toEqual(['1|3|9|2', '2|5|9|1']);
  });

  it('rejects histories that are not whole days with 0 <= tx <= T', () => {
    expect(() => countDataFromDays([1], [5], [4], 7)).toThrow(RangeError);
    expect(() => countDataFromDays([1.5], [1], [4], 7)).toThrow(RangeError);
  });

  it('gives the same spend groups from totals as from per-customer means', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ x: fc.integer({ min: 0, max: 6 }), total: fc.constantFrom(0, 10, 12.5, 40, 99.99) }),
          {
            minLength: 1,
            maxLength: 200,
          },
        ),
        (customers) => {
          const fast = spendDataFromTotals(
            customers.map((c) => c.x),
            customers.map((c) => c.total),
          );
          const reference = spendDataOf(
            groupSpend(customers.map((c) => ({ x: c.x, zbar: c.x > 0 ? c.total / c.x : 0 }))),
          );
          const rows = (d: typeof fast) =>
            Array.from(d.x, (x, i) => `${x}|${(d.total[i] as number).toFixed(6)}|${d.count[i]}`).sort();
          expect(rows(fast)).toEqual(rows(reference));
          expect(fast.runCount).toEqual(reference.runCount);
          fast.runSumLogZbar.forEach((v, k) => {
            expect(v).toBeCloseTo(reference.runSumLogZbar[k] as number, 9);
          });
        },
      ),
    );
  });

  it('shares one point per distinct (x, t) among the groups that need it', () => {
    const data = countDataFromDays([0, 0, 2, 2, 2], [0, 0, 3, 5, 5], [7, 9, 7, 7, 5], 1);
    const points = historyPointsOf(data, (i) => (data.T[i] as number) > (data.tx[i] as number));
    // x = 0: T = 7, 9 and tx = 0; x = 2: T = 7, 5 and tx = 3 (the last group has T = tx: no tx point).
    expect(points.x.length).toBe(3 + 3);
    data.x.forEach((x, i) => {
      expect(points.x[points.atT[i] as number]).toBe(x);
      expect(points.time[points.atT[i] as number]).toBe(data.tIndex[i]);
      const tx = points.atTx[i] as number;
      if ((data.T[i] as number) > (data.tx[i] as number)) expect(points.time[tx]).toBe(data.txIndex[i]);
      else expect(tx).toBe(-1);
    });
  });
});

describe('fitting a large program (a preliminary fit on a subset, then Newton steps on all groups)', () => {
  // 150,000 simulated customers (Poisson purchases at one of a few rates until an exponential
  // lifetime ends, observed for up to two years) in over 50,000 distinct (x, tx, T) groups: above
  // the size at which the fit first fits every k-th group. The result must be the optimum of the
  // full likelihood itself.
  const n = 150_000;
  const x = new Int32Array(n);
  const tx = new Int32Array(n);
  const age = new Int32Array(n);
  let state = 12345;
  const random = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const exponential = (rate: number) => -Math.log(1 - random()) / rate;
  for (let i = 0; i < n; i++) {
    const ageDays = Math.floor(random() * 730);
    const rate = [0.05, 0.2, 0.6][Math.floor(random() * 3)] as number; // purchases a week
    const lifetime = exponential([0.01, 0.05][Math.floor(random() * 2)] as number) * 7; // days
    let day = 0;
    let last = 0;
    let purchases = 0;
    for (;;) {
      day += exponential(rate) * 7;
      if (day > Math.min(ageDays, lifetime)) break;
      const whole = Math.floor(day);
      if (whole > last) purchases += 1;
      last = whole;
    }
    age[i] = ageDays;
    x[i] = purchases;
    tx[i] = purchases === 0 ? 0 : last;
  }
  const data = countDataFromDays(x, tx, age, 7);

  it('has enough groups to take the preliminary-fit path', () => {
    expect(data.x.length).toBeGreaterThan(50_000);
  });

  for (const [name, fitGroups, objectiveOf] of [
    ['BG/NBD', fitBgNbdGroups, bgnbdObjective],
    ['Pareto/NBD', fitParetoNbdGroups, paretoNbdObjective],
  ] as const) {
    it(`reaches the same optimum as a search on all groups from the start (${name})`, () => {
      const fitted = fitGroups(data, { standardErrors: false });
      expect(fitted.converged).toBe(true);
      expect(fitted.n).toBe(n);
      const objective = objectiveOf(data) as unknown as (
        p: Record<string, number>,
      ) => LogLikelihoodAndGradient;
      const names = Object.keys(fitted.params);
      const direct = maximiseLogLikelihood(
        (p) => objective(Object.fromEntries(names.map((k, i) => [k, p[i] as number]))),
        names.map(() => 1),
        { weight: n, standardErrors: false },
      );
      expect(direct.converged).toBe(true);
      expect(fitted.logLikelihood).toBeCloseTo(direct.logLikelihood, 4);
      names.forEach((k, i) => {
        expect(fitted.params[k as keyof typeof fitted.params]).toBeCloseTo(direct.params[i] as number, 4);
      });
    });
  }

  it('keeps every k-th group with its count when thinning', () => {
    const thin = thinCountData(data, 10);
    expect(thin.x.length).toBe(Math.ceil(data.x.length / 10));
    expect(thin.count[1]).toBe(data.count[10]);
    expect(thin.customers).toBe(Array.from(thin.count).reduce((a, b) => a + b, 0));
  });
});
