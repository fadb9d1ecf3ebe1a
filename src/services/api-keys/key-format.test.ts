import { describe, expect, it } from 'vitest';
import { hashSecret, newKeyParts, parseKey, secretMatches } from './key-format.ts';

describe('API key format', () => {
  it('makes ids that a command line takes as an argument and that end at the second underscore', () => {
    for (let i = 0; i < 2_000; i++) {
      const { id, secret, key } = newKeyParts();
      expect(id).toMatch(/^[0-9a-f]{12}$/);
      expect(parseKey(key)).toEqual({ id, secret });
      expect(secretMatches(secret, hashSecret(secret))).toBe(true);
    }
  });

  it('still reads keys made with base64url ids', () => {
    expect(parseKey(`nck_-Ab_cD0123xy_${'a'.repeat(43)}`)).toEqual({
      id: '-Ab_cD0123xy',
      secret: 'a'.repeat(43),
    });
  });
});
