import { AppError } from '../../contracts/errors.ts';
import type { HealthReport, MigrationRow } from '../../contracts/measurement.ts';
import { NO_SEGMENT } from '../../contracts/segments.ts';
import {
  engagementByCohort,
  engagementBySegment,
  type HealthPeriod,
  membersAtPeriodEnds,
  pointsBalances,
  sizesAtPeriodEnds,
} from '../../db/queries/program-health.ts';
import { migrationCells } from '../../db/queries/segment-history.ts';
import {
  DEFAULT_DIP_MIN_MEMBERS,
  DEFAULT_DIP_THRESHOLD,
  engagementWithDips,
  pointsLiability,
  segmentSizes,
} from '../../domain/measurement/program-health.ts';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';

/** Calendar months a health report covers unless told otherwise, ending with the current one. */
export const DEFAULT_HEALTH_MONTHS = 6;
/** Money value of one point when none is given, for the points liability. */
export const DEFAULT_POINT_VALUE = '0.01';
/** The scheme engagement and liability are broken down by unless told otherwise. */
export const DEFAULT_HEALTH_SCHEME = 'loyalty';
const APOSTLE_SCHEME = 'apostle';

export interface HealthOptions {
  programId: string;
  /** The report's end (default: the clock); the last period is the calendar month holding it, cut here. */
  until?: Date | undefined;
  months?: number | undefined;
  scheme?: string | undefined;
  dipThreshold?: number | undefined;
  minMembers?: number | undefined;
  pointValue?: string | undefined;
  /** Expected share of outstanding points to be redeemed (0-1); default: from history. */
  redemptionRate?: number | undefined;
}

/** Calendar months (UTC) ending with the one holding `until`, the last one cut at `until`. */
export function monthPeriods(until: Date, months: number): HealthPeriod[] {
  if (!(Number.isInteger(months) && months >= 1 && months <= 60)) {
    throw new AppError('INVALID_INPUT', `months must be a whole number from 1 to 60, got ${months}`);
  }
  const periods: HealthPeriod[] = [];
  for (let i = months - 1; i >= 0; i--) {
    const starts = new Date(Date.UTC(until.getUTCFullYear(), until.getUTCMonth() - i, 1));
    const next = new Date(Date.UTC(starts.getUTCFullYear(), starts.getUTCMonth() + 1, 1));
    periods.push({
      label: starts.toISOString().slice(0, 7),
      starts,
      ends: i === 0 && until < next ? until : next,
    });
  }
  return periods;
}

/**
 * Program health (docs/measurement.md): segment sizes at each month's end, migration between
 * segments over the whole range, engagement per join-month cohort and per segment with dips flagged,
 * points liability, and the Apostle distribution over time.
 */
export async function reportHealth(
  deps: Pick<Deps, 'db' | 'clock'>,
  options: HealthOptions,
): Promise<HealthReport> {
  const { programId } = options;
  await requireProgram(deps.db, programId);
  const until = options.until ?? deps.clock();
  const periods = monthPeriods(until, options.months ?? DEFAULT_HEALTH_MONTHS);
  const scheme = options.scheme ?? DEFAULT_HEALTH_SCHEME;
  const dip = {
    threshold: options.dipThreshold ?? DEFAULT_DIP_THRESHOLD,
    minMembers: options.minMembers ?? DEFAULT_DIP_MIN_MEMBERS,
  };
  if (!(dip.threshold > 0 && dip.threshold <= 1)) {
    throw new AppError('INVALID_INPUT', `dip threshold must be above 0 and at most 1, got ${dip.threshold}`);
  }
  const labels = periods.map((p) => p.label);
  const first = periods[0];
  if (!first) throw new Error('at least one period');

  const [sizes, totals, cohorts, bySegment, balances, cells] = await Promise.all([
    sizesAtPeriodEnds(deps.db, programId, periods),
    membersAtPeriodEnds(deps.db, programId, periods),
    engagementByCohort(deps.db, programId, periods),
    engagementBySegment(deps.db, programId, scheme, periods),
    pointsBalances(deps.db, programId, scheme, until),
    migrationCells(deps.db, { programId, from: first.starts, to: until }),
  ]);

  // A snapshot can count members whose join date is later than the period: the share never exceeds 1.
  const programMembers = new Map(totals.map((t) => [t.period, t.members]));
  for (const s of sizes) programMembers.set(s.period, Math.max(programMembers.get(s.period) ?? 0, s.size));
  const sizeRows = segmentSizes(
    sizes.map((s) => ({ period: s.period, scheme: s.scheme, segment: s.segment, members: s.size })),
    programMembers,
  );

  const fromTotals = new Map<string, number>();
  for (const c of cells)
    fromTotals.set(
      `${c.scheme}\u0000${c.from}`,
      (fromTotals.get(`${c.scheme}\u0000${c.from}`) ?? 0) + c.members,
    );
  const migration: MigrationRow[] = cells.map((c) => ({
    scheme: c.scheme,
    fromPeriod: first.starts.toISOString(),
    toPeriod: until.toISOString(),
    from: c.from === NO_SEGMENT ? null : c.from,
    to: c.to === NO_SEGMENT ? null : c.to,
    members: c.members,
    shareOfFrom: c.members / (fromTotals.get(`${c.scheme}\u0000${c.from}`) ?? c.members),
  }));

  let pointValue = options.pointValue ?? DEFAULT_POINT_VALUE;
  if (!/^\d+(\.\d{1,4})?$/.test(pointValue)) {
    throw new AppError('INVALID_INPUT', `point value must be a decimal such as 0.01, got "${pointValue}"`);
  }
  pointValue = pointValue.trim();
  if (options.redemptionRate !== undefined && !(options.redemptionRate >= 0 && options.redemptionRate <= 1)) {
    throw new AppError('INVALID_INPUT', `redemption rate must be from 0 to 1, got ${options.redemptionRate}`);
  }
  const liability = pointsLiability({
    ...balances,
    pointValue,
    ...(options.redemptionRate === undefined ? {} : { redemptionRate: options.redemptionRate }),
  });

  return {
    programId,
    periods: labels,
    settings: { dipThreshold: dip.threshold, minMembers: dip.minMembers },
    segmentSizes: sizeRows,
    migration,
    engagement: [
      ...engagementWithDips(cohorts, labels, 'cohort', dip),
      ...engagementWithDips(bySegment, labels, 'segment', dip),
    ],
    liability,
    apostle: sizeRows.filter((r) => r.scheme === APOSTLE_SCHEME),
  };
}
