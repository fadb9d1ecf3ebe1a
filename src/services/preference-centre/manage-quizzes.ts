import type { Kysely } from 'kysely';
import { AppError } from '../../contracts/errors.ts';
import { type Quiz, QuizDefinition } from '../../contracts/preferences.ts';
import { bumpDefinitionsVersion } from '../../db/queries/segment-definitions.ts';
import type { Schema } from '../../db/schema.ts';
import { keyClash, quizDeclaredSegments, resolveQuiz } from '../../domain/preferences/quizzes.ts';
import type { Deps } from '../deps.ts';
import { formatPath } from '../ingest/validate-record.ts';
import { requireProgram } from '../require-program.ts';
import { activeQuizzes } from './program-preferences.ts';

type QuizRow = { definition: unknown; status: 'active' | 'archived'; created_at: Date; updated_at: Date };

function toQuiz(row: QuizRow): Quiz {
  const { description, ...resolved } = resolveQuiz(QuizDefinition.parse(row.definition));
  return {
    ...resolved,
    ...(description === undefined ? {} : { description }),
    segments: quizDeclaredSegments([resolved]),
    status: row.status,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * Creates or replaces a quiz, poll or challenge (and brings an archived one back). Answers already
 * given stay in the declaration ledger under the question's key. The declared segments its answers
 * lead to change the program's segment definitions: members are placed at once when they answer,
 * and the next refresh places those who answered before.
 */
export async function defineQuiz(
  deps: Pick<Deps, 'db' | 'clock'>,
  { programId, definition }: { programId: string; definition: unknown },
): Promise<{ quiz: Quiz; created: boolean }> {
  const parsed = QuizDefinition.safeParse(definition);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({
      path: formatPath(issue.path) || '(quiz)',
      message: issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message,
    }));
    throw new AppError(
      'INVALID_INPUT',
      `the quiz is invalid (first: ${problems[0]?.path}: ${problems[0]?.message})`,
      { problems },
    );
  }
  return deps.db.transaction().execute(async (trx) => {
    await requireProgram(trx, programId);
    // First, as every definition change does: its row lock serialises changes of one program.
    await bumpDefinitionsVersion(trx, programId);
    const clash = keyClash(resolveQuiz(parsed.data), await activeQuizzes(trx, programId));
    if (clash) throw new AppError('INVALID_INPUT', `quiz "${parsed.data.id}": ${clash}`);
    const now = deps.clock();
    const existing = await trx
      .selectFrom('quizzes')
      .select('quiz_id')
      .where('program_id', '=', programId)
      .where('quiz_id', '=', parsed.data.id)
      .executeTakeFirst();
    const definitionJson = JSON.stringify(parsed.data);
    await trx
      .insertInto('quizzes')
      .values({
        program_id: programId,
        quiz_id: parsed.data.id,
        kind: parsed.data.kind,
        definition: definitionJson,
        status: 'active',
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['program_id', 'quiz_id']).doUpdateSet({
          kind: parsed.data.kind,
          definition: definitionJson,
          status: 'active',
          updated_at: now,
        }),
      )
      .execute();
    return { quiz: await requireQuiz(trx, programId, parsed.data.id), created: !existing };
  });
}

/** The program's quizzes, polls and challenges; archived ones too when asked. */
export async function listQuizzes(
  deps: Pick<Deps, 'db'>,
  { programId, includeArchived = false }: { programId: string; includeArchived?: boolean },
): Promise<Quiz[]> {
  await requireProgram(deps.db, programId);
  let query = deps.db
    .selectFrom('quizzes')
    .select(['definition', 'status', 'created_at', 'updated_at'])
    .where('program_id', '=', programId);
  if (!includeArchived) query = query.where('status', '=', 'active');
  return (await query.orderBy('created_at').orderBy('quiz_id').execute()).map(toQuiz);
}

/** One quiz of the program; NOT_FOUND names it. */
export async function showQuiz(
  deps: Pick<Deps, 'db'>,
  { programId, quizId }: { programId: string; quizId: string },
): Promise<Quiz> {
  await requireProgram(deps.db, programId);
  return requireQuiz(deps.db, programId, quizId);
}

/**
 * Takes a quiz off members' pages; its answers and awards stay in the ledgers. The declared segments
 * only its answers led to are no longer evaluated: the next refresh takes members out of them.
 */
export async function archiveQuiz(
  deps: Pick<Deps, 'db' | 'clock'>,
  { programId, quizId }: { programId: string; quizId: string },
): Promise<Quiz> {
  await requireProgram(deps.db, programId);
  return deps.db.transaction().execute(async (trx) => {
    await bumpDefinitionsVersion(trx, programId);
    await requireQuiz(trx, programId, quizId);
    await trx
      .updateTable('quizzes')
      .set({ status: 'archived', updated_at: deps.clock() })
      .where('program_id', '=', programId)
      .where('quiz_id', '=', quizId)
      .execute();
    return requireQuiz(trx, programId, quizId);
  });
}

async function requireQuiz(db: Kysely<Schema>, programId: string, quizId: string): Promise<Quiz> {
  const row = await db
    .selectFrom('quizzes')
    .select(['definition', 'status', 'created_at', 'updated_at'])
    .where('program_id', '=', programId)
    .where('quiz_id', '=', quizId)
    .executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', `quiz "${quizId}" does not exist in program "${programId}"`);
  return toQuiz(row);
}
