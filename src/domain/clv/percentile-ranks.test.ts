import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { percentileRanks } from './percentile-ranks.ts';

describe('percentileRanks', () => {
  it('puts the lowest value at 0 and the highest at 100, in input order', () => {
    expect(percentileRanks([30, 10, 20])).toEqual([100, 0, 50]);
  });

  it('gives tied values the same, averaged percentile', () => {
    expect(percentileRanks([5, 1, 5, 9])).toEqual([50, 0, 50, 100]);
    expect(percentileRanks([7, 7, 7])).toEqual([50, 50, 50]);
  });

  it('handles an empty list and a single value', () => {
    expect(percentileRanks([])).toEqual([]);
    expect(percentileRanks([42])).toEqual([50]);
  });

  it('rejects NaN with its index', () => {
    expect(() => percentileRanks([1, Number.NaN])).toThrow('values[1]');
  });

  it('stays within 0-100 and preserves order', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true }), { minLength: 1, maxLength: 60 }), (values) => {
        const ranks = percentileRanks(values);
        for (let i = 0; i < values.length; i++) {
          expect(ranks[i]).toBeGreaterThanOrEqual(0);
          expect(ranks[i]).toBeLessThanOrEqual(100);
          for (let j = 0; j < values.length; j++) {
            if ((values[i] as number) < (values[j] as number))
              expect(ranks[i]).toBeLessThan(ranks[j] as number);
          }
        }
      }),
    );
  });
});
