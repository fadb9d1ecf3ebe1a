import type { Kysely } from 'kysely';
import { AppError } from '../contracts/errors.ts';
import type { Schema } from '../db/schema.ts';

/** The program's stored settings, or NOT_FOUND naming it. */
export async function requireProgram(db: Kysely<Schema>, programId: string) {
  const program = await db.selectFrom('programs').selectAll().where('id', '=', programId).executeTakeFirst();
  if (!program) {
    throw new AppError(
      'NOT_FOUND',
      `program "${programId}" does not exist; create it with: narrowcast init --program ${programId}`,
    );
  }
  return program;
}
