import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.ts';

const NAME = 'preference_link';

/**
 * The installation's key for signing member links and forms: 256 random bits made on first use and
 * kept in the database, so every process of the installation (and every restart) signs alike.
 * Concurrent first uses agree, because only the first insert wins.
 */
export async function linkSecret(db: Kysely<Schema>): Promise<Buffer> {
  const stored = await db
    .selectFrom('installation_secrets')
    .select('secret')
    .where('name', '=', NAME)
    .executeTakeFirst();
  if (stored) return Buffer.from(stored.secret, 'base64url');
  await db
    .insertInto('installation_secrets')
    .values({ name: NAME, secret: randomBytes(32).toString('base64url') })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db
    .selectFrom('installation_secrets')
    .select('secret')
    .where('name', '=', NAME)
    .executeTakeFirstOrThrow();
  return Buffer.from(row.secret, 'base64url');
}
