import { RateLimiter } from '../delivery/rate-limiter.ts';
import type { Deps } from '../deps.ts';
import { advanceCampaigns } from './advance-campaigns.ts';
import { type DeliveryOptions, type DeliveryPass, deliverDueMessages } from './deliver-due-messages.ts';

/** How long an idle worker waits before looking for due messages again, in milliseconds. */
export const DEFAULT_POLL_MS = 1_000;
/** How often the loop also advances running campaigns (triggered, recurring, completion), in milliseconds. */
export const DEFAULT_SCHEDULE_EVERY_MS = 60_000;

/**
 * Runs delivery passes until `signal` aborts: back to back while messages are due, otherwise every
 * `pollMs`; every `scheduleEveryMs` (and first of all) it also advances running campaigns, which
 * launches triggered and recurring ones. With `untilIdle`, returns as soon as a pass finds nothing
 * due (for cron and tests). Returns the delivery totals.
 */
export async function runDeliveryLoop(
  deps: Pick<Deps, 'db' | 'clock' | 'log'>,
  options: DeliveryOptions & {
    signal: AbortSignal;
    pollMs?: number;
    scheduleEveryMs?: number;
    untilIdle?: boolean;
  },
): Promise<DeliveryPass> {
  const total: DeliveryPass = { claimed: 0, sent: 0, retried: 0, failed: 0, withdrawn: 0 };
  let scheduledAt = Number.NEGATIVE_INFINITY;
  // One limiter for the life of the loop, so the spacing of sends carries over between passes.
  const limiter = options.limiter ?? new RateLimiter();
  while (!options.signal.aborted) {
    const tick = deps.clock().getTime();
    if (tick - scheduledAt >= (options.scheduleEveryMs ?? DEFAULT_SCHEDULE_EVERY_MS)) {
      scheduledAt = tick;
      await advanceCampaigns(deps, { programId: options.programId });
    }
    const pass = await deliverDueMessages(deps, { ...options, limiter });
    total.claimed += pass.claimed;
    total.sent += pass.sent;
    total.retried += pass.retried;
    total.failed += pass.failed;
    total.withdrawn += pass.withdrawn;
    if (pass.claimed > 0) {
      deps.log.info('delivery pass', { ...pass });
      continue;
    }
    if (options.untilIdle) break;
    await pause(options.pollMs ?? DEFAULT_POLL_MS, options.signal);
  }
  return total;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
