import { normaliseDecimal } from '../../contracts/scalars.ts';

// Reading one row of online_retail.csv; how rows make invoices is in online-retail.ts.

/** The header of online_retail.csv. */
export const RETAIL_COLUMNS = [
  'InvoiceNo',
  'StockCode',
  'Description',
  'Quantity',
  'InvoiceDate',
  'UnitPrice',
  'CustomerID',
  'Country',
] as const;

/**
 * Stock codes of goods: the retailer's 5 digits with an optional letter suffix (85123A), and the
 * DCGS codes of goods sold through its "dotcom gift shop" (party bags, dog collars). Every other
 * code is not merchandise: postage and carriage (POST, DOT, C2), fees and charges (BANK CHARGES,
 * AMAZONFEE, CRUK commission), manual entries and adjustments (M, m, B, D discount, S samples,
 * PADS at 0.001), and gift vouchers (gift_0001_NN), which are money, not goods.
 */
export const PRODUCT_CODE = /^(?:\d{5}[A-Za-z]*|DCGS\w+)$/;

/** Largest quantity a PurchaseItem accepts (contracts/records.ts). */
const MAX_QUANTITY = 1_000_000;
const INVOICE_NO = /^[CA]?\d{6}$/;
// pandas wrote the ids as floats ("17850.0").
const CUSTOMER_ID = /^\d{1,12}(?:\.0*)?$/;
const QUANTITY = /^-?\d{1,16}$/;
const PRICE = /^-?\d{1,14}(?:\.\d{1,4})?$/;
const INVOICE_DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** One invoice line as it will be imported: quantity is positive, also in a cancellation. */
export interface RetailLine {
  sku: string;
  description: string;
  quantity: number;
  /** 4-decimal string. */
  unitPrice: string;
  merchandise: boolean;
}

/** What one data row is: skipped (with tally labels), a problem, or a line of an invoice. */
export type RetailRow =
  | { kind: 'skip'; labels: string[] }
  | { kind: 'problem'; invoiceNo: string | undefined; column: string; message: string; label: string }
  | {
      kind: 'line';
      invoiceNo: string;
      customerId: string;
      country: string;
      refund: boolean;
      /** ISO UTC string. */
      occurredAt: string;
      item: RetailLine;
    };

const PROBLEM_LABEL = 'rows that cannot be read (their invoice is not imported)';
const NO_CUSTOMER = 'rows without CustomerID (skipped)';
const NO_CUSTOMER_A = 'of which A (bad-debt adjustment) rows';
const NO_CUSTOMER_NEGATIVE_QUANTITY = 'of which negative Quantity outside C invoices';
const NO_CUSTOMER_NEGATIVE_PRICE = 'of which negative UnitPrice';
const A_WITH_CUSTOMER = 'A (bad-debt adjustment) rows with a CustomerID (skipped)';
/** The tally labels of skipped rows, in reading order ("of which" counts are among the row above). */
export const RETAIL_SKIP_LABELS = [
  NO_CUSTOMER,
  NO_CUSTOMER_A,
  NO_CUSTOMER_NEGATIVE_QUANTITY,
  NO_CUSTOMER_NEGATIVE_PRICE,
  A_WITH_CUSTOMER,
];

/** Reads one data row of online_retail.csv (fields as csv-parse gives them, unparsed). */
export function parseRetailRow(fields: readonly string[], line: number): RetailRow {
  const [invoiceNo = '', stockCode = '', description = '', quantityText = '', date = '', price = ''] = fields;
  const [, , , , , , customerText = '', country = ''] = fields;
  const knownInvoice = INVOICE_NO.test(invoiceNo) ? invoiceNo : undefined;
  const fail = (column: string, message: string, label = PROBLEM_LABEL): RetailRow => ({
    kind: 'problem',
    invoiceNo: knownInvoice,
    column,
    message,
    label,
  });

  if (fields.length !== RETAIL_COLUMNS.length) {
    const column = RETAIL_COLUMNS[Math.min(fields.length, RETAIL_COLUMNS.length - 1)] ?? 'Country';
    return fail(column, `row ${line} has ${fields.length} fields, expected ${RETAIL_COLUMNS.length}`);
  }
  if (knownInvoice === undefined) return fail('InvoiceNo', `"${invoiceNo}" is not a 6-digit invoice number`);
  const refund = invoiceNo.startsWith('C');
  if (customerText === '') {
    const labels = [NO_CUSTOMER];
    if (invoiceNo.startsWith('A')) labels.push(NO_CUSTOMER_A);
    if (!refund && quantityText.startsWith('-')) labels.push(NO_CUSTOMER_NEGATIVE_QUANTITY);
    if (price.startsWith('-')) labels.push(NO_CUSTOMER_NEGATIVE_PRICE);
    return { kind: 'skip', labels };
  }
  if (invoiceNo.startsWith('A')) {
    return { kind: 'skip', labels: [A_WITH_CUSTOMER] };
  }
  if (!CUSTOMER_ID.test(customerText))
    return fail('CustomerID', `"${customerText}" is not a customer number`);
  if (stockCode.trim() === '') return fail('StockCode', 'is empty');

  if (!QUANTITY.test(quantityText)) return fail('Quantity', `"${quantityText}" is not a whole number`);
  const signed = Number(quantityText);
  if (signed === 0) return fail('Quantity', 'is 0', 'rows with Quantity 0 (their invoice is not imported)');
  if (refund !== signed < 0) {
    const message = refund
      ? `is ${signed} in cancellation ${invoiceNo}`
      : `is ${signed} in order ${invoiceNo}`;
    const label = refund
      ? 'rows with a positive Quantity in a C invoice (their invoice is not imported)'
      : 'rows with a negative Quantity in an order (their invoice is not imported)';
    return fail('Quantity', message, label);
  }
  const quantity = Math.abs(signed);
  if (quantity > MAX_QUANTITY) return fail('Quantity', `is more than ${MAX_QUANTITY}`);

  const occurredAt = readInvoiceDate(date);
  if (occurredAt === undefined)
    return fail('InvoiceDate', `"${date}" is not a date-time YYYY-MM-DD HH:MM:SS`);
  if (!PRICE.test(price)) return fail('UnitPrice', `"${price}" is not an amount with at most 4 decimals`);
  if (price.startsWith('-')) {
    return fail(
      'UnitPrice',
      `is negative (${price})`,
      'rows with a negative UnitPrice (their invoice is not imported)',
    );
  }

  return {
    kind: 'line',
    invoiceNo,
    customerId: String(Number.parseInt(customerText, 10)),
    country,
    refund,
    occurredAt,
    item: {
      sku: stockCode,
      description,
      quantity,
      unitPrice: normaliseDecimal(price),
      merchandise: PRODUCT_CODE.test(stockCode),
    },
  };
}

/**
 * "2010-12-01 08:26:00" -> "2010-12-01T08:26:00.000Z". The file's times are UK local time with no
 * zone; they are read as UTC, so times in British Summer Time are an hour late.
 */
function readInvoiceDate(text: string): string | undefined {
  if (!INVOICE_DATE.test(text)) return undefined;
  const iso = `${text.replace(' ', 'T')}.000Z`;
  const date = new Date(iso);
  // Date rolls impossible days (02-30) over; the round trip rejects them.
  return !Number.isNaN(date.getTime()) && date.toISOString() === iso ? iso : undefined;
}
