import { type Kysely, sql } from 'kysely';
import type { RuleLeaf, SchemeDefinition } from '../../contracts/segments.ts';
import type { Schema } from '../../db/schema.ts';
import { schemeLeaves } from '../../domain/segments/next-review-day.ts';
import type { ProgramContext } from '../../domain/segments/program-context.ts';
import { topPercentFeatures } from '../../domain/segments/rule-features.ts';
import { loadProgramSchemes, type ProgramSchemes } from './program-schemes.ts';

/** Everything evaluating a member needs that is the same for the whole program. */
export interface EvaluationSetup {
  programId: string;
  context: ProgramContext;
  schemes: ProgramSchemes;
  /** The leaves of the schemes a member is evaluated against (cached per scheme list). */
  leavesOf(schemes: readonly SchemeDefinition[]): readonly RuleLeaf[];
  /**
   * The features the program's top-percent rules read, sorted: each evaluation stores the member's
   * values of these beside their ranks, and a refresh summarises their distributions from there.
   */
  topFeatures: readonly string[];
}

/** The as-of time of a program: its fixed date when it has one (historical data), else now. */
export async function programAsOf(db: Kysely<Schema>, programId: string, now: Date): Promise<Date> {
  const program = await db
    .selectFrom('programs')
    .select('as_of')
    .where('id', '=', programId)
    .executeTakeFirst();
  return program?.as_of ?? now;
}

/** The stored distributions the last refresh left (empty before the first one). */
export async function storedDistributions(
  db: Kysely<Schema>,
  programId: string,
): Promise<Record<string, number[]>> {
  const row = await db
    .selectFrom('segment_settings')
    .select('distributions')
    .where('program_id', '=', programId)
    .executeTakeFirst();
  return (row?.distributions ?? {}) as Record<string, number[]>;
}

interface CachedParts {
  stamp: string;
  schemes: ProgramSchemes;
  distributions: Record<string, number[]>;
}

// Per database and program: the schemes and stored distributions, which change only on a refresh or
// a definition change, so that an ingest request does not re-read and re-parse them. The stamp is
// read on every use (one small row) and any change to the settings row or the definitions misses.
const CACHE = new WeakMap<object, Map<string, CachedParts>>();

/**
 * The setup for evaluating members now, as of `asOf`, reusing the schemes and distributions this
 * process last read for the program when nothing changed since. `owner` is the database handle the
 * cache belongs to (not a transaction, which is new each time).
 */
export async function cachedEvaluationSetup(
  owner: object,
  db: Kysely<Schema>,
  programId: string,
  asOf: Date,
): Promise<EvaluationSetup> {
  const [row] = (
    await sql<{ settings: unknown; definitions: unknown }>`
      SELECT (SELECT json_build_array(updated_at, definitions_version, overrides) FROM segment_settings
                WHERE program_id = ${programId}) AS settings,
             (SELECT json_build_array(count(*), max(created_at)) FROM segment_definitions
                WHERE program_id = ${programId}) AS definitions`.execute(db)
  ).rows;
  const stamp = JSON.stringify(row ?? null);
  let programs = CACHE.get(owner);
  if (!programs) {
    programs = new Map();
    CACHE.set(owner, programs);
  }
  let parts = programs.get(programId);
  if (parts === undefined || parts.stamp !== stamp) {
    const schemes = await loadProgramSchemes(db, programId);
    parts = { stamp, schemes, distributions: await storedDistributions(db, programId) };
    programs.set(programId, parts);
  }
  return withParts(programId, asOf, parts.schemes, parts.distributions);
}

// The leaves of each scheme list, kept as long as the list is: ProgramSchemes hands out the same
// list for the same interests, and a cached setup keeps its ProgramSchemes across requests, so an
// ingest request does not walk every rule again (a profile at 1,000 events/s put 4% of the
// server's time there).
const LEAVES = new WeakMap<readonly SchemeDefinition[], readonly RuleLeaf[]>();

function leavesOf(list: readonly SchemeDefinition[]): readonly RuleLeaf[] {
  let found = LEAVES.get(list);
  if (!found) {
    found = schemeLeaves(list);
    LEAVES.set(list, found);
  }
  return found;
}

// Likewise the top-percent features of each program's schemes, kept as long as the schemes are.
const TOP_FEATURES = new WeakMap<ProgramSchemes, readonly string[]>();

function topFeaturesOf(schemes: ProgramSchemes): readonly string[] {
  let found = TOP_FEATURES.get(schemes);
  if (!found) {
    found = topPercentFeatures(schemes.forMember([]));
    TOP_FEATURES.set(schemes, found);
  }
  return found;
}

function withParts(
  programId: string,
  asOf: Date,
  schemes: ProgramSchemes,
  distributions: Record<string, number[]>,
): EvaluationSetup {
  return {
    programId,
    context: { asOf, distributions },
    schemes,
    leavesOf,
    topFeatures: topFeaturesOf(schemes),
  };
}

export async function loadEvaluationSetup(
  db: Kysely<Schema>,
  programId: string,
  asOf: Date,
  distributions?: Record<string, number[]>,
): Promise<EvaluationSetup> {
  const schemes = await loadProgramSchemes(db, programId);
  return withParts(programId, asOf, schemes, distributions ?? (await storedDistributions(db, programId)));
}

/** The same set-up (schemes, as-of) scoring against other distributions, without reading again. */
export function withDistributions(
  setup: EvaluationSetup,
  distributions: Record<string, number[]>,
): EvaluationSetup {
  return withParts(setup.programId, setup.context.asOf, setup.schemes, distributions);
}
