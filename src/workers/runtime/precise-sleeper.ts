/**
 * The worker's precise wait: block the thread with `Atomics.wait` on a private SharedArrayBuffer
 * (nobody ever notifies it, so it is a pure timed sleep with sub-millisecond resolution, no event
 * loop in the way) until `spinMarginMs` before the target, then spin for the rest. Linux wakes a
 * futex wait some 50-60 us late (timer slack), so the spin lasts the margin minus that: at 1 kHz a
 * 0.15 ms margin (the default) gives microsecond wake-ups for ~11 % of a core (0.2 ms: ~16 %), a
 * 0.05 ms margin tens of microseconds for ~2 %, and margin 0 is a pure wait.
 *
 * The spin must not allocate: a GC pause in the final approach is a late release. On Node 20 every
 * clock read (`performance.now()`, even `Date.now()`) returns a freshly boxed number, so a naive
 * `while (now() < at)` allocates ~50 KB per 200 us of spinning (a scavenge every ~100 ms at 1 kHz).
 * So the spin reads the clock rarely: it burns half of the remaining time in a calibrated loop of
 * atomic loads (which the compiler cannot remove), reads the clock, and repeats: ~10 reads per
 * release instead of thousands. The loop rate is re-measured on every chunk.
 */

/** Below this many loop iterations the spin just reads the clock until the target. */
const MIN_CHUNK = 64;

export class PreciseSleeper {
  readonly #cell = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  readonly #now: () => number;
  readonly #spinMarginMs: number;
  /** Atomic-load iterations per millisecond, as last measured. */
  #loopsPerMs = 10_000;

  constructor(now: () => number, spinMarginMs: number) {
    this.#now = now;
    this.#spinMarginMs = spinMarginMs;
  }

  /** Block until monotonic time `atMs`. */
  waitUntil(atMs: number): void {
    const cell = this.#cell;
    const waitMs = atMs - this.#spinMarginMs - this.#now();
    if (waitMs > 0) Atomics.wait(cell, 0, 0, waitMs);
    let before = this.#now();
    for (;;) {
      const remainingMs = atMs - before;
      if (remainingMs <= 0) return;
      const loops = Math.floor(remainingMs * this.#loopsPerMs * 0.5);
      if (loops < MIN_CHUNK) break;
      for (let i = 0; i < loops; i++) Atomics.load(cell, 0);
      const after = this.#now();
      if (after > before) this.#loopsPerMs = loops / (after - before);
      before = after;
    }
    while (this.#now() < atMs) {
      // the last microsecond or so
    }
  }
}
