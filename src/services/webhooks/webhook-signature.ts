import { createHmac, timingSafeEqual } from 'node:crypto';

// "Narrowcast-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of `${t}.${body}`>". Signing the
// time with the body lets a receiver refuse a replayed request that is older than it accepts;
// the version tag leaves room for another scheme beside v1 during a change.

/** The signature header's value for a body sent at `unixSeconds`. */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const digest = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${digest}`;
}

/**
 * Whether a received header signs this body with this secret, within `toleranceSeconds` of
 * `nowSeconds`: what a receiver does (documented in the README with this code as the reference).
 */
export function verifySignature(
  secret: string,
  body: string,
  header: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const parts = new Map(
    header.split(',').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isSafeInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signatureHeader(secret, body, t).split('v1=')[1] ?? '', 'hex');
  const presented = Buffer.from(v1, 'hex');
  return expected.length === presented.length && timingSafeEqual(expected, presented);
}
