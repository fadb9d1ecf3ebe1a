import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoUtc } from './iso-time.ts';

describe('isoUtc', () => {
  it('formats like Date#toISOString', () => {
    const latest = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: latest }), (ms) => {
        expect(isoUtc(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2000 },
    );
  });
});
