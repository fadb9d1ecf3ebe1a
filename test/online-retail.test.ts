import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportSummary } from '../src/contracts/import-summary.ts';
import type { MemberTotals } from '../src/contracts/member-view.ts';
import { type Deps, silentLog } from '../src/services/deps.ts';
import { importPreset } from '../src/services/import-preset.ts';
import { refreshSegments } from '../src/services/segments/refresh-segments.ts';
import { showMember } from '../src/services/show-member.ts';
import { freshProgramId, openTestDatabase } from './fixtures/database.ts';

// Imports the two published datasets through their presets and checks the summary and members
// against figures this file computes on its own: the gzip is read with node:zlib, the CSV split by
// the small RFC 4180 reader below, and money summed as BigInt ten-thousandths, sharing no code
// with the preset.

const DATA = resolve(import.meta.dirname, '../../shared/data');
const RETAIL_FILE = resolve(DATA, 'online-retail/online_retail.csv.gz');
const CDNOW_FILE = resolve(DATA, 'cdnow/CDNOW_master.txt');
/** 12347 orders often and never cancels; 12346 cancelled his one order; 14911 and 17841 cancel most. */
const CUSTOMERS = ['12347', '12346', '14911', '17841'];
/** Goods: five digits and an optional letter suffix, or the gift shop's DCGS codes. */
const PRODUCT = /^\d{5}[A-Za-z]*$|^DCGS/;

const database = await openTestDatabase();
const deps: Deps = { db: database.db, clock: () => new Date('2011-12-10T00:00:00Z'), log: silentLog };
afterAll(() => database.close());

/** Records of RFC 4180 text: fields split on commas, quoted fields may hold commas, quotes ("") and newlines. */
function* rfc4180(text: string): Generator<string[]> {
  let fields: string[] = [];
  let field = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' && field === '') {
      // A quoted field runs to the next quote not doubled.
      i++;
      for (;;) {
        const end = text.indexOf('"', i);
        if (end < 0) throw new Error('unclosed quote');
        field += text.slice(i, end);
        i = end + 1;
        if (text[i] !== '"') break;
        field += '"';
        i++;
      }
    } else if (c === ',') {
      fields.push(field);
      field = '';
      i++;
    } else if (c === '\n' || c === '\r') {
      fields.push(field);
      yield fields;
      fields = [];
      field = '';
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    yield fields;
  }
}

/** "2.55" -> 25500n ten-thousandths. */
function units(price: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,4}))?$/.exec(price);
  if (!match) throw new Error(`unexpected price ${price}`);
  return BigInt(match[1] ?? '0') * 10_000n + BigInt((match[2] ?? '').padEnd(4, '0'));
}

function money(value: bigint): string {
  const abs = value < 0n ? -value : value;
  return `${value < 0n ? '-' : ''}${abs / 10_000n}.${(abs % 10_000n).toString().padStart(4, '0')}`;
}

interface Invoice {
  refund: boolean;
  /** Earliest InvoiceDate, "YYYY-MM-DD HH:MM:SS" (these compare as text). */
  at: string;
  total: bigint;
  goods: bigint;
}

interface Expected {
  rows: number;
  withoutCustomer: number;
  lines: number;
  customers: Map<string, Map<string, Invoice>>;
}

function readRetailFile(): Expected {
  const text = gunzipSync(readFileSync(RETAIL_FILE)).toString('utf8');
  const expected: Expected = { rows: 0, withoutCustomer: 0, lines: 0, customers: new Map() };
  let header = true;
  for (const record of rfc4180(text)) {
    if (header) {
      expect(record).toEqual([
        'InvoiceNo',
        'StockCode',
        'Description',
        'Quantity',
        'InvoiceDate',
        'UnitPrice',
        'CustomerID',
        'Country',
      ]);
      header = false;
      continue;
    }
    const [invoiceNo = '', stockCode = '', , quantity = '', date = '', price = '', customerId = ''] = record;
    expected.rows++;
    if (customerId === '') {
      expected.withoutCustomer++;
      continue;
    }
    if (invoiceNo.startsWith('A')) continue;
    expected.lines++;
    const customer = String(Math.trunc(Number(customerId)));
    let invoices = expected.customers.get(customer);
    if (!invoices) {
      invoices = new Map();
      expected.customers.set(customer, invoices);
    }
    let invoice = invoices.get(invoiceNo);
    if (!invoice) {
      invoice = { refund: invoiceNo.startsWith('C'), at: date, total: 0n, goods: 0n };
      invoices.set(invoiceNo, invoice);
    }
    if (date < invoice.at) invoice.at = date;
    // Cancellations carry negative quantities; a refund is stored as the positive amount returned.
    const line = BigInt(quantity) * units(price);
    const amount = line < 0n ? -line : line;
    invoice.total += amount;
    if (PRODUCT.test(stockCode)) invoice.goods += amount;
  }
  return expected;
}

