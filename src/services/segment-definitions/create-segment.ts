import { AppError } from '../../contracts/errors.ts';
import { CreateSegmentInput, type SegmentDetail } from '../../contracts/segments.ts';
import { loadCustomSegments } from '../../db/queries/program-schemes.ts';
import { bumpDefinitionsVersion, segmentVersions } from '../../db/queries/segment-definitions.ts';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';
import { checkRule, invalidInput, parseBody, requireCustomScheme } from './definition-input.ts';

/**
 * Defines a custom segment in a scheme of the program's own. The rule is checked against the
 * feature catalogue now, so a typo cannot silently match nobody. A name whose latest version was
 * deleted can be defined again: it gets the next version number, and the old versions stay.
 */
export async function createSegment(
  deps: Pick<Deps, 'db'>,
  { programId, input }: { programId: string; input: unknown },
): Promise<SegmentDetail> {
  const body = parseBody(CreateSegmentInput, input, 'the segment');
  requireCustomScheme(body.scheme);
  const rule = checkRule(body.rule);
  await requireProgram(deps.db, programId);
  return deps.db.transaction().execute(async (trx) => {
    const definitionsVersion = await bumpDefinitionsVersion(trx, programId);
    const previous = await segmentVersions(trx, { programId, scheme: body.scheme, name: body.name });
    const latest = previous[0];
    if (latest && !latest.deleted) {
      throw new AppError(
        'ID_CONFLICT',
        `segment "${body.scheme}/${body.name}" already exists (version ${latest.version}); change it with "segments update"`,
      );
    }
    const scheme = (await loadCustomSegments(trx, programId)).filter((s) => s.scheme === body.scheme);
    const mode = scheme[0]?.schemeMode ?? body.schemeMode ?? 'first_match';
    if (body.schemeMode !== undefined && body.schemeMode !== mode) {
      throw invalidInput('the segment', [
        { path: 'schemeMode', message: `scheme "${body.scheme}" is ${mode}; its segments share one mode` },
      ]);
    }
    const position = body.position ?? Math.max(-1, ...scheme.map((s) => s.position)) + 1;
    await trx
      .insertInto('segment_definitions')
      .values({
        program_id: programId,
        scheme: body.scheme,
        name: body.name,
        version: (latest?.version ?? 0) + 1,
        label: body.label,
        description: body.description ?? null,
        rule: JSON.stringify(rule),
        position,
        scheme_mode: mode,
      })
      .execute();
    const versions = await segmentVersions(trx, { programId, scheme: body.scheme, name: body.name });
    return { programId, latest: versions[0] as SegmentDetail['latest'], versions, definitionsVersion };
  });
}
