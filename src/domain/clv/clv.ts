import { gammaGammaExpectedSpend } from './gamma-gamma.ts';
import { percentileRanks } from './percentile-ranks.ts';
import { expectedPurchases, type PurchaseModel, probabilityAlive } from './purchase-model.ts';
import { daysPerUnit } from './summaries.ts';
import type { CustomerSummary, GammaGammaParams, TimeUnit } from './types.ts';

/** Settings for turning model predictions into a money value. */
export interface ClvOptions {
  /** Unit the summaries' tx and T are in. */
  timeUnit: TimeUnit;
  /** Months of future purchases the CLV covers (default 12). */
  horizonMonths?: number;
  /** Annual discount rate, e.g. 0.1 for 10% a year (default 0.1). */
  annualDiscountRate?: number;
  /** Share of spend kept as profit, 0-1 (default 1: CLV in revenue terms). */
  margin?: number;
}

/** Default CLV settings, named so services can show them. */
export const CLV_DEFAULTS = { horizonMonths: 12, annualDiscountRate: 0.1, margin: 1 } as const;

/** Average month length in days (365.25 / 12), so a 12-month horizon is exactly one average year. */
export const DAYS_PER_MONTH = 365.25 / 12;

/**
 * Expected purchases over `months` months, each month's purchases discounted to today.
 *
 * Approximation: the expected-purchases curve E(t) is cut into monthly steps and the purchases
 * expected in month m, E(m) - E(m-1), are discounted as if all made at that month's end, by
 * (1 + annualRate)^(-m/12). This slightly understates value (purchases early in a month are
 * discounted a little too much) but needs only `months` model evaluations and never overstates.
 */
export function discountedExpectedPurchases(
  model: PurchaseModel,
  history: Pick<CustomerSummary, 'x' | 'tx' | 'T'>,
  options: ClvOptions,
): number {
  const months = options.horizonMonths ?? CLV_DEFAULTS.horizonMonths;
  const rate = options.annualDiscountRate ?? CLV_DEFAULTS.annualDiscountRate;
  if (!(months >= 0 && Number.isInteger(months)))
    throw new RangeError('horizonMonths must be a whole number >= 0');
  if (!(rate > -1)) throw new RangeError('annualDiscountRate must be > -1');
  const unitsPerMonth = DAYS_PER_MONTH / daysPerUnit(options.timeUnit);
  let total = 0;
  let previous = 0;
  for (let m = 1; m <= months; m++) {
    const cumulative = expectedPurchases(model, history, m * unitsPerMonth);
    total += (cumulative - previous) / (1 + rate) ** (m / 12);
    previous = cumulative;
  }
  return total;
}

/** The predictions the segmentation engine keeps per member. */
export interface MemberPrediction {
  memberId: string;
  /** Expected repeat purchases over the prediction horizon. */
  expectedPurchases: number;
  /** Probability the member is still active at the calibration end. */
  probabilityAlive: number;
  /** Expected spend per future order (Gamma-Gamma conditional mean; population mean for x = 0). */
  expectedSpend: number;
  /** margin × expected spend × discounted expected purchases over the CLV horizon. */
  clv: number;
  /** The member's CLV percentile (0-100) within this batch. */
  clvPercentile: number;
}

export interface PredictionOptions extends ClvOptions {
  /** Horizon for `expectedPurchases`, in the time unit (default: the CLV horizon in months). */
  purchaseHorizon?: number;
}

/** Per-member predictions and CLV from a fitted purchase model and a fitted spend model. */
export function predictMembers(
  summaries: readonly CustomerSummary[],
  models: { purchase: PurchaseModel; spend: GammaGammaParams },
  options: PredictionOptions,
): MemberPrediction[] {
  const margin = options.margin ?? CLV_DEFAULTS.margin;
  const months = options.horizonMonths ?? CLV_DEFAULTS.horizonMonths;
  const horizon = options.purchaseHorizon ?? (months * DAYS_PER_MONTH) / daysPerUnit(options.timeUnit);
  const rows = summaries.map((s) => {
    const expectedSpend = gammaGammaExpectedSpend(models.spend, s);
    return {
      memberId: s.memberId,
      expectedPurchases: expectedPurchases(models.purchase, s, horizon),
      probabilityAlive: probabilityAlive(models.purchase, s),
      expectedSpend,
      clv: margin * expectedSpend * discountedExpectedPurchases(models.purchase, s, options),
    };
  });
  const percentiles = percentileRanks(rows.map((r) => r.clv));
  return rows.map((r, i) => ({ ...r, clvPercentile: percentiles[i] as number }));
}
