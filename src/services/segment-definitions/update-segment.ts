import { type SegmentDetail, UpdateSegmentInput } from '../../contracts/segments.ts';
import { bumpDefinitionsVersion, segmentVersions } from '../../db/queries/segment-definitions.ts';
import type { Deps } from '../deps.ts';
import { checkRule, parseBody } from './definition-input.ts';
import { requireLiveSegment } from './require-segment.ts';

/**
 * Changes a custom segment by adding a version: what the input gives replaces the latest
 * version's value, the rest is carried over. Older versions are kept, so a stored membership or
 * transition can still be read against the definition that produced it.
 */
export async function updateSegment(
  deps: Pick<Deps, 'db'>,
  { programId, scheme, name, input }: { programId: string; scheme: string; name: string; input: unknown },
): Promise<SegmentDetail> {
  const body = parseBody(UpdateSegmentInput, input, 'the segment change');
  const rule = body.rule === undefined ? undefined : checkRule(body.rule);
  return deps.db.transaction().execute(async (trx) => {
    // The bump comes first: its row lock queues concurrent changes, so each reads the latest version.
    const definitionsVersion = await bumpDefinitionsVersion(trx, programId);
    const [latest] = await requireLiveSegment(trx, { programId, scheme, name });
    await trx
      .insertInto('segment_definitions')
      .values({
        program_id: programId,
        scheme,
        name,
        version: latest.version + 1,
        label: body.label ?? latest.label,
        description: body.description === undefined ? latest.description : body.description,
        rule: JSON.stringify(rule ?? latest.rule),
        position: body.position ?? latest.position,
        scheme_mode: latest.schemeMode,
      })
      .execute();
    const versions = await segmentVersions(trx, { programId, scheme, name });
    return { programId, latest: versions[0] as SegmentDetail['latest'], versions, definitionsVersion };
  });
}
