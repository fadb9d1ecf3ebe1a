import type { Kysely, Selectable } from 'kysely';
import type { SchemeDefinition, SchemeMode, SegmentRule } from '../../contracts/segments.ts';
import type { Schema, SegmentDefinitionsTable } from '../schema.ts';

/** Names of the schemes Narrowcast defines; a program's own schemes take any other name. */
export const BUILT_IN_SCHEME_NAMES = ['loyalty', 'rfm', 'lifecycle', 'apostle', 'declared'] as const;

/** A custom segment as stored: its latest version. */
export interface StoredSegment {
  scheme: string;
  name: string;
  version: number;
  label: string;
  description: string | null;
  rule: SegmentRule;
  position: number;
  schemeMode: SchemeMode;
}

/** The latest, not deleted, version of each custom segment of a program. */
export async function loadCustomSegments(db: Kysely<Schema>, programId: string): Promise<StoredSegment[]> {
  const rows = await db
    .selectFrom('segment_definitions as d')
    .selectAll()
    .where('d.program_id', '=', programId)
    .where('d.version', '=', (eb) =>
      eb
        .selectFrom('segment_definitions as v')
        .select((v) => v.fn.max('v.version').as('max'))
        .where('v.program_id', '=', programId)
        .whereRef('v.scheme', '=', 'd.scheme')
        .whereRef('v.name', '=', 'd.name'),
    )
    .where('d.deleted', '=', false)
    .orderBy('d.scheme')
    .orderBy('d.position')
    .orderBy('d.name')
    .execute();
  return rows.map(toStoredSegment);
}

/** A stored definition row as a segment. */
export function toStoredSegment(r: Selectable<SegmentDefinitionsTable>): StoredSegment {
  return {
    scheme: r.scheme,
    name: r.name,
    version: r.version,
    label: r.label,
    description: r.description,
    rule: r.rule as SegmentRule,
    position: r.position,
    schemeMode: r.scheme_mode,
  };
}

/** Groups stored segments into schemes; a scheme's mode is that of its first segment. */
export function toSchemes(segments: readonly StoredSegment[]): SchemeDefinition[] {
  const schemes = new Map<string, SchemeDefinition>();
  for (const s of segments) {
    let scheme = schemes.get(s.scheme);
    if (!scheme) {
      scheme = { name: s.scheme, label: s.scheme, mode: s.schemeMode, segments: [] };
      schemes.set(s.scheme, scheme);
    }
    scheme.segments.push({
      name: s.name,
      label: s.label,
      rule: s.rule,
      ...(s.description === null ? {} : { description: s.description }),
    });
  }
  return [...schemes.values()];
}
