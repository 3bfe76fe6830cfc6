/**
 * The scheduler's one timeline: every release, deadline watch and sleep is an entry in ONE queue
 * ordered by due time, then scheduling order (a `TimeWheel`: millisecond buckets in front of a
 * small heap), behind ONE clock alarm armed for the earliest entry.
 *
 * On wake, the entries due at that instant are taken out first and then handled, so handling may
 * schedule new entries (the next release) without being re-entered; entries that are already due
 * again fire on the next wake (an immediate, not a 1 ms timer). After a batch, `afterBatch` lets
 * the dispatcher start the runs the batch released in priority order, not in firing order.
 */
import type { Alarm, Clock } from '../time/clock.js';
import { TimeWheel } from '../queue/time-wheel.js';
import { AbortError } from '../errors.js';

/** Something that wants to be called at a monotonic time. */
export interface Timed {
  /** Due time, set by `TimerQueue.schedule`. */
  timerAt: number;
  /** Where the timeline keeps it; -1 when not scheduled. */
  timerIndex: number;
  onTimer(now: number): void;
}

const setTimerIndex = (entry: Timed, index: number): void => {
  entry.timerIndex = index;
};
const timerAtOf = (entry: Timed): number => entry.timerAt;

/** Default error route: surface it as an uncaught exception, after the batch has fired. */
function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

class Sleeper implements Timed {
  timerAt = 0;
  timerIndex = -1;
  readonly #resolve: () => void;
  readonly #cleanup: (() => void) | undefined;

  constructor(resolve: () => void, cleanup?: () => void) {
    this.#resolve = resolve;
    this.#cleanup = cleanup;
  }

  onTimer(): void {
    this.#cleanup?.();
    this.#resolve();
  }
}

export class TimerQueue {
  readonly #clock: Clock;
  readonly #alarm: Alarm;
  /** By due time, then scheduling order (entries due together fire first-scheduled first). */
  readonly #queue = new TimeWheel<Timed>(setTimerIndex, timerAtOf);
  readonly #due: (Timed | undefined)[] = [];
  readonly #afterBatch: () => void;
  readonly #onError: (error: unknown) => void;
  #armedAt = Number.POSITIVE_INFINITY;
  #waking = false;

  /** `onError` receives what a timer callback throws; the other due entries still fire. */
  constructor(clock: Clock, afterBatch: () => void, onError: (error: unknown) => void = rethrowLater) {
    this.#clock = clock;
    this.#afterBatch = afterBatch;
    this.#onError = onError;
    this.#alarm = clock.createAlarm(() => this.#wake());
  }

  get size(): number {
    return this.#queue.size;
  }

  /** Schedule (or move) `entry` to fire at monotonic time `atMs`. */
  schedule(entry: Timed, atMs: number): void {
    if (entry.timerIndex >= 0) this.#queue.remove(entry.timerIndex);
    entry.timerAt = atMs;
    this.#queue.push(entry, atMs);
    if (!this.#waking && atMs < this.#armedAt) this.#arm();
  }

  cancel(entry: Timed): void {
    if (entry.timerIndex < 0) return;
    this.#queue.remove(entry.timerIndex);
    if (!this.#waking && this.#queue.size === 0) this.#disarm();
  }

  /** Resolve after `ms` on the scheduler's clock; rejects with AbortError if `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new AbortError('sleep aborted', { cause: signal.reason }));
    return new Promise<void>((resolve, reject) => {
      let sleeper: Sleeper;
      if (signal === undefined) {
        sleeper = new Sleeper(resolve);
      } else {
        const onAbort = (): void => {
          this.cancel(sleeper);
          reject(new AbortError('sleep aborted', { cause: signal.reason }));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        sleeper = new Sleeper(resolve, () => signal.removeEventListener('abort', onAbort));
      }
      this.schedule(sleeper, this.#clock.now() + Math.max(0, ms));
    });
  }

  /** Visit every scheduled entry (in no particular order). */
  forEach(visit: (entry: Timed) => void): void {
    this.#queue.forEach(visit);
  }

  /** Drop every entry and the alarm. */
  clear(): void {
    this.#queue.clear();
    this.#disarm();
  }

  #wake(): void {
    this.#armedAt = Number.POSITIVE_INFINITY;
    const now = this.#clock.now();
    const due = this.#due;
    let count = 0;
    this.#waking = true;
    try {
      for (let top = this.#queue.peek(); top !== undefined && top.timerAt <= now; top = this.#queue.peek()) {
        this.#queue.pop();
        due[count++] = top;
      }
      for (let i = 0; i < count; i++) {
        try {
          due[i]!.onTimer(now);
        } catch (error) {
          this.#onError(error);
        }
      }
    } finally {
      // keep the array's storage for the next wake; drop only the references
      for (let i = 0; i < count; i++) due[i] = undefined;
      this.#waking = false;
    }
    this.#afterBatch();
    if (this.#queue.size > 0) this.#arm();
  }

  #arm(): void {
    const top = this.#queue.peek();
    if (top === undefined) return;
    this.#armedAt = top.timerAt;
    this.#alarm.arm(top.timerAt);
  }

  #disarm(): void {
    this.#armedAt = Number.POSITIVE_INFINITY;
    this.#alarm.disarm();
  }
}
