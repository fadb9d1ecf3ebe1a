import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { MemberRecord, PurchaseRecord } from '../../contracts/records.ts';
import { decimalToUnits } from '../../contracts/scalars.ts';
import { cdnowItems } from './cdnow.ts';
import type { PresetItem, PresetTally } from './preset-item.ts';

const DATA = resolve(process.cwd(), '../shared/data/cdnow');
const MASTER = resolve(DATA, 'CDNOW_master.txt');
const SAMPLE = resolve(DATA, 'CDNOW_sample.txt');

async function* linesOf(lines: readonly string[]): AsyncGenerator<string> {
  yield* lines;
}

async function run(lines: AsyncIterable<string>): Promise<{ items: PresetItem[]; tally: PresetTally }> {
  const tally: PresetTally = new Map();
  const items: PresetItem[] = [];
  for await (const item of cdnowItems(lines, tally)) items.push(item);
  return { items, tally };
}

const purchases = (items: PresetItem[]) => items.flatMap((i) => (i.kind === 'purchases' ? [i.record] : []));
const members = (items: PresetItem[]) => items.flatMap((i) => (i.kind === 'members' ? [i.record] : []));
const problems = (items: PresetItem[]) => items.flatMap((i) => (i.kind === 'problem' ? [i] : []));

describe('cdnowItems', () => {
  it('reads the master layout: header, CRLF, leading spaces, blank lines', async () => {
    const { items, tally } = await run(
      linesOf([
        ' customer_id  date number_of_cds  dollar_value\r',
        ' 00001 19970101  1   11.77\r',
        '',
        ' 00002 19970112  1   12.00\r',
        ' 00002 19970112  5   77.00\r',
        ' 00002 19970202  0    0.00\r',
      ]),
    );
    expect(items).toEqual([
      { kind: 'members', line: 2, record: { id: '00001', joinedAt: '1997-01-01T00:00:00.000Z' } },
      {
        kind: 'purchases',
        line: 2,
        record: {
          id: '00001-19970101-1',
          memberId: '00001',
          occurredAt: '1997-01-01T00:00:00.000Z',
          kind: 'order',
          amount: '11.7700',
          currency: 'USD',
        },
      },
      { kind: 'members', line: 4, record: { id: '00002', joinedAt: '1997-01-12T00:00:00.000Z' } },
      expect.objectContaining({ line: 4, record: expect.objectContaining({ id: '00002-19970112-1' }) }),
      expect.objectContaining({
        line: 5,
        record: expect.objectContaining({ id: '00002-19970112-2', amount: '77.0000' }),
      }),
      expect.objectContaining({
        line: 6,
        record: expect.objectContaining({ id: '00002-19970202-1', amount: '0.0000' }),
      }),
    ]);
    expect(Object.fromEntries(tally)).toMatchObject({
      'header lines (skipped)': 1,
      'blank lines (skipped)': 1,
      'lines read': 4,
      members: 2,
      purchases: 4,
      'purchases on a customer-day already seen (k > 1)': 1,
      'purchases with 0 CDs (imported)': 1,
      'purchases of $0.00 (imported)': 1,
      'CDs (validated, not stored)': 7,
    });
  });

  it('reads the sample layout by its master id and gives the same purchase ids as the master', async () => {
    const { items, tally } = await run(
      linesOf([' 00004 0001 19970101  2   29.33\r', ' 00004 0001 19970118  2   29.73\r']),
    );
    expect(members(items)).toEqual([{ id: '00004', joinedAt: '1997-01-01T00:00:00.000Z' }]);
    expect(purchases(items).map((p) => p.id)).toEqual(['00004-19970101-1', '00004-19970118-1']);
    expect(tally.get('layout: sample (5 columns)')).toBe(1);
  });

  it('joins a member at its earliest day even when its lines are out of date order', async () => {
    const { items } = await run(linesOf([' 00007 19970305 1 1.00', ' 00007 19970301 1 2.00']));
    expect(items[0]).toEqual({
      kind: 'members',
      line: 1,
      record: { id: '00007', joinedAt: '1997-03-01T00:00:00.000Z' },
    });
  });

  it('yields each member once, before its first purchase, when its lines are split', async () => {
    const { items, tally } = await run(
      linesOf([' 00001 19970101 1 1.00', ' 00002 19970101 1 1.00', ' 00001 19970101 1 3.00']),
    );
    expect(items.map((i) => (i.kind === 'problem' ? 'problem' : `${i.kind}:${i.record.id}`))).toEqual([
      'members:00001',
      'purchases:00001-19970101-1',
      'members:00002',
      'purchases:00002-19970101-1',
      'purchases:00001-19970101-2',
    ]);
    expect(tally.get('customers whose lines are not contiguous')).toBe(1);
  });

  it('reports a malformed line with its line number and column, and imports the rest', async () => {
    const { items, tally } = await run(
      linesOf([
        ' customer_id  date number_of_cds  dollar_value',
        ' 0000x 19970101 1 1.00',
        ' 00001 19970230 1 1.00',
        ' 00001 19970101 1.5 1.00',
        ' 00001 19970101 1 -1.00',
        ' 00001 19970101 1 1.00001',
        ' 00001 19970101 1',
        ' 00001 19970101 1 1.00 9',
        ' 00001 19970101 1 1.00',
      ]),
    );
    expect(problems(items).map(({ line, column }) => [line, column])).toEqual([
      [2, 'customer_id'],
      [3, 'date'],
      [4, 'number_of_cds'],
      [5, 'dollar_value'],
      [6, 'dollar_value'],
      [7, 'dollar_value'],
      [8, 'dollar_value'],
    ]);
    expect(purchases(items)).toHaveLength(1);
    expect(tally.get('lines with a problem (not imported)')).toBe(7);
  });

  it('emits records that the contracts accept unchanged', async () => {
    const { items } = await run(linesOf([' 00001 19970101  0   0.00', ' 00001 19970102  3   36.99']));
    for (const member of members(items)) expect(MemberRecord.parse(member)).toEqual(member);
    for (const purchase of purchases(items)) expect(PurchaseRecord.parse(purchase)).toEqual(purchase);
  });
});

