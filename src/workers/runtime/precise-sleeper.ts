/**
 * The worker's precise wait: block the thread with `Atomics.wait` on a private SharedArrayBuffer
 * (nobody ever notifies it, so it is a pure timed sleep with sub-millisecond resolution, no event
 * loop in the way) until `spinMarginMs` before the target, then spin for the rest on the
 * allocation-free `Spinner` (time/spinner.ts: a GC pause in the final approach is a late release).
 * How late the futex wakes sets the spin's length: Linux adds the thread's timer slack (50 us by
 * default; the launchers lower it for loop threads, see launch/timer-slack.ts) plus the
 * scheduler's wake-up latency. The margin left beyond that absorbs the wake-up's tail, which is
 * what p99 is made of.
 */
import { Spinner } from '../../time/spinner.js';

export class PreciseSleeper {
  readonly #cell = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  readonly #now: () => number;
  readonly #spinMarginMs: number;
  readonly #spinner: Spinner;

  constructor(now: () => number, spinMarginMs: number) {
    this.#now = now;
    this.#spinMarginMs = spinMarginMs;
    this.#spinner = new Spinner(now);
  }

  /** Block until monotonic time `atMs`; returns the clock reading that reached it. */
  waitUntil(atMs: number): number {
    let before = this.#now();
    const waitMs = atMs - this.#spinMarginMs - before;
    if (waitMs > 0) {
      Atomics.wait(this.#cell, 0, 0, waitMs);
      before = this.#now();
    }
    return this.#spinner.spinUntil(atMs, before);
  }
}
