import type {
  EngagementRow,
  MigrationRow,
  PointsLiability,
  PointsLiabilityRow,
  SegmentSizeRow,
} from '../../contracts/measurement.ts';
import { divideRounded, toUnits, unitsToDecimal } from './money.ts';

// The pure parts of the program-health report (docs/measurement.md): shares of segment sizes,
// migration between segments, engagement by cohort or segment with dips flagged, and points liability.
// Counting members per period is the database's job; these functions take those counts.

/** A drop of more than 20% against the previous period is a dip, unless a group is smaller than 30. */
export const DEFAULT_DIP_THRESHOLD = 0.2;
export const DEFAULT_DIP_MIN_MEMBERS = 30;

/** Thresholds and rates are compared as whole parts per billion, so a boundary case is decided exactly. */
const PARTS = 1_000_000_000n;

function toParts(fraction: number, what: string): bigint {
  if (!(fraction >= 0 && fraction <= 1))
    throw new RangeError(`${what} must be between 0 and 1, got ${fraction}`);
  return BigInt(Math.round(fraction * 1e9));
}

/** The join-month cohort of a member, "YYYY-MM" in UTC; "unknown" without a join date. */
export function cohortOf(joinedAt: string | null): string {
  if (joinedAt === null) return 'unknown';
  const ms = Date.parse(joinedAt);
  if (!Number.isFinite(ms)) throw new RangeError(`not a timestamp: ${JSON.stringify(joinedAt)}`);
  const date = new Date(ms);
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

/**
 * Whether `current` (active / members) dropped by more than `threshold` (a fraction) against
 * `previous`: current rate < previous rate x (1 - threshold), decided in integers.
 */
export function isDip(
  previous: { active: number; members: number },
  current: { active: number; members: number },
  threshold: number,
): boolean {
  if (previous.members === 0 || current.members === 0 || previous.active === 0) return false;
  const keep = PARTS - toParts(threshold, 'dip threshold');
  return (
    BigInt(current.active) * BigInt(previous.members) * PARTS <
    BigInt(previous.active) * BigInt(current.members) * keep
  );
}

export interface GroupPeriodCount {
  group: string;
  period: string;
  members: number;
  active: number;
}

/**
 * Engagement rate per group and period, each against the same group's previous period in `periods`
 * (a period with no row for the group counts as empty). A dip needs both periods to have at least
 * `minMembers` members; smaller groups are `low_count` and never flagged.
 */
export function engagementWithDips(
  counts: readonly GroupPeriodCount[],
  periods: readonly string[],
  groupBy: 'cohort' | 'segment',
  options: { threshold?: number; minMembers?: number } = {},
): EngagementRow[] {
  const threshold = options.threshold ?? DEFAULT_DIP_THRESHOLD;
  const minMembers = options.minMembers ?? DEFAULT_DIP_MIN_MEMBERS;
  toParts(threshold, 'dip threshold');
  const order = new Map(periods.map((p, i) => [p, i]));
  const byKey = new Map<string, GroupPeriodCount>();
  for (const c of counts) {
    if (!order.has(c.period)) throw new RangeError(`period ${c.period} is not among the periods given`);
    if (c.active > c.members)
      throw new RangeError(`group ${c.group} has more active than members in ${c.period}`);
    byKey.set(JSON.stringify([c.group, c.period]), c);
  }
  const groups = [...new Set(counts.map((c) => c.group))].sort();
  const rows: EngagementRow[] = [];
  for (const group of groups) {
    for (const [i, period] of periods.entries()) {
      const current = byKey.get(JSON.stringify([group, period]));
      if (!current) continue;
      const previousPeriod = i > 0 ? periods[i - 1] : undefined;
      const previous =
        previousPeriod === undefined ? undefined : byKey.get(JSON.stringify([group, previousPeriod]));
      const rate = current.members > 0 ? current.active / current.members : null;
      const previousRate = previous && previous.members > 0 ? previous.active / previous.members : null;
      const change =
        rate !== null && previousRate !== null && previousRate > 0
          ? (rate - previousRate) / previousRate
          : null;
      const status =
        previousRate === null
          ? 'no_previous'
          : current.members < minMembers || (previous?.members ?? 0) < minMembers
            ? 'low_count'
            : 'ok';
      rows.push({
        period,
        groupBy,
        group,
        members: current.members,
        active: current.active,
        rate,
        previousRate,
        change,
        dip: status === 'ok' && previous !== undefined && isDip(previous, current, threshold),
        status,
      });
    }
  }
  return rows;
}

/** Segment sizes with each one's share of the program's members in that period. */
export function segmentSizes(
  counts: readonly { period: string; scheme: string; segment: string | null; members: number }[],
  programMembers: ReadonlyMap<string, number>,
): SegmentSizeRow[] {
  return counts.map((c) => {
    const total = programMembers.get(c.period) ?? 0;
    if (c.members > total) {
      throw new RangeError(`segment ${c.segment} has more members than the program in ${c.period}`);
    }
    return { ...c, share: total > 0 ? c.members / total : 0 };
  });
}

/**
 * How members moved between the segments of a one-label (first_match) scheme from one period to the
 * next: a row per (from, to) pair that has members. null is "in no segment" (or not yet / no longer a
 * member). Rows are ordered by from, then to, with null last.
 */
export function migrationMatrix(
  scheme: string,
  fromPeriod: string,
  toPeriod: string,
  before: ReadonlyMap<string, string | null>,
  after: ReadonlyMap<string, string | null>,
): MigrationRow[] {
  const pairs = new Map<string, { from: string | null; to: string | null; members: number }>();
  const fromTotals = new Map<string | null, number>();
  const count = (from: string | null, to: string | null) => {
    const key = JSON.stringify([from, to]);
    const pair = pairs.get(key);
    if (pair) pair.members++;
    else pairs.set(key, { from, to, members: 1 });
    fromTotals.set(from, (fromTotals.get(from) ?? 0) + 1);
  };
  for (const [member, from] of before) count(from, after.get(member) ?? null);
  for (const [member, to] of after) if (!before.has(member)) count(null, to);
  return [...pairs.values()]
    .sort((a, b) => nullLast(a.from, b.from) || nullLast(a.to, b.to))
    .map(({ from, to, members }) => ({
      scheme,
      fromPeriod,
      toPeriod,
      from,
      to,
      members,
      shareOfFrom: members / (fromTotals.get(from) ?? members),
    }));
}

export interface LiabilityInput {
  /** Each member's current points balance, with the group (e.g. segment) to break it down by. */
  balances: Iterable<{ group: string | null; points: number }>;
  /** Points redeemed and points expired over the history the rate is estimated from. */
  redeemedPoints: number;
  expiredPoints: number;
  /** Money value of one point, a decimal string. */
  pointValue: string;
  /** Overrides the historical redemption rate (0-1), e.g. from an actuarial estimate. */
  redemptionRate?: number;
}

/**
 * Outstanding points (positive balances only: a negative balance is owed to the program, not a
 * liability) and the part expected to be redeemed. Without a configured rate the expected share is
 * what history shows of points that have left balances: redeemed / (redeemed + expired). Values are
 * exact to 1/10,000 of the currency.
 */
export function pointsLiability(input: LiabilityInput): PointsLiability {
  const valueUnits = toUnits(input.pointValue);
  if (valueUnits < 0n) throw new RangeError('point value must not be negative');
  for (const [name, points] of [
    ['redeemedPoints', input.redeemedPoints],
    ['expiredPoints', input.expiredPoints],
  ] as const) {
    if (!(Number.isSafeInteger(points) && points >= 0))
      throw new RangeError(`${name} must be a whole number >= 0`);
  }
  let rate: { numerator: bigint; denominator: bigint } | null = null;
  let source: PointsLiability['redemptionRateSource'] = 'none';
  if (input.redemptionRate !== undefined) {
    rate = { numerator: toParts(input.redemptionRate, 'redemption rate'), denominator: PARTS };
    source = 'configured';
  } else if (input.redeemedPoints + input.expiredPoints > 0) {
    rate = {
      numerator: BigInt(input.redeemedPoints),
      denominator: BigInt(input.redeemedPoints + input.expiredPoints),
    };
    source = 'history';
  }

  const groups = new Map<string | null, { members: number; points: bigint }>([
    [null, { members: 0, points: 0n }],
  ]);
  for (const { group, points } of input.balances) {
    if (!Number.isSafeInteger(points)) throw new RangeError(`a balance is not a whole number: ${points}`);
    if (points <= 0) continue;
    for (const key of group === null ? [null] : [null, group]) {
      const g = groups.get(key) ?? { members: 0, points: 0n };
      g.members++;
      g.points += BigInt(points);
      groups.set(key, g);
    }
  }
  const rows: PointsLiabilityRow[] = [...groups.entries()]
    .sort(([a], [b]) => (a === null ? -1 : b === null ? 1 : a < b ? -1 : a > b ? 1 : 0))
    .map(([group, g]) => ({
      group,
      membersWithBalance: g.members,
      outstandingPoints: Number(g.points),
      outstandingValue: unitsToDecimal(g.points * valueUnits),
      expectedRedemptionPoints: rate ? Number(g.points * rate.numerator) / Number(rate.denominator) : null,
      expectedRedemptionValue: rate
        ? unitsToDecimal(divideRounded(g.points * valueUnits * rate.numerator, rate.denominator))
        : null,
    }));
  return {
    pointValue: unitsToDecimal(valueUnits),
    redeemedPoints: input.redeemedPoints,
    expiredPoints: input.expiredPoints,
    redemptionRate: rate ? Number(rate.numerator) / Number(rate.denominator) : null,
    redemptionRateSource: source,
    rows,
  };
}

function nullLast(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
