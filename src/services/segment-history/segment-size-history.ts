import type { SegmentSizeSeries } from '../../contracts/segments.ts';
import { sizeSnapshots } from '../../db/queries/segment-history.ts';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';

/** Segment sizes over time, one series per segment, from the snapshots each refresh takes. */
export async function segmentSizeHistory(
  deps: Pick<Deps, 'db'>,
  options: { programId: string; scheme?: string | undefined; from?: Date | undefined; to?: Date | undefined },
): Promise<SegmentSizeSeries> {
  await requireProgram(deps.db, options.programId);
  const rows = await sizeSnapshots(deps.db, options);
  const series = new Map<string, SegmentSizeSeries['series'][number]>();
  for (const row of rows) {
    const key = `${row.scheme}/${row.segment}`;
    let one = series.get(key);
    if (!one) {
      one = { scheme: row.scheme, segment: row.segment, points: [] };
      series.set(key, one);
    }
    one.points.push({ asOf: row.as_of.toISOString(), size: row.size });
  }
  return { programId: options.programId, series: [...series.values()] };
}
