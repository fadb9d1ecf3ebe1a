import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quintileScore, rfmScores } from './rfm-scores.ts';

describe('rfmScores', () => {
  it('scores ten distinct values two to a quintile', () => {
    expect(rfmScores([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'higher_is_better')).toEqual([
      1, 1, 2, 2, 3, 3, 4, 4, 5, 5,
    ]);
  });

  it('gives the most recent buyers R 5 when fewer days is better', () => {
    expect(rfmScores([1, 400, 30, 90, 200], 'lower_is_better')).toEqual([5, 1, 4, 3, 2]);
  });

  it('never splits a tie: tied values share the score of the lowest-placed of them', () => {
    expect(rfmScores([1, 1, 1, 1, 1, 1, 2, 3, 4, 5], 'higher_is_better')).toEqual([
      1, 1, 1, 1, 1, 1, 4, 4, 5, 5,
    ]);
  });

  it('keeps null for members without a value and leaves them out of the distribution', () => {
    expect(rfmScores([null, 10, 20, null, 30, 40, 50], 'higher_is_better')).toEqual([
      null,
      1,
      2,
      null,
      3,
      4,
      5,
    ]);
  });

  it('rejects NaN with its index', () => {
    expect(() => rfmScores([1, Number.NaN], 'higher_is_better')).toThrow('values[1]');
  });

  it('stays within 1-5, is monotone in the value, and matches scoring one member against the list', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 80 }),
        fc.constantFrom('higher_is_better' as const, 'lower_is_better' as const),
        (values, direction) => {
          const scores = rfmScores(values, direction) as number[];
          const sorted = [...values].sort((a, b) => a - b);
          values.forEach((v, i) => {
            const s = scores[i] as number;
            expect(s).toBeGreaterThanOrEqual(1);
            expect(s).toBeLessThanOrEqual(5);
            expect(quintileScore(v, sorted, direction)).toBe(s);
            values.forEach((w, j) => {
              const better = direction === 'higher_is_better' ? v > w : v < w;
              if (better) expect(s).toBeGreaterThanOrEqual(scores[j] as number);
            });
          });
        },
      ),
    );
  });

  it('gives the best value 5 and the worst 1 when all are distinct', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer(), { minLength: 5, maxLength: 60 }), (values) => {
        const scores = rfmScores(values, 'higher_is_better');
        expect(scores[values.indexOf(Math.max(...values))]).toBe(5);
        expect(scores[values.indexOf(Math.min(...values))]).toBe(1);
      }),
    );
  });
});
