/**
 * The final approach to a deadline: a busy-wait that returns within microseconds of it and
 * allocates nothing, for the precise alarm (main thread) and the worker's precise sleeper.
 *
 * Why not `while (now() < at)`: on Node 20 a clock read (`performance.now()`, `Date.now()`,
 * `process.hrtime()`'s array) allocates wherever the optimising compiler does not remove the box,
 * and a spin runs millions of iterations per second: measured 600 MB/s of garbage, a scavenge
 * every 11 ms, in a 1 kHz precise loop spinning on `process.hrtime()`. So the spin reads the clock
 * rarely: it burns half of the remaining time in a calibrated loop of atomic loads (which the
 * compiler cannot remove), reads the clock, and repeats; only the last FINAL_MS poll the clock:
 * about 20 reads per approach instead of thousands. The loop rate is re-measured on every chunk,
 * and every chunk runs at least MIN_CHUNK loads, so a rate measured too low (a chunk that was
 * preempted) recovers on the next chunks instead of sticking.
 */

/** The fewest atomic loads in a chunk (also what keeps re-measuring a rate measured too low). */
const MIN_CHUNK = 64;
/** Closer than this to the target, the spin just reads the clock. */
const FINAL_MS = 0.002;

export class Spinner {
  readonly #cell = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  readonly #now: () => number;
  /** Atomic-load iterations per millisecond, as last measured. */
  #loopsPerMs = 10_000;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Busy-wait until monotonic time `atMs`, from the clock reading `before`; returns the reading that reached it. */
  spinUntil(atMs: number, before: number = this.#now()): number {
    const cell = this.#cell;
    const now = this.#now;
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
