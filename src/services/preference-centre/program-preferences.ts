import type { Kysely } from 'kysely';
import {
  PreferenceCentreConfig as ConfigSchema,
  type PreferenceCentreConfig,
  QuizDefinition,
} from '../../contracts/preferences.ts';
import type { Schema } from '../../db/schema.ts';
import { DEFAULT_PREFERENCE_CONFIG } from '../../domain/preferences/default-config.ts';
import { type ResolvedQuiz, resolveQuiz } from '../../domain/preferences/quizzes.ts';

/** The program's preference-centre configuration, or the default when it has set none. */
export async function preferenceConfig(
  db: Kysely<Schema>,
  programId: string,
): Promise<PreferenceCentreConfig> {
  const row = await db
    .selectFrom('preference_centres')
    .select('config')
    .where('program_id', '=', programId)
    .executeTakeFirst();
  // Stored configurations were validated on the way in; parsing again fills defaults added since.
  return row ? ConfigSchema.parse(row.config) : DEFAULT_PREFERENCE_CONFIG;
}

/** The program's active quizzes, polls and challenges, oldest first (the order the page shows them). */
export async function activeQuizzes(db: Kysely<Schema>, programId: string): Promise<ResolvedQuiz[]> {
  const rows = await db
    .selectFrom('quizzes')
    .select('definition')
    .where('program_id', '=', programId)
    .where('status', '=', 'active')
    .orderBy('created_at')
    .orderBy('quiz_id')
    .execute();
  return rows.map((row) => resolveQuiz(QuizDefinition.parse(row.definition)));
}