function totalsOf(invoices: Map<string, Invoice>): Partial<MemberTotals> {
  const all = [...invoices.values()];
  const orders = all.filter((i) => !i.refund);
  const refunds = all.filter((i) => i.refund);
  const sum = (list: Invoice[], pick: (i: Invoice) => bigint) => list.reduce((n, i) => n + pick(i), 0n);
  const iso = (at: string) => `${at.replace(' ', 'T')}.000Z`;
  const times = orders.map((i) => i.at).sort();
  return {
    orders: orders.length,
    purchaseDays: new Set(orders.map((i) => i.at.slice(0, 10))).size,
    spend: money(sum(orders, (i) => i.total)),
    merchandiseSpend: money(sum(orders, (i) => i.goods)),
    refunds: refunds.length,
    refundedAmount: money(sum(refunds, (i) => i.total)),
    refundedMerchandise: money(sum(refunds, (i) => i.goods)),
    netMerchandiseSpend: money(sum(orders, (i) => i.goods) - sum(refunds, (i) => i.goods)),
    firstPurchaseAt: times.length > 0 ? iso(times[0] as string) : null,
    lastPurchaseAt: times.length > 0 ? iso(times[times.length - 1] as string) : null,
  };
}

function special(summary: ImportSummary, label: string): number | undefined {
  return summary.special.find((s) => s.label === label)?.count;
}

