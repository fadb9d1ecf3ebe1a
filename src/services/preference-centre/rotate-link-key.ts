import { AppError } from '../../contracts/errors.ts';
import type { Deps } from '../deps.ts';
import { requireProgram } from '../require-program.ts';
import { MAX_LINK_TTL_DAYS } from './create-member-link.ts';
import { newLinkKey } from './link-secret.ts';
import { preferenceConfig } from './program-preferences.ts';

/** What a rotation did; the keys themselves are never returned. */
export interface LinkKeyRotation {
  programId: string;
  /** The new key's number (the installation's secret counts as key 0). */
  keyId: number;
  rotatedAt: string;
  /** Links and forms signed with the replaced key work until then (or their own expiry, if sooner). */
  previousAcceptedUntil: string;
}

/**
 * Gives a program a new member-link key: new links and forms are signed with it at once, and the key
 * it replaces still verifies for `graceDays` (default: the program's `linkTtlDays`, so every link
 * sent with the default lifetime keeps working until it expires; 0 voids them now, for a leak).
 */
export async function rotateLinkKey(
  deps: Pick<Deps, 'db' | 'clock'>,
  { programId, graceDays }: { programId: string; graceDays?: number | undefined },
): Promise<LinkKeyRotation> {
  if (
    graceDays !== undefined &&
    (!Number.isInteger(graceDays) || graceDays < 0 || graceDays > MAX_LINK_TTL_DAYS)
  )
    throw new AppError('USAGE', `the grace period must be 0-${MAX_LINK_TTL_DAYS} days`);
  await requireProgram(deps.db, programId);
  return deps.db.transaction().execute(async (trx) => {
    // One rotation of a program at a time: the program row is the lock.
    await trx.selectFrom('programs').select('id').where('id', '=', programId).forUpdate().execute();
    const now = deps.clock();
    const days = graceDays ?? (await preferenceConfig(trx, programId)).linkTtlDays;
    const until = new Date(now.getTime() + days * 86_400_000);
    const keys = await trx
      .selectFrom('preference_link_keys')
      .select(['key_id', 'accept_until'])
      .where('program_id', '=', programId)
      .execute();
    const current = keys.find((k) => k.accept_until === null);
    if (current) {
      await trx
        .updateTable('preference_link_keys')
        .set({ accept_until: until })
        .where('program_id', '=', programId)
        .where('key_id', '=', current.key_id)
        .execute();
    } else {
      // The first rotation retires the installation's secret for this program (key 0, never copied).
      await trx
        .insertInto('preference_link_keys')
        .values({ program_id: programId, key_id: 0, secret: null, created_at: now, accept_until: until })
        .execute();
    }
    const keyId = Math.max(0, ...keys.map((k) => k.key_id)) + 1;
    await trx
      .insertInto('preference_link_keys')
      .values({
        program_id: programId,
        key_id: keyId,
        secret: newLinkKey(),
        created_at: now,
        accept_until: null,
      })
      .execute();
    return {
      programId,
      keyId,
      rotatedAt: now.toISOString(),
      previousAcceptedUntil: until.toISOString(),
    };
  });
}
