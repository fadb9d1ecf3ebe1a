// Per-channel rate limits (ADR 0025): each (program, channel) with a rate of r messages per second
// gets one send every 1/r seconds, spaced evenly, without bursts (a "virtual scheduling" form of
// GCRA). The state is the earliest time the next send may start; it is kept in the worker process,
// so the limit holds per worker: two workers on the same program each send at the rate.

/** The spacing of sends per key; times are milliseconds. */
export class RateLimiter {
  readonly #next = new Map<string, number>();

  /** How long a send on `key` must wait from `nowMs`; 0 when it may go now. */
  delay(key: string, nowMs: number): number {
    return Math.max(0, (this.#next.get(key) ?? Number.NEGATIVE_INFINITY) - nowMs);
  }

  /** Records a send on `key` starting at `atMs`: the next may start 1/rate seconds later. */
  take(key: string, rate: number, atMs: number): void {
    const start = Math.max(atMs, this.#next.get(key) ?? Number.NEGATIVE_INFINITY);
    this.#next.set(key, start + 1000 / rate);
  }
}
