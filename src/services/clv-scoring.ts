import type { PredictionColumns } from '../db/queries/clv-predictions.ts';
import type { ClvSummaryColumns } from '../db/queries/clv-summaries.ts';
import { type ClvOptions, DAYS_PER_MONTH, discountedExpectedPurchases } from '../domain/clv/clv.ts';
import { gammaGammaExpectedSpend } from '../domain/clv/gamma-gamma.ts';
import { percentileRanks } from '../domain/clv/percentile-ranks.ts';
import { expectedPurchases, type PurchaseModel, probabilityAlive } from '../domain/clv/purchase-model.ts';
import { daysPerUnit } from '../domain/clv/summaries.ts';
import type { CustomerSummary, GammaGammaParams, TimeUnit } from '../domain/clv/types.ts';

// Scoring shared by the CLV use-cases. The arithmetic is the domain's (predictMembers in
// src/domain/clv/clv.ts, composed from the same functions); what is added here is doing it once per
// distinct (x, tx, T) rather than once per member, since the count-model terms need a hypergeometric
// series per horizon month and a large program repeats those triples heavily.

/** Summary columns as the domain's CustomerSummary objects (memberId is the internal id as text). */
export function summariesOf(columns: ClvSummaryColumns, timeUnit: TimeUnit): CustomerSummary[] {
  const unitDays = daysPerUnit(timeUnit);
  const summaries = new Array<CustomerSummary>(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const x = columns.x[i] as number;
    const first = columns.firstDay[i] as number;
    summaries[i] = {
      memberId: String(columns.memberId[i]),
      x,
      tx: ((columns.lastDay[i] as number) - first) / unitDays,
      T: (columns.calibrationEndDay - first) / unitDays,
      zbar: x > 0 ? (columns.repeatSpend[i] as number) / x : 0,
      holdoutX: columns.holdoutX[i] as number,
    };
  }
  return summaries;
}

export interface ScoringOptions extends ClvOptions {
  purchase: PurchaseModel;
  /** Absent when no spend model could be fitted: spend and CLV are then null. */
  spend: GammaGammaParams | undefined;
  horizonMonths: number;
  discountRate: number;
  margin: number;
}

/** Expected purchases over the CLV horizon, P(alive), expected spend, CLV and its percentile, per member. */
export function scoreMembers(
  columns: ClvSummaryColumns,
  summaries: readonly CustomerSummary[],
  options: ScoringOptions,
): PredictionColumns {
  const n = summaries.length;
  const horizon = (options.horizonMonths * DAYS_PER_MONTH) / daysPerUnit(options.timeUnit);
  const clvOptions: ClvOptions = {
    timeUnit: options.timeUnit,
    horizonMonths: options.horizonMonths,
    annualDiscountRate: options.discountRate,
    margin: options.margin,
  };
  const out: PredictionColumns = {
    memberId: columns.memberId,
    expectedPurchases: new Float64Array(n),
    pAlive: new Float64Array(n),
    expectedSpend: new Array<string | null>(n).fill(null),
    clv: new Array<string | null>(n).fill(null),
    clvPercentile: new Array<number | null>(n).fill(null),
  };
  // Day counts are whole numbers below 2^21, so one number keys a triple exactly.
  const cache = new Map<number, { expected: number; alive: number; discounted: number }>();
  const clvValues: number[] = [];
  const clvIndex: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = summaries[i] as CustomerSummary;
    const txDays = (columns.lastDay[i] as number) - (columns.firstDay[i] as number);
    const ageDays = columns.calibrationEndDay - (columns.firstDay[i] as number);
    const key = (s.x * 2 ** 21 + txDays) * 2 ** 21 + ageDays;
    let terms = cache.get(key);
    if (terms === undefined) {
      terms = {
        expected: expectedPurchases(options.purchase, s, horizon),
        alive: probabilityAlive(options.purchase, s),
        discounted: discountedExpectedPurchases(options.purchase, s, clvOptions),
      };
      cache.set(key, terms);
    }
    out.expectedPurchases[i] = terms.expected;
    out.pAlive[i] = terms.alive;
    if (options.spend === undefined) continue;
    const spend = gammaGammaExpectedSpend(options.spend, s);
    // q <= 1 leaves the population mean undefined, so members without a repeat order get no value.
    if (!Number.isFinite(spend)) continue;
    const value = options.margin * spend * terms.discounted;
    out.expectedSpend[i] = spend.toFixed(4);
    out.clv[i] = value.toFixed(4);
    clvValues.push(value);
    clvIndex.push(i);
  }
  const ranks = percentileRanks(clvValues);
  clvIndex.forEach((i, k) => {
    out.clvPercentile[i] = ranks[k] as number;
  });
  return out;
}
