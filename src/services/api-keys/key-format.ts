import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// A key reads "nck_<id>_<secret>". The id is public and finds the row; only a SHA-256 hash of the
// 256-bit random secret is stored. A fast hash is enough for a secret with that much entropy
// (no dictionary to guess from), and keeps per-request authentication cheap (ADR 0004).

const PREFIX = 'nck';

export function newKeyParts(): { id: string; secret: string; key: string } {
  // Hex, not base64url: an id is typed on command lines (`keys revoke <id>`), where one starting
  // with "-" reads as an option, and "_" would blur where the id ends. 48 random bits name a key.
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, key: `${PREFIX}_${id}_${secret}` };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Splits a presented key; undefined when it is not shaped like one of ours. */
export function parseKey(key: string): { id: string; secret: string } | undefined {
  const match = /^nck_([A-Za-z0-9_-]{12})_([A-Za-z0-9_-]{43})$/.exec(key);
  return match ? { id: match[1] as string, secret: match[2] as string } : undefined;
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
