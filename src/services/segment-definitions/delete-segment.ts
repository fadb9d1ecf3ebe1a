import type { SegmentDetail } from '../../contracts/segments.ts';
import { bumpDefinitionsVersion, segmentVersions } from '../../db/queries/segment-definitions.ts';
import type { Deps } from '../deps.ts';
import { requireLiveSegment } from './require-segment.ts';

/**
 * Deletes a custom segment by marking its latest version deleted. Its history stays: the versions,
 * and the memberships until the next refresh, which sees the bumped definitions version and
 * records the members leaving (cause "definition").
 */
export async function deleteSegment(
  deps: Pick<Deps, 'db'>,
  { programId, scheme, name }: { programId: string; scheme: string; name: string },
): Promise<SegmentDetail> {
  return deps.db.transaction().execute(async (trx) => {
    // The bump comes first: its row lock queues concurrent changes, so each reads the latest version.
    const definitionsVersion = await bumpDefinitionsVersion(trx, programId);
    const [latest] = await requireLiveSegment(trx, { programId, scheme, name });
    await trx
      .updateTable('segment_definitions')
      .set({ deleted: true })
      .where('program_id', '=', programId)
      .where('scheme', '=', scheme)
      .where('name', '=', name)
      .where('version', '=', latest.version)
      .execute();
    const versions = await segmentVersions(trx, { programId, scheme, name });
    return { programId, latest: versions[0] as SegmentDetail['latest'], versions, definitionsVersion };
  });
}
