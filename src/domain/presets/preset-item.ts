import type { MemberRecord, PurchaseRecord } from '../../contracts/records.ts';

/** One output of a preset transform: a record to load, or a problem with one input line. */
export type PresetItem =
  | { kind: 'members'; line: number; record: MemberRecord }
  | { kind: 'purchases'; line: number; record: PurchaseRecord }
  | { kind: 'problem'; line: number; column: string; message: string };

/** Counts of rows treated specially, by a readable label, e.g. "rows without CustomerID (skipped)". */
export type PresetTally = Map<string, number>;

/** Adds `by` to the count under `label`; labels keep the order in which they first occur. */
export function countIn(tally: PresetTally, label: string, by = 1): void {
  tally.set(label, (tally.get(label) ?? 0) + by);
}

/** A problem item for the given line and column. */
export function problem(line: number, column: string, message: string): PresetItem {
  return { kind: 'problem', line, column, message };
}
