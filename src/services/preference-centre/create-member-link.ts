import { AppError } from '../../contracts/errors.ts';
import type { MemberLink } from '../../contracts/preferences.ts';
import { signLink } from '../../domain/preferences/signed-tokens.ts';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';
import { programLinkKeys } from './link-secret.ts';
import { preferenceConfig } from './program-preferences.ts';

/** Longest a link may live, in days. */
export const MAX_LINK_TTL_DAYS = 365;

/** The path a member link opens; campaigns put it (or the token alone) into messages. */
export const preferencePath = (token: string) => `/preferences/${token}`;

/**
 * A signed link to a member's preference page, valid for `ttlDays` (default: the program's
 * `linkTtlDays`). Links are not stored: the signature is the proof, the expiry is inside it.
 */
export async function createMemberLink(
  deps: Pick<Deps, 'db' | 'clock'>,
  {
    programId,
    memberId,
    ttlDays,
    baseUrl,
  }: { programId: string; memberId: string; ttlDays?: number | undefined; baseUrl: string },
): Promise<MemberLink> {
  if (ttlDays !== undefined && (!Number.isInteger(ttlDays) || ttlDays < 1 || ttlDays > MAX_LINK_TTL_DAYS)) {
    throw new AppError('USAGE', `the link's lifetime must be 1-${MAX_LINK_TTL_DAYS} days`);
  }
  await requireProgram(deps.db, programId);
  const member = await deps.db
    .selectFrom('members')
    .select('external_id')
    .where('program_id', '=', programId)
    .where('external_id', '=', memberId)
    .executeTakeFirst();
  if (!member)
    throw new AppError('NOT_FOUND', `member "${memberId}" does not exist in program "${programId}"`);
  const days = ttlDays ?? (await preferenceConfig(deps.db, programId)).linkTtlDays;
  const expiresAt = new Date(deps.clock().getTime() + days * 86_400_000);
  const { signing } = await programLinkKeys(deps.db, programId, deps.clock());
  const token = signLink(signing, { programId, memberId, expiresAt });
  const path = preferencePath(token);
  return {
    programId,
    memberId,
    path,
    url: `${baseUrl.replace(/\/+$/, '')}${path}`,
    token,
    expiresAt: expiresAt.toISOString(),
  };
}
