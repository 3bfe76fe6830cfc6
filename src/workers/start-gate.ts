/**
 * The manager's start gate: at most `limit` workers boot at once.
 *
 * Why: booting a worker (a Node isolate or process, the runtime, the worker's libraries, its
 * setup) is CPU work. Spawning a hundred at once on two cores made every boot slower than the start
 * timeout, so every one was killed and started again, and the restarts, booted ahead during their
 * backoff, kept the storm going: 394 s and 856 failed starts before a hundred soak workers ran
 * (bench/soak.ts, before this gate). Through the gate they boot a few at a time, each within its
 * timeout.
 *
 * How: a slot is taken when a generation is launched and given back when it reports ready or
 * exits; a start that finds no slot waits in FIFO order (its start timeout is armed only once it
 * launches). A restart is pre-launched during its backoff only if a slot is free, and holds it
 * through the backoff (at most 30 s, and a crash loop degrades within seconds); otherwise it
 * launches through the gate when the backoff ends.
 */
import { availableParallelism } from 'node:os';

/** The default limit: the cores, at least 4 (a worker's setup may wait on its device, not the CPU). */
export function defaultMaxConcurrentStarts(): number {
  return Math.max(4, availableParallelism());
}

export class StartGate {
  readonly #limit: number;
  #inUse = 0;
  #closed = false;
  readonly #waiting = new Set<() => void>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Starts booting now (slots in use) and waiting for a slot. */
  get booting(): number {
    return this.#inUse;
  }

  get waiting(): number {
    return this.#waiting.size;
  }

  /** Take a slot if one is free. */
  tryAcquire(): boolean {
    if (this.#closed || this.#inUse >= this.#limit) return false;
    this.#inUse++;
    return true;
  }

  /** Call `onSlot` with a slot taken, now or when one is released; returns a function that withdraws the wait. */
  acquire(onSlot: () => void): () => void {
    if (this.tryAcquire()) {
      onSlot();
      return () => {};
    }
    this.#waiting.add(onSlot);
    return () => this.#waiting.delete(onSlot);
  }

  /** Give a slot back: the longest waiter gets it, unless the gate is closed. */
  release(): void {
    if (!this.#closed) {
      for (const next of this.#waiting) {
        this.#waiting.delete(next);
        next(); // the slot passes on: in use stays the same
        return;
      }
    }
    this.#inUse--;
  }

  /** Launch nothing more (the manager is shutting down): waiters wait until they are withdrawn. */
  close(): void {
    this.#closed = true;
  }
}
