import type {
  CampaignCellRow,
  CampaignReport,
  LiftMethod,
  LiftMetric,
  LiftRow,
  LiftScale,
  MeasurementSettings,
  RowStatus,
} from '../../contracts/measurement.ts';
import { DEFAULT_WINDOW_SECONDS } from './attribution.ts';
import { type Cell, type CellTotals, emptyTotals } from './campaign-cells.ts';
import { perCount, unitsToDecimal, unitsToNumber } from './money.ts';
import {
  differenceOfMeans,
  differenceOfProportions,
  type IntervalEstimate,
  type Moments,
  relativeDifferenceOfMeans,
  relativeDifferenceOfProportions,
} from './statistics.ts';

// The campaign report: per scheme x segment x arm metrics, and each variant against the holdout
// (docs/measurement.md). Pure: it reads cell sums, so it is the same whether the sums came from
// `tallyCells` or from SQL.

/** The thresholds a report uses unless told otherwise. */
export const DEFAULT_SETTINGS: MeasurementSettings = {
  attributionRule: 'last_touch',
  windowSeconds: DEFAULT_WINDOW_SECONDS,
  confidenceLevel: 0.95,
  minMembers: 100,
  minConversions: 10,
};

export interface CampaignReportInput {
  campaignId: string;
  currency: string | null;
  /** Every arm of the campaign in display order; at most one is the holdout. */
  arms: readonly { arm: string; holdout: boolean }[];
  schemes: readonly string[];
  cells: readonly Cell[];
}

/** Mean and sample variance of revenue per member in currency units, from exact sums. */
export function revenueMoments(t: CellTotals): Moments {
  const n = t.assigned;
  if (n === 0) return { n, mean: 0, variance: 0 };
  const mean = Number(t.revenueUnits) / n / 10_000;
  if (n < 2) return { n, mean, variance: 0 };
  // n * sum(x^2) - (sum x)^2 is exact in bigint; only the final division is rounded.
  const big = BigInt(n);
  const numerator = big * t.revenueSquaresUnits - t.revenueUnits * t.revenueUnits;
  return { n, mean, variance: Number(numerator) / (n * (n - 1)) / 1e8 };
}

export function totalCostUnits(t: CellTotals): bigint {
  return t.offerCostUnits + t.messageCostUnits;
}

/** Why a comparison of these two arms would be noise, or undefined when it would not. */
export function lowCountReason(
  metric: LiftMetric,
  treated: CellTotals,
  control: CellTotals,
  settings: Pick<MeasurementSettings, 'minMembers' | 'minConversions'>,
): string | undefined {
  for (const [name, t] of [
    ['variant', treated],
    ['holdout', control],
  ] as const) {
    if (t.assigned < settings.minMembers) {
      return `${name} has ${t.assigned} members, fewer than ${settings.minMembers}`;
    }
    if (metric === 'conversion_rate') {
      if (t.converted < settings.minConversions) {
        return `${name} has ${t.converted} conversions, fewer than ${settings.minConversions}`;
      }
      if (t.assigned - t.converted < settings.minConversions) {
        return `${name} has ${t.assigned - t.converted} members without a conversion, fewer than ${settings.minConversions}`;
      }
    } else if (t.revenueMembers < settings.minConversions) {
      return `${name} has ${t.revenueMembers} members with revenue, fewer than ${settings.minConversions}`;
    }
  }
  return undefined;
}

function cellStatus(t: CellTotals, settings: MeasurementSettings): RowStatus {
  return t.assigned < settings.minMembers || t.converted < settings.minConversions ? 'low_count' : 'ok';
}

export function cellRow(
  key: { scheme: string | null; segment: string | null; arm: string; holdout: boolean },
  t: CellTotals,
  settings: MeasurementSettings,
): CampaignCellRow {
  const status = cellStatus(t, settings);
  const shown = status === 'ok';
  const cost = totalCostUnits(t);
  return {
    ...key,
    assigned: t.assigned,
    sent: t.sent,
    delivered: t.delivered,
    opened: t.opened,
    clicked: t.clicked,
    converted: t.converted,
    orders: t.orders,
    redeemed: t.redeemed,
    redemptions: t.redemptions,
    messages: t.messages,
    revenue: unitsToDecimal(t.revenueUnits),
    offerCost: unitsToDecimal(t.offerCostUnits),
    messageCost: unitsToDecimal(t.messageCostUnits),
    totalCost: unitsToDecimal(cost),
    conversionRate: shown && t.assigned > 0 ? t.converted / t.assigned : null,
    revenuePerMember: shown ? perCount(t.revenueUnits, t.assigned) : null,
    costPerAcquisition: shown ? perCount(cost, t.converted) : null,
    status,
  };
}

const METHOD: Record<LiftMetric, Record<LiftScale, LiftMethod>> = {
  conversion_rate: { absolute: 'newcombe_wilson', relative: 'katz_log' },
  revenue_per_member: { absolute: 'welch_t', relative: 'delta_log_ratio' },
};

