import { describe, expect, it } from 'vitest';
import { MemberRecord, PurchaseRecord } from '../../contracts/records.ts';
import { type OnlineRetailOptions, onlineRetailItems } from './online-retail.ts';
import type { PresetItem, PresetTally } from './preset-item.ts';

const HEADER = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country';

/** Rows as csv-parse would give them; none of these fields needs quoting. */
async function* csv(lines: readonly string[]): AsyncGenerator<{ line: number; fields: string[] }> {
  for (const [index, text] of lines.entries()) yield { line: index + 1, fields: text.split(',') };
}

async function run(lines: readonly string[], options: OnlineRetailOptions = {}) {
  const tally: PresetTally = new Map();
  const items: PresetItem[] = [];
  for await (const item of onlineRetailItems(csv([HEADER, ...lines]), tally, options)) items.push(item);
  // Labels reported at 0 are left out, so each test names only what it expects.
  return { items, tally: Object.fromEntries([...tally].filter(([, count]) => count > 0)) };
}

const purchases = (items: PresetItem[]) => items.flatMap((i) => (i.kind === 'purchases' ? [i.record] : []));
const members = (items: PresetItem[]) => items.flatMap((i) => (i.kind === 'members' ? [i.record] : []));
const problems = (items: PresetItem[]) =>
  items.flatMap((i) => (i.kind === 'problem' ? [[i.line, i.column] as const] : []));

