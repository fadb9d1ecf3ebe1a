/** Which way a value is better: frequency and monetary higher, recency (days since) lower. */
export type ScoreDirection = 'higher_is_better' | 'lower_is_better';

/** Number of quantile groups: quintiles, scores 1-5. */
export const RFM_GROUPS = 5;

/** Count of values in an ascending list strictly below `value` (binary search). */
function countBelow(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Count of values in an ascending list strictly above `value`. */
function countAbove(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}

/**
 * A value's 1-5 quintile score against the program's values (ascending; the member's own value
 * included): 1 + floor(5 * worse / n), where `worse` counts the values strictly worse than this one.
 * Tied values therefore share one score, the one their lowest-placed member would get, so a tie is
 * never split across two scores; a large tie (say 60% of members with one order) all score low
 * rather than being scattered at random. The value need not be in the list (an incremental update
 * scores one member against the stored distribution); against an empty list it scores 1.
 */
export function quintileScore(
  value: number,
  sortedAscending: readonly number[],
  direction: ScoreDirection,
): number {
  const n = sortedAscending.length;
  if (n === 0) return 1;
  const worse =
    direction === 'higher_is_better'
      ? countBelow(sortedAscending, value)
      : countAbove(sortedAscending, value);
  return Math.min(RFM_GROUPS, 1 + Math.floor((RFM_GROUPS * worse) / n));
}

/**
 * Each value's 1-5 quintile score within the list, in input order; null stays null (a member with
 * no purchase has no R, F or M) and is not counted in the distribution. Money goes in as Number of
 * its decimal string: ordering, which is all scoring needs, survives that conversion.
 * R: pass recency in days with `lower_is_better`, so the most recent buyers score 5.
 * Throws a RangeError naming the index of a NaN.
 */
export function rfmScores(values: readonly (number | null)[], direction: ScoreDirection): (number | null)[] {
  const present: number[] = [];
  values.forEach((v, i) => {
    if (v === null) return;
    if (Number.isNaN(v)) throw new RangeError(`values[${i}] is NaN`);
    present.push(v);
  });
  present.sort((a, b) => a - b);
  return values.map((v) => (v === null ? null : quintileScore(v, present, direction)));
}
