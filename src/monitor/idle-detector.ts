/**
 * System idle (seed 004: "all workers idle AND queue empty → safe to stop", reliability plan F2).
 *
 * Sampling many sources is not atomic: between reading the workers and reading the queues, an
 * item can be enqueued, taken and finished, and a naive sample would call that moment idle. So
 * idleness needs every sample of the window quiet (no busy worker, no queued item) AND no activity
 * counter (items ever enqueued, restarts, jobs submitted...) moving across it. That is a double
 * collect: when two consecutive samples read the same counters and saw nothing queued or running,
 * nothing happened between them, so the system was truly quiet from the first sample on. Work
 * enqueued while a sample is being taken either shows in a size or moves a counter, and restarts
 * the window; only work that arrives after a queue was read can follow the decision, and the next
 * sample reports it as `busy`. Pure logic: samples and time come in.
 */

export interface IdleSample {
  /** A worker is busy or a queue holds an item. */
  busy: boolean;
  /** Counters that never decrease; any change means work happened since the previous sample. */
  activity: readonly number[];
}

export type IdleChange = { kind: 'idle'; since: number } | { kind: 'busy' };

function same(a: readonly number[] | undefined, b: readonly number[]): boolean {
  if (a === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class IdleDetector {
  readonly #debounceMs: number;
  #idle = false;
  #quietSince: number | undefined;
  #activity: readonly number[] | undefined;

  constructor(debounceMs: number) {
    this.#debounceMs = debounceMs;
  }

  get idle(): boolean {
    return this.#idle;
  }

  /** Start of the quiet window that ended in idleness (or is under way), or null. */
  get quietSince(): number | null {
    return this.#quietSince ?? null;
  }

  /** Judge one sample. */
  observe(sample: IdleSample, now: number): IdleChange | undefined {
    const quiet = !sample.busy && same(this.#activity, sample.activity);
    this.#activity = sample.activity;
    if (!quiet) {
      // Work seen now: a quiet window can start at this sample at the earliest.
      this.#quietSince = sample.busy ? undefined : now;
      if (!this.#idle) return undefined;
      this.#idle = false;
      return { kind: 'busy' };
    }
    this.#quietSince ??= now;
    if (this.#idle || now - this.#quietSince < this.#debounceMs) return undefined;
    this.#idle = true;
    return { kind: 'idle', since: this.#quietSince };
  }

  reset(): void {
    this.#idle = false;
    this.#quietSince = undefined;
    this.#activity = undefined;
  }
}
