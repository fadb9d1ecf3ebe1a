import type { Kysely } from 'kysely';
import type { SchemeDefinition } from '../../contracts/segments.ts';
import { loadCustomSegments, toSchemes } from '../../db/queries/program-schemes.ts';
import type { Schema } from '../../db/schema.ts';
import { answerSegments } from '../../domain/preferences/quizzes.ts';
import type { BuiltInOverrides } from '../../domain/segments/built-in-defaults.ts';
import { builtInSchemes } from '../../domain/segments/built-in-schemes.ts';
import { activeQuizzes } from '../preference-centre/program-preferences.ts';

/** Everything that decides a program's memberships besides the members' own features. */
export interface ProgramSchemes {
  overrides: BuiltInOverrides;
  /** The program's own schemes, in name order, each with its segments in position order. */
  custom: SchemeDefinition[];
  /** Latest version of each custom segment by `scheme/name`. */
  versions: ReadonlyMap<string, number>;
  /** Bumped by every definition change; a refresh re-evaluates everyone when it moved. */
  definitionsVersion: number;
  /**
   * The schemes to evaluate for a member: the built-ins (with the member's declared interests,
   * one overlapping segment each; evaluating every program interest would give the same result),
   * then the custom schemes.
   */
  forMember(interests: readonly string[]): SchemeDefinition[];
}

/**
 * The program's schemes: built-ins with its overrides and the declared segments its active quizzes'
 * answers lead to, and its own segments. A quiz change bumps the definitions version like any
 * definition change, so cached setups reload and the next refresh re-evaluates everyone.
 */
export async function loadProgramSchemes(db: Kysely<Schema>, programId: string): Promise<ProgramSchemes> {
  const settings = await db
    .selectFrom('segment_settings')
    .select(['overrides', 'definitions_version'])
    .where('program_id', '=', programId)
    .executeTakeFirst();
  const segments = await loadCustomSegments(db, programId);
  const overrides = (settings?.overrides ?? {}) as BuiltInOverrides;
  const custom = toSchemes(segments);
  const answers = answerSegments(await activeQuizzes(db, programId));
  const cache = new Map<string, SchemeDefinition[]>();
  return {
    overrides,
    custom,
    versions: new Map(segments.map((s) => [`${s.scheme}/${s.name}`, s.version])),
    definitionsVersion: settings?.definitions_version ?? 0,
    forMember(interests) {
      const key = interests.join('\u0000');
      let schemes = cache.get(key);
      if (!schemes) {
        schemes = [...builtInSchemes({ overrides, interests, answers }), ...custom];
        if (cache.size > 10_000) cache.clear();
        cache.set(key, schemes);
      }
      return schemes;
    },
  };
}
