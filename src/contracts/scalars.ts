import { z } from 'zod';

/** Largest accepted length of an external id (member, order, event, account). */
export const MAX_ID_LENGTH = 128;

/** A client-supplied identifier: printable, no surrounding whitespace. */
export const ExternalId = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`)
  .regex(
    /^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$/u,
    'must not contain control characters or surrounding spaces',
  )
  .refine((value) => !value.includes('\uFFFD'), 'contains bytes that are not valid UTF-8');
export type ExternalId = z.infer<typeof ExternalId>;

const DECIMAL = /^-?\d{1,14}(?:\.\d{1,4})?$/;

/**
 * A money or price amount, exact to 4 decimal places, as a decimal string ("12.5" -> "12.5000").
 * Numbers are accepted but go through their shortest decimal form, so 0.1 stays 0.1.
 */
export const Decimal = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (!DECIMAL.test(text)) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a decimal number with at most 14 digits and 4 decimals',
    });
    return z.NEVER;
  }
  return normaliseDecimal(text);
});
export type Decimal = z.infer<typeof Decimal>;

/** Largest amount a money column holds (numeric(18, 4)), in 1/10,000ths. */
export const MAX_AMOUNT_UNITS = 10n ** 18n - 1n;

/** A non-negative Decimal. */
export const Amount = Decimal.refine((d) => !d.startsWith('-'), 'must not be negative');

/** "12.5" -> "12.5000"; "-0" -> "0.0000". Input must already match the decimal pattern. */
export function normaliseDecimal(text: string): string {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const digits = `${BigInt(whole)}.${fraction.padEnd(4, '0')}`;
  return negative && /[1-9]/.test(digits) ? `-${digits}` : digits;
}

/** Decimal string -> integer count of 1/10,000ths, for exact sums in code. */
export function decimalToUnits(decimal: string): bigint {
  const negative = decimal.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? decimal.slice(1) : decimal).split('.');
  const units = BigInt(whole) * 10_000n + BigInt(fraction.padEnd(4, '0').slice(0, 4) || '0');
  return negative ? -units : units;
}

/** Integer count of 1/10,000ths -> decimal string with 4 decimals. */
export function unitsToDecimal(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const text = `${abs / 10_000n}.${(abs % 10_000n).toString().padStart(4, '0')}`;
  return negative ? `-${text}` : text;
}

const EARLIEST = Date.UTC(1900, 0, 1);
const LATEST = Date.UTC(2200, 0, 1);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_LOCAL = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?$/;
const ISO_ZONED = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * A point in time: ISO 8601 with a zone, or a date / date-time without one (read as UTC).
 * Normalised to an ISO string in UTC.
 */
export const Timestamp = z.union([z.string(), z.date()]).transform((value, ctx) => {
  const ms = parseTimestamp(value);
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message:
        'must be an ISO 8601 date or date-time (e.g. 2024-05-01 or 2024-05-01T09:30:00Z) between 1900 and 2200',
    });
    return z.NEVER;
  }
  return new Date(ms).toISOString();
});
export type Timestamp = z.infer<typeof Timestamp>;

// Already-normalised timestamps (what exports and generators write) skip the general parse.
const ISO_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function parseTimestamp(value: string | Date): number | undefined {
  if (typeof value === 'string' && ISO_UTC_MS.test(value)) {
    const ms = Date.parse(value);
    // Round-tripping rejects rolled-over dates such as 2024-02-30.
    return ms >= EARLIEST && ms < LATEST && new Date(ms).toISOString() === value ? ms : undefined;
  }
  let ms: number;
  if (value instanceof Date) {
    ms = value.getTime();
  } else {
    const text = value.trim();
    if (ISO_DATE.test(text)) ms = Date.parse(`${text}T00:00:00Z`);
    else if (ISO_LOCAL.test(text)) ms = Date.parse(`${text.replace(' ', 'T')}Z`);
    else if (ISO_ZONED.test(text)) ms = Date.parse(text.replace(' ', 'T'));
    else return undefined;
    // Date.parse rolls 2024-02-30 over to March; reject dates that do not exist.
    const day = text.slice(0, 10);
    if (Number.isFinite(ms) && ISO_DATE.test(day) && !dayExists(day)) return undefined;
  }
  return Number.isFinite(ms) && ms >= EARLIEST && ms < LATEST ? ms : undefined;
}

function dayExists(day: string): boolean {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** A calendar date, YYYY-MM-DD. */
export const CalendarDate = z
  .string()
  .regex(ISO_DATE, 'must be a date YYYY-MM-DD')
  .refine(dayExists, 'must be a real calendar date');

/** An integer given as a JSON number or as a string of digits (CSV). */
export function integer(min: number, max: number) {
  return z.union([z.number(), z.string()]).transform((value, ctx) => {
    const n =
      typeof value === 'number' ? value : /^\s*-?\d{1,16}\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n)) {
      ctx.addIssue({ code: 'custom', message: 'must be an integer' });
      return z.NEVER;
    }
    if (n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `must be between ${min} and ${max}` });
      return z.NEVER;
    }
    return n;
  });
}

/** A boolean given as JSON or as true/false/1/0/yes/no text (CSV). */
export const Flag = z.union([z.boolean(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'boolean') return value;
  const text = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'y'].includes(text)) return true;
  if (['false', '0', 'no', 'n'].includes(text)) return false;
  ctx.addIssue({ code: 'custom', message: 'must be true or false' });
  return z.NEVER;
});

// Control characters other than tab, newline and carriage return.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL_CHARACTERS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

/** Free text with a length limit and no control characters other than newlines and tabs. */
export function text(max: number) {
  return z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !CONTROL_CHARACTERS.test(value), 'must not contain control characters')
    .refine((value) => !value.includes('\uFFFD'), 'contains bytes that are not valid UTF-8');
}

// Zones already checked: building an Intl.DateTimeFormat per record cost more than the rest of a
// member's validation. A program uses a handful of zones, so the set stays small.
const KNOWN_ZONES = new Set<string>();

function isTimeZone(zone: string): boolean {
  if (KNOWN_ZONES.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    return false;
  }
  KNOWN_ZONES.add(zone);
  return true;
}

/** An IANA time zone name that this runtime knows (e.g. Europe/London). */
export const TimeZone = z
  .string()
  .max(64)
  .refine(isTimeZone, 'must be an IANA time zone such as Europe/London');

/** A lower-case key: letters, digits, and _ . : - (declaration keys, reasons, kinds). */
export const Key = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_.:-]*$/, 'must start with a lower-case letter and use only a-z, 0-9, _ . : -');

/** A program identifier: lower-case slug. */
export const ProgramId = z
  .string()
  .min(1)
  .max(48)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a lower-case slug (a-z, 0-9, -)');
export type ProgramId = z.infer<typeof ProgramId>;

/** ISO 4217 currency code. */
export const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code such as GBP');

/**
 * The first string in a raw record (a value or a key, at any depth) that no database text can hold
 * or that shows the input was decoded wrongly: a NUL, an unpaired UTF-16 surrogate, the U+FFFD
 * left by bytes that were not UTF-8, or a byte-order mark inside the text. Checked before the
 * schema so every field, attributes included, is covered.
 */
export function findUnstorableText(value: unknown): { path: PropertyKey[]; message: string } | undefined {
  // The path is built only on the way back out of a find: most records have nothing to report.
  if (typeof value === 'string') {
    const message = unstorable(value);
    return message === undefined ? undefined : { path: [], message };
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i]);
      if (found) {
        found.path.unshift(i);
        return found;
      }
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const keyMessage = unstorable(key);
    if (keyMessage !== undefined) return { path: [key], message: `has a name that ${keyMessage}` };
    const found = findUnstorableText((value as Record<string, unknown>)[key]);
    if (found) {
      found.path.unshift(key);
      return found;
    }
  }
  return undefined;
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function unstorable(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character';
  if (LONE_SURROGATE.test(text)) return 'contains an unpaired UTF-16 surrogate (not valid Unicode)';
  if (text.includes('\uFFFD')) return 'contains bytes that are not valid UTF-8';
  if (text.includes('\uFEFF')) return 'contains a byte-order mark (U+FEFF); were two files joined?';
  return undefined;
}
