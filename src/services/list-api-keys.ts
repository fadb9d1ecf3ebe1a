import type { ApiKeyListing, Scope } from '../contracts/api-keys.ts';
import type { Deps } from './deps.ts';
import { requireProgram } from './require-program.ts';

/** A program's API keys, oldest first, with when each was last used and whether it is revoked. */
export async function listApiKeys(
  deps: Pick<Deps, 'db'>,
  { programId }: { programId: string },
): Promise<ApiKeyListing[]> {
  await requireProgram(deps.db, programId);
  const rows = await deps.db
    .selectFrom('api_keys')
    .select(['id', 'program_id', 'scopes', 'label', 'created_at', 'last_used_at', 'revoked_at'])
    .where('program_id', '=', programId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    programId: r.program_id,
    scopes: r.scopes as Scope[],
    label: r.label,
    createdAt: r.created_at.toISOString(),
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
    revokedAt: r.revoked_at?.toISOString() ?? null,
  }));
}