/** The interval estimate of one metric on one scale, treated against control. */
export function liftEstimate(
  metric: LiftMetric,
  scale: LiftScale,
  treated: CellTotals,
  control: CellTotals,
  level: number,
): IntervalEstimate | undefined {
  if (treated.assigned === 0 || control.assigned === 0) return undefined;
  if (metric === 'conversion_rate') {
    const args = [treated.converted, treated.assigned, control.converted, control.assigned, level] as const;
    return scale === 'absolute' ? differenceOfProportions(...args) : relativeDifferenceOfProportions(...args);
  }
  const m1 = revenueMoments(treated);
  const m0 = revenueMoments(control);
  return scale === 'absolute' ? differenceOfMeans(m1, m0, level) : relativeDifferenceOfMeans(m1, m0, level);
}

function metricValue(metric: LiftMetric, t: CellTotals): number {
  return metric === 'conversion_rate' ? t.converted / t.assigned : revenueMoments(t).mean;
}

export function liftRow(
  key: { scheme: string | null; segment: string | null; variant: string },
  metric: LiftMetric,
  scale: LiftScale,
  treated: CellTotals,
  control: CellTotals,
  settings: MeasurementSettings,
): LiftRow {
  const base = {
    ...key,
    metric,
    scale,
    method: METHOD[metric][scale],
    variantMembers: treated.assigned,
    holdoutMembers: control.assigned,
  };
  const empty = {
    variantValue: null,
    holdoutValue: null,
    estimate: null,
    lower: null,
    upper: null,
    pValue: null,
    significant: null,
    incremental: null,
    costPerIncremental: null,
  };
  const lowCount = lowCountReason(metric, treated, control, settings);
  if (lowCount !== undefined) return { ...base, status: 'low_count', reason: lowCount, ...empty };
  const result = liftEstimate(metric, scale, treated, control, settings.confidenceLevel);
  if (!result) {
    const reason = scale === 'relative' ? 'a ratio needs a value above 0 in both arms' : 'neither arm varies';
    return { ...base, status: 'not_estimable', reason, ...empty };
  }
  const incremental = scale === 'absolute' ? result.estimate * treated.assigned : null;
  const cost = unitsToNumber(totalCostUnits(treated));
  return {
    ...base,
    status: 'ok',
    reason: null,
    variantValue: metricValue(metric, treated),
    holdoutValue: metricValue(metric, control),
    estimate: result.estimate,
    lower: result.lower,
    upper: result.upper,
    pValue: result.pValue,
    significant: result.lower > 0 || result.upper < 0,
    incremental,
    costPerIncremental: incremental !== null && incremental > 0 ? cost / incremental : null,
  };
}

const METRICS: readonly LiftMetric[] = ['conversion_rate', 'revenue_per_member'];
const SCALES: readonly LiftScale[] = ['absolute', 'relative'];

/**
 * Builds the report. Every (scheme, segment) seen gets a row for every arm (zeros where the arm has
 * no member there), and each variant a lift row per metric and scale against the holdout of the same
 * cell. Segments are ordered by name, the no-segment group last; arms in the order given.
 */
export function campaignReport(
  input: CampaignReportInput,
  settings: Partial<MeasurementSettings> = {},
): CampaignReport {
  const resolved: MeasurementSettings = { ...DEFAULT_SETTINGS, ...settings };
  const holdouts = input.arms.filter((a) => a.holdout);
  if (holdouts.length > 1) throw new RangeError(`campaign ${input.campaignId} has more than one holdout arm`);
  const holdout = holdouts[0];
  const known = new Set(input.arms.map((a) => a.arm));

  const totals = new Map<string, CellTotals>();
  const segments = new Map<string | null, Set<string | null>>([[null, new Set([null])]]);
  for (const scheme of input.schemes) segments.set(scheme, new Set());
  for (const cell of input.cells) {
    if (!known.has(cell.arm)) throw new RangeError(`cell of unknown arm ${cell.arm}`);
    const seen = segments.get(cell.scheme);
    if (!seen) continue;
    seen.add(cell.segment);
    totals.set(cellKey(cell.scheme, cell.segment, cell.arm), cell.totals);
  }

  const cells: CampaignCellRow[] = [];
  const lifts: LiftRow[] = [];
  for (const [scheme, seen] of segments) {
    for (const segment of [...seen].sort(bySegment)) {
      const of = (arm: string) => totals.get(cellKey(scheme, segment, arm)) ?? emptyTotals();
      for (const { arm, holdout: isHoldout } of input.arms) {
        cells.push(cellRow({ scheme, segment, arm, holdout: isHoldout }, of(arm), resolved));
      }
      if (!holdout) continue;
      const control = of(holdout.arm);
      for (const { arm, holdout: isHoldout } of input.arms) {
        if (isHoldout) continue;
        for (const metric of METRICS) {
          for (const scale of SCALES) {
            lifts.push(liftRow({ scheme, segment, variant: arm }, metric, scale, of(arm), control, resolved));
          }
        }
      }
    }
  }

  return {
    campaignId: input.campaignId,
    currency: input.currency,
    settings: resolved,
    arms: input.arms.map(({ arm, holdout: isHoldout }) => ({ arm, holdout: isHoldout })),
    schemes: [...input.schemes],
    cells,
    lifts,
  };
}

function cellKey(scheme: string | null, segment: string | null, arm: string): string {
  return JSON.stringify([scheme, segment, arm]);
}

function bySegment(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
