import type {
  ComparisonDifferenceRow,
  ComparisonEconomicsRow,
  ComparisonSideRow,
  LiftMetric,
  MeasurementSettings,
  SegmentedVsBroadcastReport,
} from '../../contracts/measurement.ts';
import { type Cell, type CellTotals, emptyTotals, poolTotals } from './campaign-cells.ts';
import {
  DEFAULT_SETTINGS,
  liftRow,
  lowCountReason,
  revenueMoments,
  totalCostUnits,
} from './campaign-report.ts';
import { perCount, unitsToDecimal, unitsToNumber } from './money.ts';
import { differenceOfEstimates, meanDifferenceSe, proportionDifferenceSe } from './statistics.ts';

// A segment-targeted campaign set against a broadcast one (or against a random audience of the same
// size), each measured against its own holdout. The two audiences differ by design, so their raw
// conversion rates are not comparable; what is comparable is each campaign's lift per member over its
// own holdout, and the difference of those lifts (a difference-in-differences), with a normal interval
// whose variance is the sum of the four arms' (docs/measurement.md).

/** One side of the comparison: all its variants pooled, and its holdout. */
export interface ComparedCampaign {
  campaignId: string;
  label: string;
  treated: CellTotals;
  holdout: CellTotals;
}

/** A campaign's all-member cells (scheme null) pooled into treated and holdout. */
export function comparedCampaign(
  campaignId: string,
  label: string,
  cells: readonly Cell[],
): ComparedCampaign {
  const overall = cells.filter((c) => c.scheme === null);
  return {
    campaignId,
    label,
    treated: poolTotals(overall.filter((c) => !c.holdout).map((c) => c.totals)),
    holdout: overall.find((c) => c.holdout)?.totals ?? emptyTotals(),
  };
}

const METRICS: readonly LiftMetric[] = ['conversion_rate', 'revenue_per_member'];

function sideRow(
  side: 'targeted' | 'broadcast',
  c: ComparedCampaign,
  metric: LiftMetric,
  settings: MeasurementSettings,
): ComparisonSideRow {
  const row = liftRow(
    { scheme: null, segment: null, variant: 'treated' },
    metric,
    'absolute',
    c.treated,
    c.holdout,
    settings,
  );
  return {
    side,
    campaignId: c.campaignId,
    label: c.label,
    metric,
    method: row.method,
    status: row.status,
    reason: row.reason,
    treatedMembers: row.variantMembers,
    holdoutMembers: row.holdoutMembers,
    treatedValue: row.variantValue,
    holdoutValue: row.holdoutValue,
    estimate: row.estimate,
    lower: row.lower,
    upper: row.upper,
    pValue: row.pValue,
    significant: row.significant,
  };
}

function liftWithSe(metric: LiftMetric, c: ComparedCampaign): { estimate: number; se: number } {
  const { treated: t, holdout: h } = c;
  if (metric === 'conversion_rate') {
    return {
      estimate: t.converted / t.assigned - h.converted / h.assigned,
      se: proportionDifferenceSe(t.converted, t.assigned, h.converted, h.assigned),
    };
  }
  const m1 = revenueMoments(t);
  const m0 = revenueMoments(h);
  return { estimate: m1.mean - m0.mean, se: meanDifferenceSe(m1, m0) };
}

function differenceRow(
  metric: LiftMetric,
  targeted: ComparedCampaign,
  broadcast: ComparedCampaign,
  settings: MeasurementSettings,
): ComparisonDifferenceRow {
  const empty = { estimate: null, lower: null, upper: null, pValue: null, significant: null };
  for (const [name, c] of [
    ['targeted', targeted],
    ['broadcast', broadcast],
  ] as const) {
    const reason = lowCountReason(metric, c.treated, c.holdout, settings);
    if (reason !== undefined) return { metric, status: 'low_count', reason: `${name}: ${reason}`, ...empty };
  }
  const result = differenceOfEstimates(
    liftWithSe(metric, targeted),
    liftWithSe(metric, broadcast),
    settings.confidenceLevel,
  );
  if (!result) return { metric, status: 'not_estimable', reason: 'no arm varies', ...empty };
  return {
    metric,
    status: 'ok',
    reason: null,
    ...result,
    significant: result.lower > 0 || result.upper < 0,
  };
}

function economicsRow(
  side: 'targeted' | 'broadcast',
  c: ComparedCampaign,
  rows: readonly ComparisonSideRow[],
): ComparisonEconomicsRow {
  const costUnits = totalCostUnits(c.treated);
  const cost = unitsToNumber(costUnits);
  const lift = (metric: LiftMetric) =>
    rows.find((r) => r.side === side && r.metric === metric)?.estimate ?? null;
  const conversionLift = lift('conversion_rate');
  const revenueLift = lift('revenue_per_member');
  const incrementalConversions = conversionLift === null ? null : conversionLift * c.treated.assigned;
  const incrementalRevenue = revenueLift === null ? null : revenueLift * c.treated.assigned;
  return {
    side,
    campaignId: c.campaignId,
    treatedMembers: c.treated.assigned,
    totalCost: unitsToDecimal(costUnits),
    costPerTreatedMember: perCount(costUnits, c.treated.assigned),
    incrementalConversions,
    incrementalRevenue,
    costPerIncrementalConversion:
      incrementalConversions !== null && incrementalConversions > 0 ? cost / incrementalConversions : null,
    incrementalRevenuePerCost: incrementalRevenue !== null && cost > 0 ? incrementalRevenue / cost : null,
  };
}

/** The comparison report: each side's lift per metric, their difference, and what each cost. */
export function segmentedVsBroadcast(
  targeted: ComparedCampaign,
  broadcast: ComparedCampaign,
  settings: Partial<MeasurementSettings> = {},
): SegmentedVsBroadcastReport {
  const resolved: MeasurementSettings = { ...DEFAULT_SETTINGS, ...settings };
  const sides = METRICS.flatMap((metric) => [
    sideRow('targeted', targeted, metric, resolved),
    sideRow('broadcast', broadcast, metric, resolved),
  ]);
  return {
    settings: resolved,
    sides,
    differences: METRICS.map((metric) => differenceRow(metric, targeted, broadcast, resolved)),
    economics: [economicsRow('targeted', targeted, sides), economicsRow('broadcast', broadcast, sides)],
  };
}
