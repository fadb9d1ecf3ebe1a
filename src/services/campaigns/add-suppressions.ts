import { AppError } from '../../contracts/errors.ts';
import { Key } from '../../contracts/scalars.ts';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';

/** Largest number of entries added in one call. */
export const MAX_SUPPRESSIONS_PER_CALL = 10_000;

/**
 * Puts member ids, email addresses or phone numbers on a suppression list; no campaign sends to
 * them again. Adding an entry twice changes nothing. Returns how many were new.
 */
export async function addSuppressions(
  deps: Pick<Deps, 'db' | 'clock'>,
  {
    programId,
    list,
    subjects,
    reason,
  }: { programId: string; list: string; subjects: readonly string[]; reason?: string | undefined },
): Promise<{ list: string; added: number }> {
  await requireProgram(deps.db, programId);
  if (!Key.safeParse(list).success)
    throw new AppError('INVALID_INPUT', `list name "${list}" must be a lower-case key such as legal-hold`);
  const clean = [...new Set(subjects.map((s) => s.trim()).filter((s) => s.length > 0 && s.length <= 320))];
  if (clean.length === 0)
    throw new AppError('INVALID_INPUT', 'name at least one member id, email address or phone number');
  if (clean.length > MAX_SUPPRESSIONS_PER_CALL) {
    throw new AppError('PAYLOAD_TOO_LARGE', `at most ${MAX_SUPPRESSIONS_PER_CALL} entries per call`);
  }
  const now = deps.clock();
  const inserted = await deps.db
    .insertInto('suppressions')
    .values(
      clean.map((subject) => ({
        program_id: programId,
        list,
        // Addresses match case-insensitively; member ids are kept as given.
        subject: subject.includes('@') ? subject.toLowerCase() : subject,
        reason: reason ?? null,
        added_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(['program_id', 'subject', 'list']).doNothing())
    .returning('subject')
    .execute();
  return { list, added: inserted.length };
}
