import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { describe, expect, it } from 'vitest';
import { MemberRecord, PurchaseRecord } from '../../contracts/records.ts';
import { decimalToUnits } from '../../contracts/scalars.ts';
import { onlineRetailItems } from './online-retail.ts';
import type { PresetTally } from './preset-item.ts';

const FILE = resolve(process.cwd(), '../shared/data/online-retail/online_retail.csv.gz');

/** What a plain pass over the rows finds, without the transform's rules. */
interface Expected {
  customers: Set<string>;
  orders: Set<string>;
  refunds: Set<string>;
  withoutCustomer: number;
  /** Sum of Quantity x UnitPrice over every row, in 1/10,000ths. */
  allRows: bigint;
  /** The same over rows with a CustomerID (cancellations count negative). */
  withCustomer: bigint;
  /** Invoices with a CustomerID -> their first InvoiceDate, and those with a second one. */
  firstDate: Map<string, string>;
  manyDates: Set<string>;
  /** Sum over rows with a CustomerID of 5-digit-code lines in non-C invoices. */
  merchandise: bigint;
}

/** The file's rows as csv-parse gives them, counted into `expected` on the way through. */
async function* rowsOf(path: string, expected: Expected): AsyncGenerator<{ line: number; fields: string[] }> {
  const parser = createReadStream(path)
    .pipe(createGunzip())
    .pipe(parse({ relax_quotes: false, info: true }));
  for await (const { record, info } of parser as AsyncIterable<{
    record: string[];
    info: { lines: number };
  }>) {
    yield { line: info.lines, fields: record };
    if (info.lines === 1) continue;
    const [invoice = '', code = '', , quantity = '', date = '', price = '', customer = ''] = record;
    const value = BigInt(quantity) * decimalToUnits(price);
    expected.allRows += value;
    if (customer === '') {
      expected.withoutCustomer += 1;
      continue;
    }
    expected.withCustomer += value;
    if (!expected.firstDate.has(invoice)) expected.firstDate.set(invoice, date);
    if (expected.firstDate.get(invoice) !== date) expected.manyDates.add(invoice);
    expected.customers.add(String(Number.parseInt(customer, 10)));
    if (invoice.startsWith('C')) expected.refunds.add(invoice);
    else expected.orders.add(invoice);
    if (!invoice.startsWith('C') && /^\d{5}[A-Za-z]*$/.test(code)) expected.merchandise += value;
  }
}

describe('onlineRetailItems on the real file', () => {
  it('imports every customer, invoice and merchandise pound of online_retail.csv.gz', async () => {
    const expected: Expected = {
      customers: new Set(),
      orders: new Set(),
      refunds: new Set(),
      withoutCustomer: 0,
      allRows: 0n,
      withCustomer: 0n,
      firstDate: new Map(),
      manyDates: new Set(),
      merchandise: 0n,
    };
    const tally: PresetTally = new Map();
    let members = 0;
    const ids = new Set<string>();
    const problems: unknown[] = [];
    const invalid: string[] = [];
    let orderTotal = 0n;
    let refundTotal = 0n;
    let merchandise = 0n;
    const joined = new Set<string>();

    for await (const item of onlineRetailItems(rowsOf(FILE, expected), tally)) {
      if (item.kind === 'problem') {
        problems.push(item);
        continue;
      }
      if (item.kind === 'members') {
        members += 1;
        joined.add(item.record.id);
        if (!MemberRecord.safeParse(item.record).success) invalid.push(item.record.id);
        continue;
      }
      const purchase = item.record;
      expect(joined.has(purchase.memberId)).toBe(true);
      ids.add(purchase.id);
      if (!PurchaseRecord.safeParse(purchase).success) invalid.push(purchase.id);
      const amount = decimalToUnits(purchase.amount ?? '0');
      if (purchase.kind === 'refund') refundTotal += amount;
      else orderTotal += amount;
      for (const line of purchase.items ?? []) {
        if (line.merchandise && purchase.kind === 'order') {
          merchandise += BigInt(line.quantity) * decimalToUnits(line.unitPrice);
        }
      }
    }
    console.info('Online Retail tally', Object.fromEntries(tally));

    expect(problems).toEqual([]);
    expect(invalid).toEqual([]);
    // README: 541,909 rows, 4,372 customer ids, 135,080 rows without one, sum 9,747,747.93.
    expect(tally.get('rows read')).toBe(541_909);
    // The README rounds it to 2 decimals; the four 0.001 prices make the exact sum 9,747,747.9340.
    expect(expected.allRows).toBe(97_477_479_340n);
    expect(expected.customers.size).toBe(4_372);
    expect(members).toBe(4_372);
    expect(expected.withoutCustomer).toBe(135_080);
    expect(tally.get('rows without CustomerID (skipped)')).toBe(135_080);
    expect(tally.get('rows imported (invoice lines)')).toBe(541_909 - 135_080);
    expect([expected.orders.size, expected.refunds.size]).toEqual([18_536, 3_654]);
    expect(tally.get('orders')).toBe(expected.orders.size);
    expect(tally.get('refunds (C invoices)')).toBe(expected.refunds.size);
    expect(ids.size).toBe(18_536 + 3_654);
    expect(tally.get('invoices with more than one InvoiceDate (the earliest is used)')).toBe(
      expected.manyDates.size,
    );
    // 43 in the whole file (README); the other 12 have no CustomerID.
    expect(expected.manyDates.size).toBe(31);
    expect(merchandise).toBe(expected.merchandise);
    expect(merchandise).toBe(87_610_666_500n);
    // Everything with a CustomerID is imported, so orders minus refunds is the rows' signed sum.
    expect(orderTotal - refundTotal).toBe(expected.withCustomer);
  });
});
