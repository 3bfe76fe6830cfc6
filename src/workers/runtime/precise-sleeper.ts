/**
 * The worker's precise wait: block the thread with `Atomics.wait` on a private SharedArrayBuffer
 * (nobody ever notifies it, so it is a pure timed sleep with sub-millisecond resolution, no event
 * loop in the way) until `spinMarginMs` before the target, then spin for the rest. How late the
 * futex wakes sets the spin's length: Linux adds the thread's timer slack (50 us by default; the
 * launchers lower it for loop threads, see launch/timer-slack.ts) plus the scheduler's wake-up
 * latency. The margin left beyond that absorbs the wake-up's tail, which is what p99 is made of.
 *
 * The spin must not allocate: a GC pause in the final approach is a late release. On Node 20 every
 * clock read (`performance.now()`, even `Date.now()`) returns a freshly boxed number, so a naive
 * `while (now() < at)` allocates ~15 KB per 100 us of spinning (a scavenge every ~0.5 s at 1 kHz).
 * So the spin reads the clock rarely: it burns half of the remaining time in a calibrated loop of
 * atomic loads (which the compiler cannot remove), reads the clock, and repeats; only the last
 * FINAL_MS poll the clock: about 20 reads per release instead of hundreds. The loop rate is
 * re-measured on every chunk, and every chunk runs at least MIN_CHUNK loads, so a rate measured
 * too low (a chunk that was preempted) recovers on the next chunks instead of sticking.
 */

/** The fewest atomic loads in a chunk (also what keeps re-measuring a rate measured too low). */
const MIN_CHUNK = 64;
/** Closer than this to the target, the spin just reads the clock. */
const FINAL_MS = 0.002;

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

  /** Block until monotonic time `atMs`; returns the clock reading that reached it. */
  waitUntil(atMs: number): number {
    const cell = this.#cell;
    const now = this.#now;
    let before = now();
    const waitMs = atMs - this.#spinMarginMs - before;
    if (waitMs > 0) {
      Atomics.wait(cell, 0, 0, waitMs);
      before = now();
    }
    let remainingMs = atMs - before;
    while (remainingMs > FINAL_MS) {
      const loops = Math.max(MIN_CHUNK, Math.floor(remainingMs * this.#loopsPerMs * 0.5));
      for (let i = 0; i < loops; i++) Atomics.load(cell, 0);
      const after = now();
      if (after > before) this.#loopsPerMs = loops / (after - before);
      before = after;
      remainingMs = atMs - before;
    }
    while (before < atMs) before = now();
    return before;
  }
}
