import type { ApiKeyInfo, Scope } from '../contracts/api-keys.ts';
import { hashSecret, newKeyParts } from './api-keys/key-format.ts';
import type { Deps } from './deps.ts';
import { requireProgram } from './require-program.ts';

/** Creates an API key for one program; the returned `key` is the only time the secret exists in clear. */
export async function createApiKey(
  deps: Pick<Deps, 'db'>,
  { programId, scopes, label }: { programId: string; scopes: readonly Scope[]; label?: string | undefined },
): Promise<ApiKeyInfo & { key: string }> {
  await requireProgram(deps.db, programId);
  const { id, secret, key } = newKeyParts();
  const row = await deps.db
    .insertInto('api_keys')
    .values({
      id,
      program_id: programId,
      secret_hash: hashSecret(secret),
      scopes: [...new Set(scopes)],
      label: label ?? null,
    })
    .returning(['created_at'])
    .executeTakeFirstOrThrow();
  return {
    id,
    programId,
    scopes: [...new Set(scopes)],
    label: label ?? null,
    createdAt: row.created_at.toISOString(),
    key,
  };
}