describe('onlineRetailItems', () => {
  it('turns an invoice into its member and one order with exact items and amount', async () => {
    const { items, tally } = await run([
      '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER ,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom',
      '536365,PADS,PADS TO MATCH ALL CUSHIONS,3,2010-12-01 08:26:00,0.001,17850.0,United Kingdom',
      '536365,22000,,1,2010-12-01 08:26:00,0,17850.0,United Kingdom',
    ]);
    expect(items).toEqual([
      {
        kind: 'members',
        line: 2,
        record: { id: '17850', joinedAt: '2010-12-01T08:26:00.000Z', region: 'United Kingdom' },
      },
      {
        kind: 'purchases',
        line: 2,
        record: {
          id: '536365',
          memberId: '17850',
          occurredAt: '2010-12-01T08:26:00.000Z',
          kind: 'order',
          amount: '15.3030',
          currency: 'GBP',
          items: [
            {
              sku: '85123A',
              description: 'WHITE HANGING HEART T-LIGHT HOLDER ',
              quantity: 6,
              unitPrice: '2.5500',
              merchandise: true,
            },
            {
              sku: 'PADS',
              description: 'PADS TO MATCH ALL CUSHIONS',
              quantity: 3,
              unitPrice: '0.0010',
              merchandise: false,
            },
            { sku: '22000', quantity: 1, unitPrice: '0.0000', merchandise: true },
          ],
        },
      },
    ]);
    expect(tally).toMatchObject({
      'rows read': 3,
      members: 1,
      orders: 1,
      'non-merchandise lines: PADS': 1,
      'lines with UnitPrice 0 (kept)': 1,
    });
  });

  it('turns a C invoice into a refund with positive quantities and amount', async () => {
    const { items, tally } = await run([
      'C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,14527.0,United Kingdom',
      'C536379,22556,PLASTERS,-12,2010-12-01 09:41:00,1.65,14527.0,United Kingdom',
    ]);
    expect(purchases(items)).toEqual([
      expect.objectContaining({
        id: 'C536379',
        kind: 'refund',
        amount: '47.3000',
        items: [
          { sku: 'D', description: 'Discount', quantity: 1, unitPrice: '27.5000', merchandise: false },
          { sku: '22556', description: 'PLASTERS', quantity: 12, unitPrice: '1.6500', merchandise: true },
        ],
      }),
    ]);
    expect(tally['refunds (C invoices)']).toBe(1);
  });

  it('classes stock codes: 5 digits with a suffix and DCGS goods are merchandise, the rest not', async () => {
    const codes = [
      '85123A',
      '10080',
      'DCGSSGIRL',
      'POST',
      'DOT',
      'M',
      'm',
      'C2',
      'BANK CHARGES',
      'gift_0001_20',
    ];
    const rows = codes.map((code) => `536400,${code},x,1,2010-12-01 10:00:00,1,12347.0,Iceland`);
    const [purchase] = purchases((await run(rows)).items);
    expect(purchase?.items?.map((item) => [item.sku, item.merchandise])).toEqual(
      codes.map((code, i) => [code, i < 3]),
    );
  });

  it('counts and skips rows without CustomerID, naming the odd ones among them', async () => {
    const { items, tally } = await run([
      '536414,22139,,56,2010-12-01 11:52:00,0,,United Kingdom',
      '536415,22140,damaged,-4,2010-12-01 11:53:00,0,,United Kingdom',
      'A563186,B,Adjust bad debt,1,2011-08-12 14:51:00,-11062.06,,United Kingdom',
      'A563187,B,Adjust bad debt,1,2011-08-12 14:52:00,11062.06,12347.0,United Kingdom',
    ]);
    expect(items).toEqual([]);
    expect(tally).toEqual({
      'rows read': 4,
      'rows without CustomerID (skipped)': 3,
      'of which negative Quantity outside C invoices': 1,
      'of which A (bad-debt adjustment) rows': 1,
      'of which negative UnitPrice': 1,
      'A (bad-debt adjustment) rows with a CustomerID (skipped)': 1,
    });
  });

  it('leaves out a whole invoice whose row contradicts it, with a problem naming line and column', async () => {
    const { items, tally } = await run([
      '536500,22000,a,2,2010-12-01 12:00:00,1,12347.0,Iceland',
      '536500,22001,b,-2,2010-12-01 12:00:00,1,12347.0,Iceland',
      'C536501,22000,a,2,2010-12-01 12:00:00,1,12347.0,Iceland',
      '536502,22000,a,2,2010-12-01 12:00:00,-1,12347.0,Iceland',
      '536503,22000,a,0,2010-12-01 12:00:00,1,12347.0,Iceland',
      '536504,22000,a,2,2010-12-01 12:00:00,1,12347.0,Iceland',
      '536504,22000,a,2,2010-12-01 12:00:00,1,12348.0,Iceland',
      '536505,22000,a,two,2010-12-01 12:00:00,1,12347.0,Iceland',
      '536506,22000,a,1,2010-12-01 12:00:00,1.00001,12347.0,Iceland',
      '536507,22000,a,1,01/12/2010 12:00,1,12347.0,Iceland',
      '536508,22000,a,1,2010-12-01 12:00:00,1,12347.0',
      'X536509,22000,a,1,2010-12-01 12:00:00,1,12347.0,Iceland',
      '536510,22000,a,1,2010-12-01 12:00:00,1,12347.0,Iceland',
    ]);
    expect(problems(items)).toEqual([
      [3, 'Quantity'],
      [4, 'Quantity'],
      [5, 'UnitPrice'],
      [6, 'Quantity'],
      [8, 'CustomerID'],
      [9, 'Quantity'],
      [10, 'UnitPrice'],
      [11, 'InvoiceDate'],
      [12, 'Country'],
      [13, 'InvoiceNo'],
    ]);
    expect(purchases(items).map((p) => p.id)).toEqual(['536510']);
    expect(tally).toMatchObject({
      'rows with a negative Quantity in an order (their invoice is not imported)': 1,
      'rows with a positive Quantity in a C invoice (their invoice is not imported)': 1,
      'rows with a negative UnitPrice (their invoice is not imported)': 1,
      'rows with Quantity 0 (their invoice is not imported)': 1,
      'rows with another CustomerID than their invoice (their invoice is not imported)': 1,
      'rows that cannot be read (their invoice is not imported)': 5,
      'invoices not imported (a row had a problem)': 9,
    });
  });

  it('dates an invoice with several timestamps at its earliest and counts it', async () => {
    const { items, tally } = await run([
      '536600,22000,a,1,2010-12-01 12:01:00,1,12347.0,Iceland',
      '536600,22001,b,1,2010-12-01 12:00:00,1,12347.0,Iceland',
    ]);
    expect(purchases(items)[0]?.occurredAt).toBe('2010-12-01T12:00:00.000Z');
    expect(members(items)[0]?.joinedAt).toBe('2010-12-01T12:00:00.000Z');
    expect(tally['invoices with more than one InvoiceDate (the earliest is used)']).toBe(1);
  });

  it('gathers the rows of an invoice interrupted by another one within the window', async () => {
    const { items } = await run([
      '542806,48194,a,1,2011-02-01 11:19:00,7.95,12836.0,United Kingdom',
      '542807,22000,b,1,2011-02-01 11:19:00,1,12837.0,United Kingdom',
      '542806,22692,c,2,2011-02-01 11:20:00,7.95,12836.0,United Kingdom',
    ]);
    expect(purchases(items).map((p) => [p.id, p.items?.length, p.amount])).toEqual([
      ['542807', 1, '1.0000'],
      ['542806', 2, '23.8500'],
    ]);
  });

  it('reports rows of an invoice that come back after it was closed, and imports it only once', async () => {
    const { items, tally } = await run(
      [
        '542806,48194,a,1,2011-02-01 11:19:00,7.95,12836.0,United Kingdom',
        '542807,22000,b,1,2011-02-01 11:19:00,1,12837.0,United Kingdom',
        '542808,22000,b,1,2011-02-01 11:19:00,1,12837.0,United Kingdom',
        '542806,22692,c,2,2011-02-01 11:20:00,7.95,12836.0,United Kingdom',
      ],
      { flushWindowRows: 2 },
    );
    expect(purchases(items).map((p) => [p.id, p.amount])).toEqual([
      ['542806', '7.9500'],
      ['542807', '1.0000'],
      ['542808', '1.0000'],
    ]);
    expect(problems(items)).toEqual([[5, 'InvoiceNo']]);
    expect(tally['rows of an invoice already closed (not imported)']).toBe(1);
  });

  it('joins a member at its earliest open invoice even when a later one closes first', async () => {
    const { items } = await run(
      [
        '540001,22000,a,1,2011-01-04 08:00:00,1,12350.0,Norway',
        '540002,22000,a,1,2011-01-04 08:05:00,1,12350.0,Norway',
        '540003,22000,a,1,2011-01-04 08:06:00,1,12351.0,Norway',
        '540001,22001,a,1,2011-01-04 08:00:00,1,12350.0,Norway',
        '540004,22000,a,1,2011-01-04 08:07:00,1,12352.0,Norway',
      ],
      { flushWindowRows: 3 },
    );
    expect(items.slice(0, 2)).toEqual([
      expect.objectContaining({
        kind: 'members',
        record: expect.objectContaining({ joinedAt: '2011-01-04T08:00:00.000Z' }),
      }),
      expect.objectContaining({ kind: 'purchases', record: expect.objectContaining({ id: '540002' }) }),
    ]);
  });

  it('leaves "Unspecified" out of the region and counts customers seen in two countries', async () => {
    const { items, tally } = await run([
      '540001,22000,a,1,2011-01-04 08:00:00,1,12350.0,Unspecified',
      '540002,22000,a,1,2011-01-04 08:05:00,1,12350.0,Norway',
    ]);
    expect(members(items)).toEqual([{ id: '12350', joinedAt: '2011-01-04T08:00:00.000Z' }]);
    expect(tally['customers with more than one Country (the first is their region)']).toBe(1);
  });

  it('rejects a file whose header is not the Online Retail header', async () => {
    const tally: PresetTally = new Map();
    const items: PresetItem[] = [];
    const rows = csv(['Invoice,StockCode', '536365,85123A']);
    for await (const item of onlineRetailItems(rows, tally)) items.push(item);
    expect(items).toEqual([expect.objectContaining({ kind: 'problem', line: 1, column: 'header' })]);
  });

  it('emits records that the contracts accept unchanged', async () => {
    const { items } = await run([
      '536365,85123A,WHITE HANGING HEART ,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom',
      'C536366,POST,POSTAGE,-1,2010-12-01 08:27:00,18,17850.0,United Kingdom',
    ]);
    for (const member of members(items)) expect(MemberRecord.parse(member)).toEqual(member);
    for (const purchase of purchases(items)) expect(PurchaseRecord.parse(purchase)).toEqual(purchase);
  });
});
