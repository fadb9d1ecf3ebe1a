import type { MemberRecord, PurchaseItem, PurchaseRecord } from '../../contracts/records.ts';
import { MAX_ITEMS_PER_PURCHASE } from '../../contracts/records.ts';
import { decimalToUnits, unitsToDecimal } from '../../contracts/scalars.ts';
import { parseRetailRow, RETAIL_COLUMNS, RETAIL_SKIP_LABELS, type RetailLine } from './online-retail-row.ts';
import { countIn, type PresetItem, type PresetTally, problem } from './preset-item.ts';

// The UCI "Online Retail" log (data/online-retail/README.md): one CSV row per invoice line.

/**
 * An open invoice is imported once this many rows have passed without one of its rows. The file
 * keeps each invoice's rows together but for one (two rows of a cancellation cut it), so a wide
 * margin costs little memory and catches stray rows.
 */
export const INVOICE_FLUSH_WINDOW_ROWS = 1000;
/** The retailer's currency. */
export const ONLINE_RETAIL_CURRENCY = 'GBP';
/** A Country value that names no place, so it does not become a member's region. */
const NO_COUNTRY = 'Unspecified';

const LINES_IMPORTED = 'rows imported (invoice lines)';
const MANY_COUNTRIES = 'customers with more than one Country (the first is their region)';
const MULTIPLE_DATES = 'invoices with more than one InvoiceDate (the earliest is used)';
/** Labels reported even at 0, first and in this order, so every report reads alike. */
const REPORTED_LABELS = [
  'rows read',
  ...RETAIL_SKIP_LABELS,
  'members',
  'orders',
  'refunds (C invoices)',
  LINES_IMPORTED,
  MULTIPLE_DATES,
  'lines with UnitPrice 0 (kept)',
  MANY_COUNTRIES,
];

/** Options of {@link onlineRetailItems}. */
export interface OnlineRetailOptions {
  /** Rows after which an invoice not seen again is imported; defaults to INVOICE_FLUSH_WINDOW_ROWS. */
  flushWindowRows?: number;
}

interface OpenInvoice {
  invoiceNo: string;
  customerId: string;
  country: string;
  refund: boolean;
  firstLine: number;
  lastLine: number;
  /** Earliest InvoiceDate, as an ISO UTC string (these compare as text). */
  earliest: string;
  multipleTimestamps: boolean;
  lines: RetailLine[];
  /** A row of it had a problem: the invoice is not imported, so nothing is half-applied. */
  rejected: boolean;
}

/**
 * Turns the CSV rows of online_retail.csv (header first, fields unparsed) into members and
 * purchases. Rules, decided once here:
 * - An invoice is a purchase of its customer; a `C` invoice is a `refund` with positive
 *   quantities and amount. Its `occurredAt` is its earliest InvoiceDate. The file gives UK local
 *   time without a zone; it is read as UTC (at most an hour off in British Summer Time).
 * - Rows without CustomerID are skipped and counted (the stock adjustments and the `A` bad-debt
 *   adjustments are all among them). An `A` row with a CustomerID is skipped too: it is an
 *   accounting entry, not a sale.
 * - A row that contradicts its invoice (a negative Quantity in an order, a positive one in a `C`
 *   invoice, a zero Quantity, a negative UnitPrice, another CustomerID) or cannot be read yields a
 *   problem naming its line and column, and its whole invoice is left out.
 * - A member is parseInt(CustomerID), joined at its first invoice, with the Country of that
 *   invoice as region.
 * Memory holds the open invoices (rows of the last `flushWindowRows` rows) plus the ids of the
 * invoices and customers already seen, never the whole file.
 */
export async function* onlineRetailItems(
  rows: AsyncIterable<{ line: number; fields: string[] }>,
  tally: PresetTally,
  { flushWindowRows = INVOICE_FLUSH_WINDOW_ROWS }: OnlineRetailOptions = {},
): AsyncGenerator<PresetItem> {
  const state: State = {
    open: new Map(),
    closed: new Map(),
    regions: new Map(),
    manyCountries: new Set(),
    tally,
  };
  const { open } = state;
  for (const label of REPORTED_LABELS) countIn(tally, label, 0);
  let header = true;

  for await (const { line, fields } of rows) {
    if (header) {
      header = false;
      if (fields.join(',') !== RETAIL_COLUMNS.join(',')) {
        yield problem(line, 'header', `must be ${RETAIL_COLUMNS.join(',')}, got ${fields.join(',')}`);
        return;
      }
      continue;
    }
    countIn(tally, 'rows read');
    for (const invoice of open.values()) {
      // Rows lastLine+1 .. line-1 have passed without this invoice.
      if (invoice.lastLine > line - 1 - flushWindowRows) break;
      yield* close(invoice, state);
    }

    const row = parseRetailRow(fields, line);
    if (row.kind === 'skip') {
      for (const label of row.labels) countIn(tally, label);
      continue;
    }
    const closedAt = row.invoiceNo === undefined ? undefined : state.closed.get(row.invoiceNo);
    if (closedAt !== undefined) {
      // Importing it again would give one id two payloads; the window is too small for this file.
      countIn(tally, 'rows of an invoice already closed (not imported)');
      yield problem(
        line,
        'InvoiceNo',
        `invoice ${row.invoiceNo} was closed after its row ${closedAt}; this row is not imported`,
      );
      continue;
    }
    if (row.kind === 'problem') {
      countIn(tally, row.label);
      yield problem(line, row.column, row.message);
      if (row.invoiceNo !== undefined) reject(state, row.invoiceNo, line);
      continue;
    }

    const invoice = open.get(row.invoiceNo);
    if (invoice === undefined) {
      open.set(row.invoiceNo, {
        invoiceNo: row.invoiceNo,
        customerId: row.customerId,
        country: row.country,
        refund: row.refund,
        firstLine: line,
        lastLine: line,
        earliest: row.occurredAt,
        multipleTimestamps: false,
        lines: [row.item],
        rejected: false,
      });
      continue;
    }
    touch(open, invoice, line);
    if (invoice.rejected) continue;
    if (invoice.customerId !== row.customerId) {
      countIn(tally, 'rows with another CustomerID than their invoice (their invoice is not imported)');
      yield problem(
        line,
        'CustomerID',
        `is ${row.customerId} but invoice ${row.invoiceNo} is ${invoice.customerId}'s`,
      );
      invoice.rejected = true;
      continue;
    }
    if (row.occurredAt !== invoice.earliest) invoice.multipleTimestamps = true;
    if (row.occurredAt < invoice.earliest) invoice.earliest = row.occurredAt;
    invoice.lines.push(row.item);
  }
  for (const invoice of open.values()) yield* close(invoice, state);
}

