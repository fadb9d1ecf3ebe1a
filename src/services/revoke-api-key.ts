import { AppError } from '../contracts/errors.ts';
import type { Deps } from './deps.ts';

/** Revokes a key of one program: it stops authenticating at once. Revoking twice is harmless. */
export async function revokeApiKey(
  deps: Pick<Deps, 'db' | 'clock'>,
  { programId, keyId }: { programId: string; keyId: string },
): Promise<{ keyId: string; revokedAt: string }> {
  const row = await deps.db
    .updateTable('api_keys')
    .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(deps.clock())) }))
    .where('program_id', '=', programId)
    .where('id', '=', keyId)
    .returning(['revoked_at'])
    .executeTakeFirst();
  if (!row?.revoked_at) throw new AppError('NOT_FOUND', `program "${programId}" has no API key "${keyId}"`);
  return { keyId, revokedAt: row.revoked_at.toISOString() };
}
