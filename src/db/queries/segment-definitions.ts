import { type Kysely, sql } from 'kysely';
import type { SegmentVersion } from '../../contracts/segments.ts';
import type { Schema } from '../schema.ts';
import { toStoredSegment } from './program-schemes.ts';

/** Every stored version of one custom segment, newest first. */
export async function segmentVersions(
  db: Kysely<Schema>,
  { programId, scheme, name }: { programId: string; scheme: string; name: string },
): Promise<SegmentVersion[]> {
  const rows = await db
    .selectFrom('segment_definitions')
    .selectAll()
    .where('program_id', '=', programId)
    .where('scheme', '=', scheme)
    .where('name', '=', name)
    .orderBy('version', 'desc')
    .execute();
  return rows.map((r) => ({
    ...toStoredSegment(r),
    deleted: r.deleted,
    createdAt: r.created_at.toISOString(),
  }));
}

/**
 * Adds one to the program's definitions version, creating its settings row on first use, and
 * returns the new value. Run first in a definition change's transaction: the row lock it takes
 * makes concurrent changes of one program wait for each other, so version numbers never collide.
 */
export async function bumpDefinitionsVersion(db: Kysely<Schema>, programId: string): Promise<number> {
  const row = await db
    .insertInto('segment_settings')
    .values({ program_id: programId, definitions_version: 1 })
    .onConflict((oc) =>
      oc.column('program_id').doUpdateSet((eb) => ({
        definitions_version: eb('segment_settings.definitions_version', '+', 1),
        updated_at: sql<Date>`now()`,
      })),
    )
    .returning('definitions_version')
    .executeTakeFirstOrThrow();
  return row.definitions_version;
}

/** The program's segment settings, or the defaults when it has none yet. */
export async function segmentSettings(db: Kysely<Schema>, programId: string) {
  const row = await db
    .selectFrom('segment_settings')
    .select(['overrides', 'definitions_version', 'evaluated_version', 'refreshed_as_of'])
    .where('program_id', '=', programId)
    .executeTakeFirst();
  return {
    overrides: (row?.overrides ?? {}) as Record<string, unknown>,
    definitionsVersion: row?.definitions_version ?? 0,
    evaluatedVersion: row?.evaluated_version ?? 0,
    refreshedAsOf: row?.refreshed_as_of ?? null,
  };
}
