import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CDNOW_CALIBRATION_END,
  CDNOW_HOLDOUT_END,
  parseCdnowSample,
  parsePublishedSummary,
} from './cdnow-fixture.ts';
import { holdoutLength, summarizeTransactions } from './summaries.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/cdnow/${name}`, import.meta.url), 'utf8');

describe('summarizeTransactions on the CDNOW sample', () => {
  const transactions = parseCdnowSample(fixture('CDNOW_sample.txt'));
  const summaries = summarizeTransactions(transactions, {
    calibrationEnd: CDNOW_CALIBRATION_END,
    holdoutEnd: CDNOW_HOLDOUT_END,
    timeUnit: 'week',
  });

  it('reproduces every row of cdnow_customers_summary_with_transactions.csv to 2 decimals', () => {
    const published = parsePublishedSummary(fixture('cdnow_customers_summary_with_transactions.csv'));
    expect(published).toHaveLength(2357);
    expect(summaries).toHaveLength(2357);
    const byId = new Map(summaries.map((s) => [s.memberId, s]));
    const mismatches = published.filter((row) => {
      const s = byId.get(row.id);
      return (
        s === undefined ||
        s.x !== row.x ||
        s.tx.toFixed(2) !== row.tx.toFixed(2) ||
        s.T.toFixed(2) !== row.T.toFixed(2) ||
        Math.abs(s.zbar - row.zbar) > 0.005 + 1e-9
      );
    });
    expect(mismatches).toEqual([]);
  });

  it('counts the 2,457 calibration and 1,882 holdout repeat purchase days the README states', () => {
    expect(summaries.reduce((sum, s) => sum + s.x, 0)).toBe(2457);
    expect(summaries.filter((s) => s.x === 0)).toHaveLength(1411);
    expect(summaries.reduce((sum, s) => sum + (s.holdoutX ?? 0), 0)).toBe(1882);
  });

  it('gives customer 1 a T of 272 days / 7', () => {
    expect(summaries[0]?.T).toBeCloseTo(272 / 7, 12);
  });

  it('measures a 39-week holdout', () => {
    expect(
      holdoutLength({
        calibrationEnd: CDNOW_CALIBRATION_END,
        holdoutEnd: CDNOW_HOLDOUT_END,
        timeUnit: 'week',
      }),
    ).toBe(39);
  });
});

describe('summarizeTransactions edge cases', () => {
  const day = (d: number) => Date.UTC(2024, 0, d);
  const options = { calibrationEnd: day(31), timeUnit: 'day' as const };

  it('merges purchases on the same day into one transaction with the amounts summed', () => {
    const [s] = summarizeTransactions(
      [
        { memberId: 'm', at: day(1), amount: 10 },
        { memberId: 'm', at: new Date(day(5) + 3_600_000), amount: 4 },
        { memberId: 'm', at: day(5) + 20 * 3_600_000, amount: 6 },
      ],
      options,
    );
    expect(s).toEqual({ memberId: 'm', x: 1, tx: 4, T: 30, zbar: 10 });
  });

  it('excludes the first purchase from zbar and gives a one-time buyer x = 0 and zbar = 0', () => {
    const [s] = summarizeTransactions([{ memberId: 'a', at: day(3), amount: 99 }], options);
    expect(s).toEqual({ memberId: 'a', x: 0, tx: 0, T: 28, zbar: 0 });
  });

  it('counts the calibration end day as calibration and later days only as holdout', () => {
    const [s] = summarizeTransactions(
      [
        { memberId: 'a', at: day(1), amount: 1 },
        { memberId: 'a', at: day(31) + 86_399_000, amount: 2 },
        { memberId: 'a', at: day(32), amount: 3 },
        { memberId: 'a', at: day(40), amount: 3 },
        { memberId: 'a', at: day(41), amount: 3 },
      ],
      { ...options, holdoutEnd: day(40) },
    );
    expect(s).toMatchObject({ x: 1, tx: 30, T: 30, zbar: 2, holdoutX: 2 });
  });

  it('leaves out members whose first purchase is after the calibration end', () => {
    const result = summarizeTransactions([{ memberId: 'late', at: day(40), amount: 5 }], options);
    expect(result).toEqual([]);
  });

  it('ignores purchases before the observation start', () => {
    const [s] = summarizeTransactions(
      [
        { memberId: 'a', at: day(1), amount: 5 },
        { memberId: 'a', at: day(11), amount: 7 },
        { memberId: 'a', at: day(21), amount: 9 },
      ],
      { ...options, observationStart: day(10) },
    );
    expect(s).toEqual({ memberId: 'a', x: 1, tx: 10, T: 20, zbar: 9 });
  });

  it('returns nothing for no transactions', () => {
    expect(summarizeTransactions([], options)).toEqual([]);
  });

  it('names the index of a malformed transaction', () => {
    expect(() =>
      summarizeTransactions(
        [
          { memberId: 'a', at: day(1), amount: 5 },
          { memberId: 'a', at: day(2), amount: Number.NaN },
        ],
        options,
      ),
    ).toThrow('transactions[1].amount');
    expect(() =>
      summarizeTransactions([{ memberId: 'a', at: new Date('nope'), amount: 1 }], options),
    ).toThrow('transactions[0].at');
  });

  it('rejects a holdout end before the calibration end', () => {
    expect(() => summarizeTransactions([], { ...options, holdoutEnd: day(2) })).toThrow('holdoutEnd');
  });
});
