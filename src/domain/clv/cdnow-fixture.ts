import type { Transaction } from './summaries.ts';

// Test support only: parses text the tests read from test/fixtures/cdnow, so no I/O lives in src.

/** Calibration end used by Fader, Hardie & Lee (2005): 1997-09-30 (39 weeks after 1997-01-01). */
export const CDNOW_CALIBRATION_END = Date.UTC(1997, 8, 30);
/** End of the CDNOW holdout period, 1998-06-30 (week 78). */
export const CDNOW_HOLDOUT_END = Date.UTC(1998, 5, 30);

/** Parses CDNOW_sample.txt (whitespace separated: masterId sampleId yyyymmdd cds dollars), keyed by sample id. */
export function parseCdnowSample(text: string): Transaction[] {
  const transactions: Transaction[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '') return;
    const [, sampleId, date, , dollars] = trimmed.split(/\s+/);
    if (sampleId === undefined || date === undefined || dollars === undefined || !/^\d{8}$/.test(date)) {
      throw new RangeError(`CDNOW sample line ${index + 1} is malformed`);
    }
    const at = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8)));
    transactions.push({ memberId: String(Number(sampleId)), at, amount: Number(dollars) });
  });
  return transactions;
}

/** One row of cdnow_customers_summary_with_transactions.csv. */
export interface PublishedSummaryRow {
  id: string;
  x: number;
  tx: number;
  T: number;
  zbar: number;
}

/** Parses cdnow_customers_summary_with_transactions.csv (header ID,x,t_x,T,zbar). */
export function parsePublishedSummary(text: string): PublishedSummaryRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines.slice(1).map((line) => {
    const [id, x, tx, T, zbar] = line.split(',');
    return { id: String(id), x: Number(x), tx: Number(tx), T: Number(T), zbar: Number(zbar) };
  });
}
