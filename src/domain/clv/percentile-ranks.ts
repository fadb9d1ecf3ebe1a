/**
 * Each value's percentile (0-100) within the list, in input order: the lowest value gets 0, the
 * highest 100, and tied values share the mean of their ranks (so a list of equal values is all 50,
 * as is a single value). Ties sharing a rank keep "top 10%" style cut-offs from splitting equals.
 * Throws a RangeError naming the index of a NaN, since it has no place in an ordering.
 */
export function percentileRanks(values: readonly number[]): number[] {
  const n = values.length;
  values.forEach((v, i) => {
    if (Number.isNaN(v)) throw new RangeError(`values[${i}] is NaN`);
  });
  if (n === 0) return [];
  if (n === 1) return [50];
  const order = values.map((_, i) => i).sort((i, j) => (values[i] as number) - (values[j] as number));
  const ranks = new Array<number>(n).fill(0);
  let start = 0;
  while (start < n) {
    let end = start;
    const v = values[order[start] as number];
    while (end + 1 < n && values[order[end + 1] as number] === v) end++;
    const meanRank = (start + end) / 2;
    for (let k = start; k <= end; k++) ranks[order[k] as number] = (100 * meanRank) / (n - 1);
    start = end + 1;
  }
  return ranks;
}
