import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.ts';

describe('RateLimiter', () => {
  it('spaces sends on a key evenly at its rate and keeps keys apart', () => {
    const limiter = new RateLimiter();
    expect(limiter.delay('p:sms', 0)).toBe(0);
    limiter.take('p:sms', 4, 0);
    expect(limiter.delay('p:sms', 100)).toBe(150);
    expect(limiter.delay('p:email', 100)).toBe(0);
    limiter.take('p:sms', 4, 250);
    expect(limiter.delay('p:sms', 250)).toBe(250);
  });

  it('does not save up sends while a channel is idle', () => {
    const limiter = new RateLimiter();
    limiter.take('k', 1, 0);
    expect(limiter.delay('k', 60_000)).toBe(0);
    limiter.take('k', 1, 60_000);
    expect(limiter.delay('k', 60_000)).toBe(1000);
  });
});
