import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.ts';

/** The secret that signs a program's unsubscribe links, made on first use; it never leaves the database. */
export async function linkSecret(db: Kysely<Schema>, programId: string, now: Date): Promise<string> {
  await db
    .insertInto('campaign_link_secrets')
    .values({ program_id: programId, secret: randomBytes(32).toString('base64url'), created_at: now })
    .onConflict((oc) => oc.column('program_id').doNothing())
    .execute();
  const row = await db
    .selectFrom('campaign_link_secrets')
    .select('secret')
    .where('program_id', '=', programId)
    .executeTakeFirstOrThrow();
  return row.secret;
}
