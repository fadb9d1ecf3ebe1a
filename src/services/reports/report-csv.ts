import { stringify } from 'csv-stringify/sync';

// CSV export of a report: every list of rows in one file, each row led by the list it came from
// (`section`), with the union of the lists' columns in first-seen order. A value a row does not have
// is empty; null is empty; nested values (none in the report rows today) would be JSON.

/** The report's row lists as one CSV text. */
export function reportCsv(sections: Readonly<Record<string, readonly object[]>>): string {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const rows of Object.values(sections)) {
    for (const row of rows) {
      for (const key of Object.keys(row)) {
        if (!seen.has(key)) {
          seen.add(key);
          columns.push(key);
        }
      }
    }
  }
  const records: unknown[][] = [];
  for (const [section, rows] of Object.entries(sections)) {
    for (const row of rows) {
      const values = row as Record<string, unknown>;
      records.push([section, ...columns.map((c) => cell(values[c]))]);
    }
  }
  return stringify([['section', ...columns], ...records]);
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
