import { AppError } from '../../contracts/errors.ts';
import type { SegmentDetail } from '../../contracts/segments.ts';
import { segmentSettings, segmentVersions } from '../../db/queries/segment-definitions.ts';
import type { Deps } from '../deps.ts';

/** A custom segment with every version, newest first (a deleted one too, marked so). */
export async function showSegment(
  deps: Pick<Deps, 'db'>,
  { programId, scheme, name }: { programId: string; scheme: string; name: string },
): Promise<SegmentDetail> {
  const versions = await segmentVersions(deps.db, { programId, scheme, name });
  const latest = versions[0];
  if (!latest)
    throw new AppError('NOT_FOUND', `program "${programId}" has no custom segment "${scheme}/${name}"`);
  const { definitionsVersion } = await segmentSettings(deps.db, programId);
  return { programId, latest, versions, definitionsVersion };
}
