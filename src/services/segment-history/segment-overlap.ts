import type { SegmentOverlap } from '../../contracts/segments.ts';
import { overlapCounts } from '../../db/queries/segment-history.ts';
import type { Deps } from '../deps.ts';
import { resolveSegment } from './resolve-segment.ts';

/** Sizes of two segments now, how many members they share, and their Jaccard index. */
export async function segmentOverlap(
  deps: Pick<Deps, 'db'>,
  {
    programId,
    a,
    b,
  }: {
    programId: string;
    a: { name: string; scheme?: string | undefined };
    b: { name: string; scheme?: string | undefined };
  },
): Promise<SegmentOverlap> {
  const first = await resolveSegment(deps, { programId, ...a });
  const second = await resolveSegment(deps, { programId, ...b });
  const counts = await overlapCounts(deps.db, { programId, a: first, b: second });
  const union = counts.a + counts.b - counts.both;
  return {
    programId,
    a: { ...first, size: counts.a },
    b: { ...second, size: counts.b },
    intersection: counts.both,
    union,
    jaccard: union === 0 ? 0 : counts.both / union,
  };
}
