import { describe, expect, it } from 'vitest';
import { FORM_TOKEN_MAX_AGE_MS, signForm, signLink, verifyForm, verifyLink } from './signed-tokens.ts';

const secret = Buffer.alloc(32, 7);
const now = new Date('2024-06-01T00:00:00Z');
const claims = { programId: 'shop', memberId: 'Zoë / 42', expiresAt: new Date('2024-07-01T00:00:00Z') };

describe('member links', () => {
  it('round-trip the program, member and expiry, and are safe in a URL path', () => {
    const token = signLink(secret, claims);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyLink(secret, token, now)).toEqual({ ok: true, claims });
  });

  it('refuse a link whose payload or signature was changed, or that another secret signed', () => {
    const token = signLink(secret, claims);
    const [payload, signature] = token.split('.') as [string, string];
    const otherMember = Buffer.from(JSON.stringify({ p: 'shop', m: 'M2', x: 1_800_000_000 })).toString(
      'base64url',
    );
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [
      `${otherMember}.${signature}`,
      `${payload}.${flipped}`,
      `${payload}x.${signature}`,
      token.slice(0, -1),
      '',
      'not-a-token',
      `${'a'.repeat(2000)}.${signature}`,
    ]) {
      expect(verifyLink(secret, bad, now)).toEqual({ ok: false, reason: 'invalid' });
    }
    expect(verifyLink(Buffer.alloc(32, 8), token, now)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('say a genuine link has expired from its expiry second on', () => {
    const token = signLink(secret, claims);
    expect(verifyLink(secret, token, new Date('2024-06-30T23:59:59Z')).ok).toBe(true);
    expect(verifyLink(secret, token, claims.expiresAt)).toEqual({ ok: false, reason: 'expired' });
  });
});

describe('form tokens', () => {
  const form = {
    programId: 'shop',
    memberId: 'M1',
    nonce: 'n'.repeat(22),
    issuedAt: now,
    cookie: 'c'.repeat(22),
  };
  const expected = { programId: 'shop', memberId: 'M1', cookie: 'c'.repeat(22) };

  it('verify for the member and cookie they were issued to and return the nonce', () => {
    expect(verifyForm(secret, signForm(secret, form), expected, now)).toEqual({
      ok: true,
      nonce: form.nonce,
    });
  });

  it('refuse another member, another cookie, no cookie, a member link, or a changed nonce', () => {
    const token = signForm(secret, form);
    expect(verifyForm(secret, token, { ...expected, memberId: 'M2' }, now).ok).toBe(false);
    expect(verifyForm(secret, token, { ...expected, programId: 'other' }, now).ok).toBe(false);
    expect(verifyForm(secret, token, { ...expected, cookie: 'd'.repeat(22) }, now).ok).toBe(false);
    expect(verifyForm(secret, token, { ...expected, cookie: '' }, now).ok).toBe(false);
    expect(verifyForm(secret, token.replace(/^n/, 'm'), expected, now).ok).toBe(false);
    expect(verifyForm(secret, signLink(secret, claims), expected, now).ok).toBe(false);
  });

  it('expire a day after the page was rendered, and refuse one issued in the future', () => {
    const token = signForm(secret, form);
    expect(verifyForm(secret, token, expected, new Date(now.getTime() + FORM_TOKEN_MAX_AGE_MS)).ok).toBe(
      true,
    );
    expect(
      verifyForm(secret, token, expected, new Date(now.getTime() + FORM_TOKEN_MAX_AGE_MS + 1000)),
    ).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(verifyForm(secret, token, expected, new Date(now.getTime() - 120_000))).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });
});