describe('the online-retail preset on online_retail.csv.gz', () => {
  const programId = freshProgramId('retail');
  let expected: Expected;
  let summary: ImportSummary;

  beforeAll(async () => {
    expected = readRetailFile();
    summary = await importPreset(deps, {
      preset: 'online-retail',
      file: RETAIL_FILE,
      programId,
      rejectsPath: '/dev/null',
    });
  }, 300_000);

  it('reports the rows, members and invoices that an independent reading of the file finds', () => {
    const invoices = [...expected.customers.values()].flatMap((m) => [...m.values()]);
    const refunds = invoices.filter((i) => i.refund).length;
    expect(summary).toMatchObject({
      read: expected.rows,
      imported: expected.customers.size + invoices.length,
      updated: 0,
      duplicate: 0,
      rejected: 0,
    });
    expect(summary.byKind).toEqual([
      { kind: 'members', inserted: expected.customers.size, updated: 0, duplicate: 0 },
      { kind: 'purchases', inserted: invoices.length, updated: 0, duplicate: 0 },
    ]);
    expect(special(summary, 'rows read')).toBe(expected.rows);
    expect(special(summary, 'rows without CustomerID (skipped)')).toBe(expected.withoutCustomer);
    expect(special(summary, 'members')).toBe(expected.customers.size);
    expect(special(summary, 'orders')).toBe(invoices.length - refunds);
    expect(special(summary, 'refunds (C invoices)')).toBe(refunds);
    expect(special(summary, 'rows imported (invoice lines)')).toBe(expected.lines);
  });

  it.each(CUSTOMERS)(
    'shows customer %s with the orders, days, spend and refunds the file adds up to',
    async (customer) => {
      const invoices = expected.customers.get(customer);
      expect(invoices, `customer ${customer} is in the file`).toBeDefined();
      const view = await showMember(deps, { programId, memberId: customer });
      expect(view.totals).toMatchObject(totalsOf(invoices as Map<string, Invoice>));
    },
  );

  it('keeps recency, frequency and monetary of every customer equal to the file, as of 2011-12-10', async () => {
    const refresh = await refreshSegments(deps, { programId });
    expect(refresh).toMatchObject({ asOf: '2011-12-10T00:00:00.000Z', mode: 'full' });
    const rows = await database.db
      .selectFrom('member_features as f')
      .innerJoin('members as m', (j) =>
        j.onRef('m.program_id', '=', 'f.program_id').onRef('m.member_id', '=', 'f.member_id'),
      )
      .innerJoin('member_ranks as r', (j) =>
        j.onRef('r.program_id', '=', 'f.program_id').onRef('r.member_id', '=', 'f.member_id'),
      )
      .select(['m.external_id', 'f.features', 'r.r_score', 'r.f_score', 'r.m_score'])
      .where('f.program_id', '=', programId)
      .execute();
    expect(rows.length).toBe(expected.customers.size);
    const asOfDay = Date.UTC(2011, 11, 10) / 86_400_000;
    const dayOf = (at: string) =>
      Date.UTC(Number(at.slice(0, 4)), Number(at.slice(5, 7)) - 1, Number(at.slice(8, 10))) / 86_400_000;
    const actual: Record<string, unknown> = {};
    const wanted: Record<string, unknown> = {};
    for (const row of rows) {
      const f = row.features as Record<string, unknown>;
      actual[row.external_id] = [f.recency_days, f.frequency_orders, f.frequency_days, f.monetary_total];
      const invoices = [...(expected.customers.get(row.external_id) as Map<string, Invoice>).values()];
      const orders = invoices.filter((i) => !i.refund);
      const last = orders
        .map((i) => i.at)
        .sort()
        .at(-1);
      const goods = (list: Invoice[]) => list.reduce((n, i) => n + i.goods, 0n);
      wanted[row.external_id] = [
        last === undefined ? null : asOfDay - dayOf(last),
        orders.length,
        new Set(orders.map((i) => i.at.slice(0, 10))).size,
        money(goods(orders) - goods(invoices.filter((i) => i.refund))),
      ];
    }
    expect(actual).toEqual(wanted);

    // R, F and M quintiles by this file's own ranking: 1 + floor(5 * (customers strictly worse) / n).
    const buyers = rows.filter((r) => (actual[r.external_id] as unknown[])[0] !== null);
    const scoreOf = (values: number[], v: number) =>
      1 + Math.floor((5 * values.filter((x) => x < v).length) / values.length);
    const recency = buyers.map((r) => -((actual[r.external_id] as number[])[0] as number));
    const frequency = buyers.map((r) => (actual[r.external_id] as number[])[1] as number);
    const monetary = buyers.map((r) => Number((actual[r.external_id] as string[])[3]));
    const scores = Object.fromEntries(buyers.map((r) => [r.external_id, [r.r_score, r.f_score, r.m_score]]));
    const independent = Object.fromEntries(
      buyers.map((r, i) => [
        r.external_id,
        [
          scoreOf(recency, recency[i] as number),
          scoreOf(frequency, frequency[i] as number),
          scoreOf(monetary, monetary[i] as number),
        ],
      ]),
    );
    expect(scores).toEqual(independent);

    const sizes = await database.db
      .selectFrom('segment_memberships')
      .select(['segment', (eb) => eb.fn.countAll<string>().as('n')])
      .where('program_id', '=', programId)
      .where('scheme', '=', 'rfm')
      .groupBy('segment')
      .orderBy('segment')
      .execute();
    const total = sizes.reduce((n, s) => n + Number(s.n), 0);
    // Every customer with a purchase has exactly one RFM segment (Other Customers catches the rest).
    expect(total).toBe(buyers.length);
    console.info(
      `Online Retail RFM segments as of 2011-12-10: ${sizes.map((s) => `${s.segment} ${s.n}`).join(', ')}`,
    );
  }, 300_000);

  it('shows customer 12347 with the published totals: 7 orders on 7 days, £4,310.00 of goods, no refunds', async () => {
    const view = await showMember(deps, { programId, memberId: '12347' });
    expect(view.totals).toMatchObject({
      orders: 7,
      purchaseDays: 7,
      spend: '4310.0000',
      merchandiseSpend: '4310.0000',
      refunds: 0,
      netMerchandiseSpend: '4310.0000',
      firstPurchaseAt: '2010-12-07T14:57:00.000Z',
      lastPurchaseAt: '2011-12-07T15:52:00.000Z',
    });
  });
});

describe('the cdnow preset on CDNOW_master.txt', () => {
  it('imports 23,570 members and 69,659 purchases, one per line of the file', async () => {
    const lines = readFileSync(CDNOW_FILE, 'utf8')
      .split(/\r?\n/)
      // Data lines start with a customer number; the first line is a header.
      .filter((line) => /^\s*\d+\s/.test(line));
    const customers = new Set(lines.map((line) => line.trim().split(/\s+/)[0]));
    expect(lines.length).toBe(69_659);
    expect(customers.size).toBe(23_570);

    const summary = await importPreset(deps, {
      preset: 'cdnow',
      file: CDNOW_FILE,
      programId: freshProgramId('cdnow'),
      rejectsPath: '/dev/null',
    });
    expect(summary).toMatchObject({
      read: lines.length,
      imported: customers.size + lines.length,
      duplicate: 0,
      rejected: 0,
    });
    expect(summary.byKind).toEqual([
      { kind: 'members', inserted: customers.size, updated: 0, duplicate: 0 },
      { kind: 'purchases', inserted: lines.length, updated: 0, duplicate: 0 },
    ]);
  }, 300_000);
});
