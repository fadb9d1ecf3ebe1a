import { randomBytes } from 'node:crypto';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';

/**
 * Makes (or replaces) the secret that signs a program's bounce and complaint reports
 * (`POST /hooks/delivery-feedback/{programId}`). Returned this once; the previous secret stops
 * working at once. Callers check the `manage` scope.
 */
export async function createFeedbackSecret(
  deps: Pick<Deps, 'db' | 'clock'>,
  { programId }: { programId: string },
): Promise<{ programId: string; secret: string }> {
  await requireProgram(deps.db, programId);
  const secret = `fbsec_${randomBytes(32).toString('base64url')}`;
  const now = deps.clock();
  await deps.db
    .insertInto('delivery_feedback_secrets')
    .values({ program_id: programId, secret, created_at: now })
    .onConflict((oc) => oc.column('program_id').doUpdateSet({ secret, created_at: now }))
    .execute();
  return { programId, secret };
}
