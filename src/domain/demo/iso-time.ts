// Demo generation formats tens of millions of timestamps; Date#toISOString was a third of the
// whole cost. Days repeat a lot, so the date part is cached and only the time of day is built.

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const SECOND_MS = 1000;
/** The day cache is dropped when it grows past this (only if callers span very many `now`s). */
const MAX_CACHED_DAYS = 100_000;

const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const days = new Map<number, string>();

function dayPart(day: number): string {
  let text = days.get(day);
  if (text === undefined) {
    if (days.size >= MAX_CACHED_DAYS) days.clear();
    text = new Date(day * DAY_MS).toISOString().slice(0, 10);
    days.set(day, text);
  }
  return text;
}

/** Epoch milliseconds (an integer) -> the same string as `new Date(ms).toISOString()`, years 1970-9999. */
export function isoUtc(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let rest = ms - day * DAY_MS;
  const hours = Math.floor(rest / HOUR_MS);
  rest -= hours * HOUR_MS;
  const minutes = Math.floor(rest / MINUTE_MS);
  rest -= minutes * MINUTE_MS;
  const seconds = Math.floor(rest / SECOND_MS);
  const millis = rest - seconds * SECOND_MS;
  const milliText = millis < 10 ? `00${millis}` : millis < 100 ? `0${millis}` : String(millis);
  return `${dayPart(day)}T${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${milliText}Z`;
}
