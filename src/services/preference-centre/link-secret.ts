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

/** The keys of a program's member links at `now`: the one that signs, and every one that verifies. */
export interface ProgramLinkKeys {
  signing: Buffer;
  /** The signing key first, then replaced keys still inside their grace period, newest first. */
  accepted: Buffer[];
}

/**
 * A program's member-link keys (ADR 0028). A program that never rotated signs with the
 * installation's secret; after a rotation its newest key signs, and each key it replaced verifies
 * until its `accept_until`.
 */
export async function programLinkKeys(
  db: Kysely<Schema>,
  programId: string,
  now: Date,
): Promise<ProgramLinkKeys> {
  const rows = await db
    .selectFrom('preference_link_keys')
    .select(['secret', 'accept_until'])
    .where('program_id', '=', programId)
    .where((eb) => eb.or([eb('accept_until', 'is', null), eb('accept_until', '>', now)]))
    .orderBy('key_id', 'desc')
    .execute();
  const installation = rows.some((r) => r.secret === null) || rows.length === 0 ? await linkSecret(db) : null;
  const keyOf = (secret: string | null) =>
    secret === null ? (installation as Buffer) : Buffer.from(secret, 'base64url');
  const current = rows.find((r) => r.accept_until === null);
  const signing = current === undefined ? await linkSecret(db) : keyOf(current.secret);
  const retired = rows.filter((r) => r !== current).map((r) => keyOf(r.secret));
  return { signing, accepted: [signing, ...retired] };
}

/** 256 random bits for a new program key, as stored. */
export const newLinkKey = () => randomBytes(32).toString('base64url');
