import { AppError } from '../../contracts/errors.ts';
import { schemesHoldingSegment } from '../../db/queries/segment-history.ts';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';
import { loadProgramSchemes } from '../segments/program-schemes.ts';

/** A segment named as the CLI allows: "scheme/name", or a name with an optional scheme. */
export interface SegmentRef {
  scheme: string;
  segment: string;
}

/**
 * Finds which scheme a segment name belongs to: among the definitions in force (built-in and
 * custom), else among the segments holding members (a product-interest segment has no standing
 * definition). "new" is both an RFM segment and a lifecycle stage, so a name found in several
 * schemes needs the scheme (USAGE names them). Reads no sizes: paging and exports call it each time.
 */
export async function resolveSegment(
  deps: Pick<Deps, 'db'>,
  { programId, name, scheme }: { programId: string; name: string; scheme?: string | undefined },
): Promise<SegmentRef> {
  const slash = name.indexOf('/');
  if (slash > 0 && scheme === undefined) {
    return resolveSegment(deps, { programId, scheme: name.slice(0, slash), name: name.slice(slash + 1) });
  }
  await requireProgram(deps.db, programId);
  const schemes = await loadProgramSchemes(deps.db, programId);
  let found = schemes
    .forMember([])
    .filter((s) => (scheme === undefined || s.name === scheme) && s.segments.some((x) => x.name === name))
    .map((s) => s.name);
  if (found.length === 0) found = await schemesHoldingSegment(deps.db, { programId, segment: name, scheme });
  if (found.length === 0) {
    throw new AppError(
      'NOT_FOUND',
      `program "${programId}" has no segment "${name}"${scheme === undefined ? '' : ` in scheme "${scheme}"`}; see "narrowcast segments list"`,
    );
  }
  if (found.length > 1) {
    throw new AppError(
      'USAGE',
      `segment "${name}" is in schemes ${found.join(', ')}; name one with --scheme or as scheme/${name}`,
    );
  }
  return { scheme: found[0] as string, segment: name };
}
