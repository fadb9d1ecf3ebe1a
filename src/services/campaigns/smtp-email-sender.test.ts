import { describe, expect, it } from 'vitest';
import { pooledUrl } from './smtp-email-sender.ts';

describe('the SMTP transport URL', () => {
  it('pools connections unless the URL says otherwise, keeping credentials and other settings', () => {
    const pooled = new URL(pooledUrl('smtp://user:p%40ss@mail.example:2525?secure=false'));
    expect(pooled.searchParams.get('pool')).toBe('true');
    expect(pooled.searchParams.get('secure')).toBe('false');
    expect([pooled.username, pooled.password, pooled.host]).toEqual(['user', 'p%40ss', 'mail.example:2525']);
    expect(new URL(pooledUrl('smtps://mail.example?pool=false')).searchParams.get('pool')).toBe('false');
  });
});
