import type { MemberRecord, PurchaseRecord } from '../../contracts/records.ts';
import { normaliseDecimal } from '../../contracts/scalars.ts';
import { countIn, type PresetItem, type PresetTally, problem } from './preset-item.ts';

// The CDNOW data set (Fader & Hardie): CDNOW_master.txt and its 1/10 CDNOW_sample.txt. Both are
// whitespace-separated with a leading space and CRLF endings; see data/cdnow/README.md.

/** Columns of CDNOW_master.txt, also the header line lifetimes added to it. */
export const CDNOW_MASTER_COLUMNS = ['customer_id', 'date', 'number_of_cds', 'dollar_value'] as const;
/** Columns of CDNOW_sample.txt (no header): the master id, then the sample's own 4-digit id. */
export const CDNOW_SAMPLE_COLUMNS = [
  'customer_id',
  'sample_id',
  'date',
  'number_of_cds',
  'dollar_value',
] as const;
/** CDNOW sold in US dollars. */
export const CDNOW_CURRENCY = 'USD';

const DIGITS = /^\d+$/;
const YYYYMMDD = /^(\d{4})(\d{2})(\d{2})$/;
// Same bounds as the Decimal scalar, without a sign: a purchase amount cannot be negative.
const DOLLARS = /^\d{1,14}(?:\.\d{1,4})?$/;

interface CdnowRow {
  line: number;
  customerId: string;
  /** YYYYMMDD, as in the file; it is part of the purchase id. */
  day: string;
  occurredAt: string;
  cds: number;
  dollars: string;
}

type Parsed = { ok: true; row: CdnowRow } | { ok: false; column: string; message: string };

/**
 * Turns the lines of CDNOW_master.txt or CDNOW_sample.txt (the layout is told from the first data
 * line: 4 or 5 columns) into members and purchases.
 *
 * A member is the master customer id as written ("00001"), joined at the midnight (UTC) of its
 * first purchase day. Each line is one purchase of the dollar value, with no items: the file gives
 * only a CD count and a total, and a unit price derived from them is rarely exact (and impossible
 * for the 0-CD lines), so the dollar value alone is kept. The purchase id
 * `${customerId}-${yyyymmdd}-${k}` (k = the 1-based occurrence of that customer-day in the file) is
 * the same in the master and the sample file, because the sample keeps every line of its customers
 * in the master's order.
 */
export async function* cdnowItems(
  lines: AsyncIterable<string>,
  tally: PresetTally,
): AsyncGenerator<PresetItem> {
  let columns: readonly string[] | undefined;
  let lineNumber = 0;
  // Occurrences so far of each customer-day, for the k of the purchase id.
  const occurrences = new Map<string, number>();
  // joinedAt of each member already yielded.
  const joined = new Map<string, string>();
  // The current customer's contiguous lines, held so the member's joinedAt is their earliest day
  // even if a customer's lines are not in date order.
  let run: CdnowRow[] = [];

  for await (const raw of lines) {
    lineNumber += 1;
    const text = raw.trim(); // also drops the CR of CRLF endings
    if (text === '') {
      countIn(tally, 'blank lines (skipped)');
      continue;
    }
    const fields = text.split(/\s+/);
    if (columns === undefined && fields.join(' ') === CDNOW_MASTER_COLUMNS.join(' ')) {
      countIn(tally, 'header lines (skipped)');
      continue;
    }
    if (columns === undefined) {
      columns = fields.length === CDNOW_SAMPLE_COLUMNS.length ? CDNOW_SAMPLE_COLUMNS : CDNOW_MASTER_COLUMNS;
      countIn(
        tally,
        columns === CDNOW_SAMPLE_COLUMNS ? 'layout: sample (5 columns)' : 'layout: master (4 columns)',
      );
    }
    countIn(tally, 'lines read');
    const parsed = parseLine(fields, columns, lineNumber);
    if (!parsed.ok) {
      countIn(tally, 'lines with a problem (not imported)');
      yield problem(lineNumber, parsed.column, parsed.message);
      continue;
    }
    if (run.length > 0 && run[0]?.customerId !== parsed.row.customerId) {
      yield* flushRun(run, joined, occurrences, tally);
      run = [];
    }
    run.push(parsed.row);
  }
  yield* flushRun(run, joined, occurrences, tally);
}

