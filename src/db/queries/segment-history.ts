import { type Kysely, sql } from 'kysely';
import { type MigrationCell, NO_SEGMENT } from '../../contracts/segments.ts';
import type { Schema } from '../schema.ts';

// Reads over current memberships, their transitions and the size snapshots. Every query names the
// program; memberships are found through segment_memberships_segment_idx
// (program_id, scheme, segment, member_id), which also gives the stable paging order.

/** Current members per segment of the program, optionally of one scheme. */
export async function currentSizes(
  db: Kysely<Schema>,
  { programId, scheme }: { programId: string; scheme?: string | undefined },
): Promise<{ scheme: string; segment: string; size: number }[]> {
  let query = db
    .selectFrom('segment_memberships')
    .select(['scheme', 'segment', (eb) => eb.fn.countAll<string>().as('size')])
    .where('program_id', '=', programId)
    .groupBy(['scheme', 'segment'])
    .orderBy('scheme')
    .orderBy('segment');
  if (scheme !== undefined) query = query.where('scheme', '=', scheme);
  const rows = await query.execute();
  return rows.map((r) => ({ scheme: r.scheme, segment: r.segment, size: Number(r.size) }));
}

/** The latest version number of every custom segment, deleted ones included, by `scheme/name`. */
export async function latestDefinitionVersions(
  db: Kysely<Schema>,
  programId: string,
): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('segment_definitions')
    .select(['scheme', 'name', (eb) => eb.fn.max('version').as('version')])
    .where('program_id', '=', programId)
    .groupBy(['scheme', 'name'])
    .execute();
  return new Map(rows.map((r) => [`${r.scheme}/${r.name}`, Number(r.version)]));
}

/** A page of a segment's members after the internal member id `after`, with a few member fields. */
export async function segmentMemberRows(
  db: Kysely<Schema>,
  options: { programId: string; scheme: string; segment: string; after: number | null; limit: number },
) {
  let query = db
    .selectFrom('segment_memberships as s')
    .innerJoin('members as m', (join) =>
      join.onRef('m.program_id', '=', 's.program_id').onRef('m.member_id', '=', 's.member_id'),
    )
    .select([
      's.member_id',
      'm.external_id',
      's.since',
      's.explanation',
      'm.joined_at',
      'm.tier',
      'm.region',
      'm.locale',
    ])
    .where('s.program_id', '=', options.programId)
    .where('s.scheme', '=', options.scheme)
    .where('s.segment', '=', options.segment)
    .orderBy('s.member_id')
    .limit(options.limit);
  if (options.after !== null) query = query.where('s.member_id', '>', options.after);
  const rows = await query.execute();
  return rows.map((r) => ({ ...r, member_id: Number(r.member_id) }));
}

/** Sizes of two segments now and how many members are in both. */
export async function overlapCounts(
  db: Kysely<Schema>,
  {
    programId,
    a,
    b,
  }: { programId: string; a: { scheme: string; segment: string }; b: { scheme: string; segment: string } },
): Promise<{ a: number; b: number; both: number }> {
  const result = await sql<{ a: string; b: string; both: string }>`
    SELECT
      (SELECT count(*) FROM segment_memberships
        WHERE program_id = ${programId} AND scheme = ${a.scheme} AND segment = ${a.segment}) AS a,
      (SELECT count(*) FROM segment_memberships
        WHERE program_id = ${programId} AND scheme = ${b.scheme} AND segment = ${b.segment}) AS b,
      (SELECT count(*) FROM segment_memberships x
        JOIN segment_memberships y ON y.program_id = x.program_id AND y.member_id = x.member_id
        WHERE x.program_id = ${programId} AND x.scheme = ${a.scheme} AND x.segment = ${a.segment}
          AND y.scheme = ${b.scheme} AND y.segment = ${b.segment}) AS both`.execute(db);
  const row = result.rows[0];
  return { a: Number(row?.a ?? 0), b: Number(row?.b ?? 0), both: Number(row?.both ?? 0) };
}

/**
 * Members moving between segments from one moment to another, per scheme. A member's segments at a
 * moment are those whose last transition at or before it (by time, then by record order) is an
 * entry. The two states are joined per member and scheme; a side with no segment reads "none", and
 * members in no segment at both moments are not counted. In an overlapping scheme a member in
 * several segments counts once for each (from, to) pair.
 */
export async function migrationCells(
  db: Kysely<Schema>,
  { programId, from, to, scheme }: { programId: string; from: Date; to: Date; scheme?: string | undefined },
): Promise<(MigrationCell & { scheme: string })[]> {
  const schemeFilter = scheme === undefined ? sql`` : sql`AND scheme = ${scheme}`;
  const stateAt = (at: Date) => sql`
    SELECT member_id, scheme, segment FROM (
      SELECT DISTINCT ON (member_id, scheme, segment) member_id, scheme, segment, change
      FROM segment_transitions
      WHERE program_id = ${programId} AND at <= ${at} ${schemeFilter}
      ORDER BY member_id, scheme, segment, at DESC, seq DESC
    ) latest WHERE change = 'entered'`;
  const result = await sql<{ scheme: string; from: string; to: string; members: string }>`
    WITH before AS (${stateAt(from)}), after AS (${stateAt(to)})
    SELECT coalesce(b.scheme, a.scheme) AS scheme,
           coalesce(b.segment, ${NO_SEGMENT}) AS "from",
           coalesce(a.segment, ${NO_SEGMENT}) AS "to",
           count(*) AS members
    FROM before b FULL OUTER JOIN after a ON a.member_id = b.member_id AND a.scheme = b.scheme
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3`.execute(db);
  return result.rows.map((r) => ({ scheme: r.scheme, from: r.from, to: r.to, members: Number(r.members) }));
}

/** Size snapshots taken by the refreshes, oldest first, optionally of one scheme and a time range. */
export async function sizeSnapshots(
  db: Kysely<Schema>,
  options: { programId: string; scheme?: string | undefined; from?: Date | undefined; to?: Date | undefined },
) {
  let query = db
    .selectFrom('segment_sizes')
    .select(['scheme', 'segment', 'as_of', 'size'])
    .where('program_id', '=', options.programId)
    .orderBy('scheme')
    .orderBy('segment')
    .orderBy('as_of');
  if (options.scheme !== undefined) query = query.where('scheme', '=', options.scheme);
  if (options.from !== undefined) query = query.where('as_of', '>=', options.from);
  if (options.to !== undefined) query = query.where('as_of', '<=', options.to);
  return query.execute();
}

/** The schemes in which a segment of this name holds members now (a segment with no definition, e.g. an interest). */
export async function schemesHoldingSegment(
  db: Kysely<Schema>,
  { programId, segment, scheme }: { programId: string; segment: string; scheme?: string | undefined },
): Promise<string[]> {
  let query = db
    .selectFrom('segment_memberships')
    .select('scheme')
    .distinct()
    .where('program_id', '=', programId)
    .where('segment', '=', segment)
    .orderBy('scheme')
    .limit(10);
  if (scheme !== undefined) query = query.where('scheme', '=', scheme);
  return (await query.execute()).map((r) => r.scheme);
}
