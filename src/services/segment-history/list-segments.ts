import type { SegmentList, SegmentSummary } from '../../contracts/segments.ts';
import { BUILT_IN_SCHEME_NAMES } from '../../db/queries/program-schemes.ts';
import { segmentSettings } from '../../db/queries/segment-definitions.ts';
import { currentSizes, latestDefinitionVersions } from '../../db/queries/segment-history.ts';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';
import { loadProgramSchemes } from '../segments/program-schemes.ts';

const isBuiltIn = (scheme: string) => (BUILT_IN_SCHEME_NAMES as readonly string[]).includes(scheme);

/**
 * Every segment of the program with its current size: the built-in schemes (with the program's
 * thresholds), its own segments, and any segment that still holds members without a definition
 * in force (a product-interest segment, or a custom segment deleted since the last refresh).
 * Built-in segments have no version of their own: `version` reads "built-in", and the program's
 * `definitionsVersion` (bumped by every threshold or definition change) says which settings apply.
 */
export async function listSegments(
  deps: Pick<Deps, 'db'>,
  { programId, scheme }: { programId: string; scheme?: string | undefined },
): Promise<SegmentList> {
  await requireProgram(deps.db, programId);
  const [schemes, settings, sizes, versions] = await Promise.all([
    loadProgramSchemes(deps.db, programId),
    segmentSettings(deps.db, programId),
    currentSizes(deps.db, { programId, scheme }),
    latestDefinitionVersions(deps.db, programId),
  ]);
  const sizeOf = new Map(sizes.map((s) => [`${s.scheme}/${s.segment}`, s.size]));
  const segments: SegmentSummary[] = [];
  const listed = new Set<string>();
  for (const definition of schemes.forMember([])) {
    if (scheme !== undefined && definition.name !== scheme) continue;
    const builtIn = isBuiltIn(definition.name);
    for (const segment of definition.segments) {
      const key = `${definition.name}/${segment.name}`;
      listed.add(key);
      segments.push({
        scheme: definition.name,
        name: segment.name,
        label: segment.label,
        builtIn,
        version: builtIn ? 'built-in' : (schemes.versions.get(key) ?? 0),
        size: sizeOf.get(key) ?? 0,
      });
    }
  }
  for (const s of sizes) {
    const key = `${s.scheme}/${s.segment}`;
    if (listed.has(key)) continue;
    const builtIn = isBuiltIn(s.scheme);
    segments.push({
      scheme: s.scheme,
      name: s.segment,
      label: s.segment,
      builtIn,
      version: builtIn ? 'built-in' : (versions.get(key) ?? 0),
      size: s.size,
    });
  }
  return {
    programId,
    definitionsVersion: settings.definitionsVersion,
    evaluatedVersion: settings.evaluatedVersion,
    refreshedAsOf: settings.refreshedAsOf?.toISOString() ?? null,
    segments,
  };
}
