import { expectedPurchases, expectedRepeatFromStart, type PurchaseModel } from './purchase-model.ts';
import {
  dayNumber,
  daysPerUnit,
  purchaseDaysByMember,
  type SummaryOptions,
  type Transaction,
} from './summaries.ts';
import type { CustomerSummary } from './types.ts';

/** Mean actual vs mean predicted holdout purchases for customers with one calibration frequency. */
export interface FrequencyBin {
  /** "0", "1", ... or "7+" for the open top bin. */
  bin: string;
  customers: number;
  actual: number;
  predicted: number;
}

/**
 * The conditional-expectation check of Fader, Hardie & Lee (2005, fig. 4): customers binned by
 * calibration repeat purchases x (0 … topBin-1, then topBin+), comparing mean holdout purchases with
 * the model's mean E[Y(holdoutLength) | x, tx, T]. Summaries need `holdoutX`.
 */
export function holdoutByFrequency(
  summaries: readonly CustomerSummary[],
  model: PurchaseModel,
  holdoutLength: number,
  topBin = 7,
): FrequencyBin[] {
  const sums = Array.from({ length: topBin + 1 }, () => ({ customers: 0, actual: 0, predicted: 0 }));
  summaries.forEach((s, index) => {
    if (s.holdoutX === undefined) throw new RangeError(`summaries[${index}].holdoutX is missing`);
    const bin = sums[Math.min(s.x, topBin)] as { customers: number; actual: number; predicted: number };
    bin.customers += 1;
    bin.actual += s.holdoutX;
    bin.predicted += expectedPurchases(model, s, holdoutLength);
  });
  return sums.map((b, i) => ({
    bin: i === topBin ? `${topBin}+` : String(i),
    customers: b.customers,
    actual: b.customers > 0 ? b.actual / b.customers : 0,
    predicted: b.customers > 0 ? b.predicted / b.customers : 0,
  }));
}

/** Cumulative repeat purchases of the whole cohort at the end of one period. */
export interface TrackingPoint {
  period: number;
  actual: number;
  expected: number;
}

export interface CumulativeTracking {
  /** Periods in the calibration window; later periods are holdout. */
  calibrationPeriods: number;
  points: TrackingPoint[];
}

/**
 * Cumulative repeat purchases by period for the calibration cohort, actual vs model (FHL 2005, fig. 3).
 * Periods are whole time units counted from the cohort's first purchase day; a member's expected
 * count at a period end is the unconditional E[X(age)] for their age then, summed over members.
 */
export function cumulativeRepeatTracking(
  transactions: readonly Transaction[],
  model: PurchaseModel,
  options: SummaryOptions & { holdoutEnd: Date | number },
): CumulativeTracking {
  const calibrationEndDay = dayNumber(options.calibrationEnd);
  const holdoutEndDay = dayNumber(options.holdoutEnd);
  const unitDays = daysPerUnit(options.timeUnit);
  const firstDays = new Map<number, number>();
  const repeatDays: number[] = [];
  for (const days of purchaseDaysByMember(transactions, options.observationStart).values()) {
    const first = days[0];
    if (first === undefined || first.day > calibrationEndDay) continue;
    firstDays.set(first.day, (firstDays.get(first.day) ?? 0) + 1);
    for (const p of days.slice(1)) if (p.day <= holdoutEndDay) repeatDays.push(p.day);
  }
  if (firstDays.size === 0) return { calibrationPeriods: 0, points: [] };
  const origin = Math.min(...firstDays.keys());
  repeatDays.sort((a, b) => a - b);
  const periods = Math.ceil((holdoutEndDay + 1 - origin) / unitDays);
  const points: TrackingPoint[] = [];
  let seen = 0;
  for (let k = 1; k <= periods; k++) {
    const endDay = origin + k * unitDays;
    while (seen < repeatDays.length && (repeatDays[seen] as number) < endDay) seen++;
    let expected = 0;
    for (const [firstDay, count] of firstDays) {
      const age = (endDay - firstDay) / unitDays;
      if (age > 0) expected += count * expectedRepeatFromStart(model, age);
    }
    points.push({ period: k, actual: seen, expected });
  }
  return { calibrationPeriods: Math.ceil((calibrationEndDay + 1 - origin) / unitDays), points };
}
