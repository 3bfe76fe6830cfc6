/**
 * The worker's precise wait: block the thread with `Atomics.wait` on a private SharedArrayBuffer
 * (nobody ever notifies it, so it is a pure timed sleep with sub-millisecond resolution, no event
 * loop in the way) until `spinMarginMs` before the target, then spin on the monotonic clock for
 * the rest. Linux wakes a futex wait some 50-60 us late (timer slack), so a 0.2 ms margin gives
 * microsecond wake-ups for ~15 % of a core at 1 kHz, a 0.05 ms margin tens of microseconds for a
 * few percent, and margin 0 is a pure wait. Allocation-free: a GC during the spin would be late.
 */
export class PreciseSleeper {
  readonly #cell = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  readonly #now: () => number;
  readonly #spinMarginMs: number;

  constructor(now: () => number, spinMarginMs: number) {
    this.#now = now;
    this.#spinMarginMs = spinMarginMs;
  }

  /** Block until monotonic time `atMs`. */
  waitUntil(atMs: number): void {
    const waitMs = atMs - this.#spinMarginMs - this.#now();
    if (waitMs > 0) Atomics.wait(this.#cell, 0, 0, waitMs);
    while (this.#now() < atMs) {
      // final approach
    }
  }
}
