import { hash } from 'node:crypto';
import type { z } from 'zod';
import {
  EVENT_KINDS,
  PurchaseItem,
  RECORD_SCHEMAS,
  type RecordKind,
  type RecordOf,
} from '../../contracts/records.ts';
import { findUnstorableText } from '../../contracts/scalars.ts';

/** One problem in one record, before the caller adds where the record came from. */
export interface FieldProblem {
  path: string;
  message: string;
}

export type Validation<K extends RecordKind> =
  | { ok: true; record: RecordOf[K] }
  | { ok: false; problems: FieldProblem[] };

/** Validates one raw record against its kind's contract; problems name the JSON path of each field. */
export function validateRecord<K extends RecordKind>(kind: K, raw: unknown): Validation<K> {
  const text = findUnstorableText(raw);
  if (text)
    return { ok: false, problems: [{ path: formatPath(text.path) || '(record)', message: text.message }] };
  const result = (RECORD_SCHEMAS[kind] as z.ZodType).safeParse(raw);
  if (result.success) return { ok: true, record: result.data as RecordOf[K] };
  return { ok: false, problems: result.error.issues.map(toProblem) };
}

function toProblem(issue: z.core.$ZodIssue): FieldProblem {
  if (issue.code === 'unrecognized_keys') {
    // The path is where the object is (e.g. items[0]); the keys are inside it.
    const where = formatPath(issue.path);
    const keys = issue.keys.map((key) => (where ? `${where}.${key}` : key));
    return { path: keys.join(', '), message: `is not a field of this ${where ? 'item' : 'record'}` };
  }
  const message =
    issue.code === 'invalid_type' && issue.input === undefined
      ? 'is required'
      : issue.code === 'invalid_type'
        ? `must be ${issue.expected}`
        : issue.message;
  return { path: formatPath(issue.path) || '(record)', message };
}

/** ["items", 2, "unitPrice"] -> "items[2].unitPrice" */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join('');
}

/** A stable hash of a validated record: keys sorted, so field order does not matter. */
export function hashRecord(record: unknown, kind?: RecordKind): string {
  // Kinds without free-form maps hash through JSON.stringify with the sorted list of every field
  // name as its replacer: the same text as canonicalJson (keys in sorted order, undefined left
  // out), built natively, which is most of the cost of ingesting a row.
  const text =
    kind !== undefined && FIXED_KINDS.has(kind) ? JSON.stringify(record, FIELD_NAMES) : canonicalJson(record);
  return hash('sha256', text, 'base64url');
}

/** Kinds whose records have only the fields their schema names (members and accounts carry free-form attributes). */
const FIXED_KINDS = new Set<RecordKind>(EVENT_KINDS);

/** Every field name of the fixed kinds and of purchase items, sorted. */
const FIELD_NAMES = [
  ...new Set([
    ...EVENT_KINDS.flatMap((kind) => Object.keys(RECORD_SCHEMAS[kind].shape)),
    ...Object.keys(PurchaseItem.shape),
  ]),
].sort();

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