function* flushRun(
  run: readonly CdnowRow[],
  joined: Map<string, string>,
  occurrences: Map<string, number>,
  tally: PresetTally,
): Generator<PresetItem> {
  const first = run[0];
  if (first === undefined) return;
  const { customerId } = first;
  let joinedAt = joined.get(customerId);
  if (joinedAt === undefined) {
    joinedAt = first.occurredAt;
    for (const row of run) if (row.occurredAt < joinedAt) joinedAt = row.occurredAt;
    joined.set(customerId, joinedAt);
    const member: MemberRecord = { id: customerId, joinedAt };
    countIn(tally, 'members');
    yield { kind: 'members', line: first.line, record: member };
  } else {
    // The files are grouped by customer; a customer seen again later is imported but reported.
    countIn(tally, 'customers whose lines are not contiguous');
  }
  for (const row of run) {
    const key = `${customerId}-${row.day}`;
    const k = (occurrences.get(key) ?? 0) + 1;
    occurrences.set(key, k);
    if (k > 1) countIn(tally, 'purchases on a customer-day already seen (k > 1)');
    if (row.occurredAt < joinedAt) countIn(tally, "purchases dated before their member's joinedAt");
    if (row.cds === 0) countIn(tally, 'purchases with 0 CDs (imported)');
    if (/^0+(?:\.0*)?$/.test(row.dollars)) countIn(tally, 'purchases of $0.00 (imported)');
    // number_of_cds has no place in a PurchaseRecord; the sum is reported so it can be checked.
    countIn(tally, 'CDs (validated, not stored)', row.cds);
    const purchase: PurchaseRecord = {
      id: `${key}-${k}`,
      memberId: customerId,
      occurredAt: row.occurredAt,
      kind: 'order',
      amount: normaliseDecimal(row.dollars),
      currency: CDNOW_CURRENCY,
    };
    countIn(tally, 'purchases');
    yield { kind: 'purchases', line: row.line, record: purchase };
  }
}

function parseLine(fields: readonly string[], columns: readonly string[], line: number): Parsed {
  if (fields.length < columns.length) {
    const missing = columns[fields.length] ?? 'dollar_value';
    return {
      ok: false,
      column: missing,
      message: `is missing: expected ${columns.length} fields, got ${fields.length}`,
    };
  }
  if (fields.length > columns.length) {
    const last = columns[columns.length - 1] ?? 'dollar_value';
    return {
      ok: false,
      column: last,
      message: `is followed by unexpected fields: expected ${columns.length}`,
    };
  }
  const value = (column: string): string => fields[columns.indexOf(column)] ?? '';

  const customerId = value('customer_id');
  if (!DIGITS.test(customerId))
    return { ok: false, column: 'customer_id', message: `"${customerId}" is not a number` };
  if (columns.includes('sample_id') && !DIGITS.test(value('sample_id'))) {
    return { ok: false, column: 'sample_id', message: `"${value('sample_id')}" is not a number` };
  }
  const day = value('date');
  const occurredAt = dayToIso(day);
  if (occurredAt === undefined)
    return { ok: false, column: 'date', message: `"${day}" is not a date YYYYMMDD` };
  const cdsText = value('number_of_cds');
  const cds = Number(cdsText);
  if (!DIGITS.test(cdsText) || !Number.isSafeInteger(cds)) {
    return { ok: false, column: 'number_of_cds', message: `"${cdsText}" is not a whole number` };
  }
  const dollars = value('dollar_value');
  if (!DOLLARS.test(dollars)) {
    return { ok: false, column: 'dollar_value', message: `"${dollars}" is not an amount such as 12.34` };
  }
  return { ok: true, row: { line, customerId, day, occurredAt, cds, dollars } };
}

/** "19970101" -> "1997-01-01T00:00:00.000Z", or undefined when it is not a real calendar day. */
function dayToIso(day: string): string | undefined {
  const match = YYYYMMDD.exec(day);
  if (match === null) return undefined;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
    return undefined;
  return date.toISOString();
}
