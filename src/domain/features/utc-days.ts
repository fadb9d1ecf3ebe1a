const DAY_MS = 86_400_000;

/** The UTC calendar day number (days since 1970-01-01) of an ISO timestamp or a Date. */
export function utcDay(at: string | Date): number {
  const ms = typeof at === 'string' ? Date.parse(at) : at.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`not a valid time: ${String(at)}`);
  return Math.floor(ms / DAY_MS);
}

/** Whole UTC calendar days from `earlier` to `later` (0 on the same day, negative if reversed). */
export function daysBetween(earlier: string | Date, later: string | Date): number {
  return utcDay(later) - utcDay(earlier);
}

/** Epoch milliseconds of an ISO timestamp. */
export function epochMs(at: string): number {
  return Date.parse(at);
}
