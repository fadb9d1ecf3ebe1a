import type { Deps } from '../deps.ts';
import { type DeliverOptions, type DeliveryRound, deliverWebhooks } from './deliver-webhooks.ts';

/** How long the worker waits when the outbox has nothing due. */
export const DEFAULT_POLL_INTERVAL_MS = 1000;

/**
 * Delivers due webhook deliveries until there are none left; what `narrowcast webhooks deliver`
 * runs. Rows falling due later (retries) are left for a later run.
 */
export async function deliverAllDue(deps: Deps, options: DeliverOptions = {}): Promise<DeliveryRound> {
  const total: DeliveryRound = { claimed: 0, delivered: 0, retrying: 0, gaveUp: 0 };
  for (;;) {
    const round = await deliverWebhooks(deps, options);
    total.claimed += round.claimed;
    total.delivered += round.delivered;
    total.retrying += round.retrying;
    total.gaveUp += round.gaveUp;
    if (round.claimed === 0) return total;
  }
}

/**
 * The delivery loop `serve` runs beside the HTTP API: a round at once when the last one was busy,
 * else after `intervalMs`. An error (the database briefly away) is logged and the loop goes on.
 * `stop()` resolves once the round in flight has finished.
 */
export function startWebhookWorker(
  deps: Deps,
  options: DeliverOptions & { intervalMs?: number } = {},
): { stop(): Promise<void> } {
  const intervalMs = options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  let stopped = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      let busy = false;
      try {
        busy = (await deliverWebhooks(deps, options)).claimed > 0;
      } catch (error) {
        deps.log.error('webhook delivery round failed', { error: (error as Error).message });
      }
      if (busy || stopped) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
