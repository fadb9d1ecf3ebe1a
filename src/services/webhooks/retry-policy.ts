/** How deliveries are sent and retried. Every number is a named default a caller may override. */
export interface DeliveryPolicy {
  /** Attempts before a delivery is given up (the first send counts). */
  maxAttempts: number;
  /** Delay after the first failure; each further failure doubles it... */
  baseDelayMs: number;
  /** ...up to this cap. */
  maxDelayMs: number;
  /** A receiver that has not answered in this long has failed the attempt. */
  timeoutMs: number;
  /** Deliveries claimed per round. */
  batchSize: number;
}

/**
 * 16 attempts over 15 to 29 hours (about a day): waits of 10 s, 20 s, 40 s, ... doubling to a cap
 * of 6 h, each drawn from the upper half of its window so that a receiver coming back up is not hit
 * by every queued retry at once.
 */
export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  maxAttempts: 16,
  baseDelayMs: 10_000,
  maxDelayMs: 6 * 60 * 60 * 1000,
  timeoutMs: 10_000,
  batchSize: 50,
};

/**
 * The wait before the next attempt after `failedAttempts` failures (1 or more): exponential,
 * capped, with "equal jitter" (a uniform draw in [d/2, d], `random` in [0, 1)).
 */
export function retryDelayMs(
  failedAttempts: number,
  policy: Pick<DeliveryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number,
): number {
  const exponent = Math.min(Math.max(failedAttempts - 1, 0), 52);
  const window = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  return Math.round(window / 2 + random() * (window / 2));
}
