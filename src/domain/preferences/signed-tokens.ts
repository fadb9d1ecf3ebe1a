import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ExternalId, ProgramId } from '../../contracts/scalars.ts';

// Member links and form tokens are HMAC-SHA256 signatures under the installation's secret (ADR 0010).
// Each kind of token signs under its own label, so a link can never pass as a form token or back.
// Pure: the secret and `now` are parameters.

const LINK_LABEL = 'narrowcast/preference-link/v1';
const FORM_LABEL = 'narrowcast/preference-form/v1';

/** Longest token accepted before any work is done on it. */
const MAX_TOKEN_LENGTH = 1024;

/** How long a rendered form may be submitted (a member may leave a tab open over lunch). */
export const FORM_TOKEN_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** What a member link carries: whose page it opens and until when. */
export interface LinkClaims {
  programId: string;
  memberId: string;
  expiresAt: Date;
}

export type LinkCheck = { ok: true; claims: LinkClaims } | { ok: false; reason: 'invalid' | 'expired' };

const LinkPayload = z.strictObject({ p: ProgramId, m: ExternalId, x: z.number().int().positive() });

function sign(secret: Buffer, label: string, text: string): string {
  return createHmac('sha256', secret).update(`${label}\n${text}`).digest('base64url');
}

function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `<payload>.<signature>`, both base64url, safe in a URL path segment. */
export function signLink(secret: Buffer, claims: LinkClaims): string {
  const payload = Buffer.from(
    JSON.stringify({
      p: claims.programId,
      m: claims.memberId,
      x: Math.floor(claims.expiresAt.getTime() / 1000),
    }),
  ).toString('base64url');
  return `${payload}.${sign(secret, LINK_LABEL, payload)}`;
}

/** The link's claims when its signature holds and it has not expired; an expired link says so only when genuine. */
export function verifyLink(secret: Buffer, token: string, now: Date): LinkCheck {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'invalid' };
  const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return { ok: false, reason: 'invalid' };
  const [, payload = '', signature = ''] = match;
  if (!sameSignature(signature, sign(secret, LINK_LABEL, payload))) return { ok: false, reason: 'invalid' };
  let parsed: z.infer<typeof LinkPayload>;
  try {
    parsed = LinkPayload.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  const expiresAt = new Date(parsed.x * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { programId: parsed.p, memberId: parsed.m, expiresAt } };
}

/**
 * The program a link names, read WITHOUT checking its signature: only to choose which of that
 * program's keys to check it with. Null when the token is not shaped like a link.
 */
export function unverifiedLinkProgram(token: string): string | null {
  if (token.length > MAX_TOKEN_LENGTH) return null;
  const match = /^([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]{43}$/.exec(token);
  if (!match) return null;
  try {
    return LinkPayload.parse(JSON.parse(Buffer.from(match[1] ?? '', 'base64url').toString('utf8'))).p;
  } catch {
    return null;
  }
}

/**
 * A check under any of several keys (a program's signing key and the keys it rotated away from but
 * still accepts): the first genuine answer, ok or expired; else invalid.
 */
export function checkWithAny<T extends { ok: boolean; reason?: string }>(
  secrets: readonly Buffer[],
  check: (secret: Buffer) => T,
  invalid: T,
): T {
  for (const secret of secrets) {
    const result = check(secret);
    if (result.ok || result.reason === 'expired') return result;
  }
  return invalid;
}

/** What a form token binds: the member, a one-time nonce, when the form was rendered, and the browser's cookie. */
export interface FormClaims {
  programId: string;
  memberId: string;
  nonce: string;
  issuedAt: Date;
  /** The double-submit cookie the page was rendered with. */
  cookie: string;
}

/** `<nonce>.<issued, epoch seconds>.<signature>`. */
export function signForm(secret: Buffer, claims: FormClaims): string {
  const issued = Math.floor(claims.issuedAt.getTime() / 1000);
  const text = JSON.stringify([claims.programId, claims.memberId, claims.nonce, issued, claims.cookie]);
  return `${claims.nonce}.${issued}.${sign(secret, FORM_LABEL, text)}`;
}

export type FormCheck = { ok: true; nonce: string } | { ok: false; reason: 'invalid' | 'expired' };

/** Checks a submitted form token against the link's member and the cookie the browser sent back. */
export function verifyForm(
  secret: Buffer,
  token: string,
  expected: { programId: string; memberId: string; cookie: string },
  now: Date,
): FormCheck {
  const match = /^([A-Za-z0-9_-]{16,64})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return { ok: false, reason: 'invalid' };
  const [, nonce = '', issuedText = '', signature = ''] = match;
  const issued = Number(issuedText);
  const text = JSON.stringify([expected.programId, expected.memberId, nonce, issued, expected.cookie]);
  if (!sameSignature(signature, sign(secret, FORM_LABEL, text))) return { ok: false, reason: 'invalid' };
  const age = now.getTime() - issued * 1000;
  // A token from the future (beyond a minute of clock skew) is not one this server issued.
  if (age < -60_000) return { ok: false, reason: 'invalid' };
  if (age > FORM_TOKEN_MAX_AGE_MS) return { ok: false, reason: 'expired' };
  return { ok: true, nonce };
}
