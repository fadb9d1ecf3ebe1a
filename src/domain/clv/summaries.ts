import type { CustomerSummary, TimeUnit } from './types.ts';

/** One purchase. `at` is a Date or epoch milliseconds; days are UTC calendar days. */
export interface Transaction {
  memberId: string;
  at: Date | number;
  amount: number;
}

/** How to cut the transaction log into a calibration (and optional holdout) period. */
export interface SummaryOptions {
  /** Last day of the calibration period, inclusive (its UTC calendar day counts). */
  calibrationEnd: Date | number;
  timeUnit: TimeUnit;
  /** Transactions before this UTC day are ignored, as if the history began there. */
  observationStart?: Date | number;
  /** Last day of the holdout period, inclusive; when given, each summary gets `holdoutX`. */
  holdoutEnd?: Date | number;
}

const DAY_MS = 86_400_000;
const DAYS_PER_UNIT: Record<TimeUnit, number> = { day: 1, week: 7 };

/** The UTC calendar day number (days since 1970-01-01) of a Date or epoch-ms value. */
export function dayNumber(at: Date | number): number {
  const ms = typeof at === 'number' ? at : at.getTime();
  return Math.floor(ms / DAY_MS);
}

/** Days in one time unit. */
export function daysPerUnit(unit: TimeUnit): number {
  return DAYS_PER_UNIT[unit];
}

/** Length of the holdout period in the time unit (0 when no holdout end is given). */
export function holdoutLength(options: SummaryOptions): number {
  if (options.holdoutEnd === undefined) return 0;
  return (dayNumber(options.holdoutEnd) - dayNumber(options.calibrationEnd)) / daysPerUnit(options.timeUnit);
}

/**
 * Each member's purchases merged per UTC day (amounts summed), days ascending.
 * Same-day purchases are one "transaction" for the models, as in Fader, Hardie & Lee (2005).
 * Throws a RangeError naming the index of the first malformed transaction.
 */
export function purchaseDaysByMember(
  transactions: readonly Transaction[],
  observationStart?: Date | number,
): Map<string, { day: number; amount: number }[]> {
  const startDay = observationStart === undefined ? Number.NEGATIVE_INFINITY : dayNumber(observationStart);
  const byMember = new Map<string, Map<number, number>>();
  transactions.forEach((t, index) => {
    const day = dayNumber(t.at);
    if (!Number.isFinite(day)) throw new RangeError(`transactions[${index}].at is not a valid time`);
    if (!Number.isFinite(t.amount))
      throw new RangeError(`transactions[${index}].amount is not a finite number`);
    if (typeof t.memberId !== 'string' || t.memberId === '') {
      throw new RangeError(`transactions[${index}].memberId is empty`);
    }
    if (day < startDay) return;
    let days = byMember.get(t.memberId);
    if (days === undefined) {
      days = new Map();
      byMember.set(t.memberId, days);
    }
    days.set(day, (days.get(day) ?? 0) + t.amount);
  });
  const result = new Map<string, { day: number; amount: number }[]>();
  for (const [memberId, days] of byMember) {
    const list = [...days].map(([day, amount]) => ({ day, amount }));
    list.sort((p, q) => p.day - q.day);
    result.set(memberId, list);
  }
  return result;
}

/**
 * Per-member (x, tx, T, zbar) for the calibration period, in first-seen member order.
 * Members whose first purchase falls after the calibration end are left out: they are not yet
 * customers at calibration time.
 */
export function summarizeTransactions(
  transactions: readonly Transaction[],
  options: SummaryOptions,
): CustomerSummary[] {
  const calibrationEndDay = dayNumber(options.calibrationEnd);
  const holdoutEndDay = options.holdoutEnd === undefined ? undefined : dayNumber(options.holdoutEnd);
  if (holdoutEndDay !== undefined && holdoutEndDay < calibrationEndDay) {
    throw new RangeError('holdoutEnd is before calibrationEnd');
  }
  const unitDays = daysPerUnit(options.timeUnit);
  const summaries: CustomerSummary[] = [];
  for (const [memberId, days] of purchaseDaysByMember(transactions, options.observationStart)) {
    const first = days[0];
    if (first === undefined || first.day > calibrationEndDay) continue;
    let x = 0;
    let lastDay = first.day;
    let repeatTotal = 0;
    let holdoutX = 0;
    for (let i = 1; i < days.length; i++) {
      const purchase = days[i] as { day: number; amount: number };
      if (purchase.day <= calibrationEndDay) {
        x += 1;
        lastDay = purchase.day;
        repeatTotal += purchase.amount;
      } else if (holdoutEndDay !== undefined && purchase.day <= holdoutEndDay) {
        holdoutX += 1;
      }
    }
    const summary: CustomerSummary = {
      memberId,
      x,
      tx: (lastDay - first.day) / unitDays,
      T: (calibrationEndDay - first.day) / unitDays,
      zbar: x > 0 ? repeatTotal / x : 0,
    };
    if (holdoutEndDay !== undefined) summary.holdoutX = holdoutX;
    summaries.push(summary);
  }
  return summaries;
}
