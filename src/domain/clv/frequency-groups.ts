import type { CustomerSummary, FrequencyGroup } from './types.ts';

/**
 * Collapses customers with identical (x, tx, T) into counted groups. Cohort data repeat these
 * triples heavily (every x = 0 customer who joined on one day shares one), so the likelihood is
 * evaluated far fewer times per optimiser step.
 */
export function groupByFrequency(
  summaries: readonly Pick<CustomerSummary, 'x' | 'tx' | 'T'>[],
): FrequencyGroup[] {
  const groups = new Map<string, FrequencyGroup>();
  summaries.forEach((s, index) => {
    if (!(Number.isInteger(s.x) && s.x >= 0))
      throw new RangeError(`summaries[${index}].x must be a whole number >= 0`);
    if (!(s.tx >= 0 && s.T >= s.tx && Number.isFinite(s.T))) {
      throw new RangeError(`summaries[${index}] needs 0 <= tx <= T (tx=${s.tx}, T=${s.T})`);
    }
    const key = `${s.x}|${s.tx}|${s.T}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { x: s.x, tx: s.tx, T: s.T, count: 1 });
    else group.count += 1;
  });
  return [...groups.values()];
}
