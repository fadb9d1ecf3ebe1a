import type { Deps } from '../deps.ts';
import type { DeliveryOptions, DeliveryPass } from './deliver-due-messages.ts';
import { runDeliveryLoop } from './run-delivery-loop.ts';

/** How long the worker waits after a failed pass (the database briefly away) before trying again, in ms. */
export const DEFAULT_DELIVERY_ERROR_PAUSE_MS = 5_000;

/**
 * The campaign delivery loop `serve` runs beside the HTTP API. A failing pass is logged (never with
 * a secret: errors name ids and endpoints without query strings) and the loop goes on after a
 * pause. `stop()` aborts the wait between passes and any rate-limit wait, lets the message in flight
 * finish and be recorded, hands unsent claimed rows back, and resolves with the totals.
 */
export function startDeliveryWorker(
  deps: Pick<Deps, 'db' | 'clock' | 'log'>,
  options: Omit<DeliveryOptions, 'signal'> & {
    pollMs?: number;
    scheduleEveryMs?: number;
    errorPauseMs?: number;
  },
): { stop(): Promise<DeliveryPass> } {
  const controller = new AbortController();
  const total: DeliveryPass = { claimed: 0, sent: 0, retried: 0, failed: 0, withdrawn: 0 };
  const loop = (async () => {
    while (!controller.signal.aborted) {
      try {
        const pass = await runDeliveryLoop(deps, { ...options, signal: controller.signal });
        for (const key of Object.keys(total) as (keyof DeliveryPass)[]) total[key] += pass[key];
      } catch (error) {
        deps.log.error('campaign delivery failed', { error: (error as Error).message });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, options.errorPauseMs ?? DEFAULT_DELIVERY_ERROR_PAUSE_MS);
          function done() {
            clearTimeout(timer);
            controller.signal.removeEventListener('abort', done);
            resolve();
          }
          controller.signal.addEventListener('abort', done, { once: true });
        });
      }
    }
  })();
  return {
    async stop() {
      controller.abort();
      await loop;
      return total;
    },
  };
}
