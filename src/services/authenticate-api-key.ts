import type { Scope } from '../contracts/api-keys.ts';
import { AppError } from '../contracts/errors.ts';
import { parseKey, secretMatches } from './api-keys/key-format.ts';
import type { Deps } from './deps.ts';

/** The program and scopes a presented key grants. */
export interface Principal {
  keyId: string;
  programId: string;
  scopes: readonly Scope[];
}

/** How stale a key's recorded last use may get before a request writes it again. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Resolves a presented key, or throws UNAUTHENTICATED without saying which part was wrong. Records
 * when the key was last used, at most once a minute, so a busy key costs no write per request.
 */
export async function authenticateApiKey(
  deps: Pick<Deps, 'db' | 'clock'>,
  presented: string | undefined,
): Promise<Principal> {
  const parts = presented ? parseKey(presented) : undefined;
  if (!parts)
    throw new AppError('UNAUTHENTICATED', 'an API key is required: send it as "Authorization: Bearer <key>"');
  const row = await deps.db
    .selectFrom('api_keys')
    .select(['id', 'program_id', 'secret_hash', 'scopes', 'revoked_at', 'last_used_at'])
    .where('id', '=', parts.id)
    .executeTakeFirst();
  if (!row || row.revoked_at !== null || !secretMatches(parts.secret, row.secret_hash)) {
    throw new AppError('UNAUTHENTICATED', 'the API key is not valid');
  }
  const now = deps.clock();
  if (row.last_used_at === null || now.getTime() - row.last_used_at.getTime() >= LAST_USED_RESOLUTION_MS) {
    await deps.db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  return { keyId: row.id, programId: row.program_id, scopes: row.scopes as Scope[] };
}

/** Throws FORBIDDEN unless the key belongs to the program and carries the scope. */
export function authorize(principal: Principal, programId: string, scope: Scope): void {
  if (principal.programId !== programId) {
    throw new AppError('FORBIDDEN', 'this API key belongs to another program');
  }
  if (!principal.scopes.includes(scope)) {
    throw new AppError('FORBIDDEN', `this API key lacks the "${scope}" scope`);
  }
}