describe('cdnowItems on the real files', () => {
  const fileLines = (path: string) =>
    createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });

  it('imports all 23,570 members and 69,659 purchases of CDNOW_master.txt', async () => {
    const { items, tally } = await run(fileLines(MASTER));
    const bought = purchases(items);
    expect(problems(items)).toEqual([]);
    expect(members(items)).toHaveLength(23_570);
    expect(bought).toHaveLength(69_659);
    expect(new Set(bought.map((p) => p.id)).size).toBe(69_659);
    // README totals: $2,500,315.63, 167,881 CDs, 80 zero-dollar rows, 67,591 distinct customer-days.
    expect(bought.reduce((sum, p) => sum + decimalToUnits(p.amount ?? '0'), 0n)).toBe(25_003_156_300n);
    expect(tally.get('CDs (validated, not stored)')).toBe(167_881);
    expect(tally.get('purchases of $0.00 (imported)')).toBe(80);
    expect(tally.get('purchases on a customer-day already seen (k > 1)')).toBe(69_659 - 67_591);
    const joined = members(items).map((m) => m.joinedAt ?? '');
    expect(joined.every((at) => at >= '1997-01-01' && at < '1997-03-26')).toBe(true);
    console.info('CDNOW master tally', Object.fromEntries(tally));
  });

  it('gives each CDNOW_sample.txt purchase the id, date and amount of the same master purchase', async () => {
    const master = new Map(purchases((await run(fileLines(MASTER))).items).map((p) => [p.id, p]));
    const { items, tally } = await run(fileLines(SAMPLE));
    const sample = purchases(items);
    expect(members(items)).toHaveLength(2_357);
    expect(sample).toHaveLength(6_919);
    expect(sample.filter((p) => JSON.stringify(master.get(p.id)) !== JSON.stringify(p))).toEqual([]);
    expect(tally.get('purchases on a customer-day already seen (k > 1)')).toBe(6_919 - 6_696);
    console.info('CDNOW sample tally', Object.fromEntries(tally));
  });
});