interface State {
  /** Open invoices in order of last sight (re-inserted on each row), so the stalest is first. */
  open: Map<string, OpenInvoice>;
  /** Invoices already closed, with their last row. */
  closed: Map<string, number>;
  /** Member id -> Country of its first invoice; a member is yielded once. */
  regions: Map<string, string>;
  manyCountries: Set<string>;
  tally: PresetTally;
}

/** Moves an open invoice to the end of the map (most recently seen). */
function touch(open: Map<string, OpenInvoice>, invoice: OpenInvoice, line: number): void {
  open.delete(invoice.invoiceNo);
  invoice.lastLine = line;
  open.set(invoice.invoiceNo, invoice);
}

/** Marks an invoice as not to be imported, opening it if needed so its later rows are absorbed. */
function reject({ open }: State, invoiceNo: string, line: number): void {
  const invoice = open.get(invoiceNo);
  if (invoice !== undefined) {
    invoice.rejected = true;
    touch(open, invoice, line);
    return;
  }
  open.set(invoiceNo, {
    invoiceNo,
    customerId: '',
    country: '',
    refund: invoiceNo.startsWith('C'),
    firstLine: line,
    lastLine: line,
    earliest: '',
    multipleTimestamps: false,
    lines: [],
    rejected: true,
  });
}

/** Takes an invoice out of the open ones and yields its purchase (and its member, the first time). */
function* close(invoice: OpenInvoice, state: State): Generator<PresetItem> {
  const { open, closed, regions, tally } = state;
  open.delete(invoice.invoiceNo);
  closed.set(invoice.invoiceNo, invoice.lastLine);
  if (invoice.rejected) {
    countIn(tally, 'invoices not imported (a row had a problem)');
    return;
  }
  if (invoice.lines.length > MAX_ITEMS_PER_PURCHASE) {
    countIn(tally, 'invoices not imported (a row had a problem)');
    const message = `invoice ${invoice.invoiceNo} has ${invoice.lines.length} lines, more than ${MAX_ITEMS_PER_PURCHASE}`;
    yield problem(invoice.firstLine, 'InvoiceNo', message);
    return;
  }
  const { customerId } = invoice;
  const region = regions.get(customerId);
  if (region === undefined) {
    regions.set(customerId, invoice.country);
    const member: MemberRecord = { id: customerId, joinedAt: joinedAt(invoice, open) };
    if (invoice.country !== NO_COUNTRY) member.region = invoice.country;
    countIn(tally, 'members');
    yield { kind: 'members', line: invoice.firstLine, record: member };
  } else if (region !== invoice.country && !state.manyCountries.has(customerId)) {
    state.manyCountries.add(customerId);
    countIn(tally, MANY_COUNTRIES);
  }

  let total = 0n;
  const items: PurchaseItem[] = [];
  for (const line of invoice.lines) {
    const price = decimalToUnits(line.unitPrice);
    total += BigInt(line.quantity) * price;
    if (!line.merchandise) countIn(tally, `non-merchandise lines: ${line.sku}`);
    if (price === 0n) countIn(tally, 'lines with UnitPrice 0 (kept)');
    const { sku, quantity, unitPrice, merchandise } = line;
    const item: PurchaseItem = { sku, quantity, unitPrice, merchandise };
    if (line.description !== '') item.description = line.description;
    items.push(item);
  }
  if (invoice.multipleTimestamps) countIn(tally, MULTIPLE_DATES);
  countIn(tally, LINES_IMPORTED, items.length);
  countIn(tally, invoice.refund ? 'refunds (C invoices)' : 'orders');
  const purchase: PurchaseRecord = {
    id: invoice.invoiceNo,
    memberId: customerId,
    occurredAt: invoice.earliest,
    kind: invoice.refund ? 'refund' : 'order',
    amount: unitsToDecimal(total),
    currency: ONLINE_RETAIL_CURRENCY,
    items,
  };
  yield { kind: 'purchases', line: invoice.firstLine, record: purchase };
}

/**
 * The member joins at its first invoice. Invoices are imported in order of their last row, so an
 * earlier invoice of the same customer may still be open; the file is chronological, so no later
 * row can be earlier than these.
 */
function joinedAt(invoice: OpenInvoice, open: ReadonlyMap<string, OpenInvoice>): string {
  let earliest = invoice.earliest;
  for (const other of open.values()) {
    if (other.customerId === invoice.customerId && !other.rejected && other.earliest < earliest) {
      earliest = other.earliest;
    }
  }
  return earliest;
}
