import type { Kysely } from 'kysely';
import { AppError } from '../../contracts/errors.ts';
import type { SegmentVersion } from '../../contracts/segments.ts';
import { segmentVersions } from '../../db/queries/segment-definitions.ts';
import type { Schema } from '../../db/schema.ts';

/** A custom segment's versions (newest first) when its latest is not deleted, else NOT_FOUND. */
export async function requireLiveSegment(
  db: Kysely<Schema>,
  key: { programId: string; scheme: string; name: string },
): Promise<[SegmentVersion, ...SegmentVersion[]]> {
  const versions = await segmentVersions(db, key);
  const latest = versions[0];
  if (!latest || latest.deleted) {
    throw new AppError(
      'NOT_FOUND',
      `program "${key.programId}" has no custom segment "${key.scheme}/${key.name}"${latest ? ` (deleted in version ${latest.version})` : ''}`,
    );
  }
  return versions as [SegmentVersion, ...SegmentVersion[]];
}
