/**
 * Time, as the rest of tactus sees it.
 *
 * Scheduling code never reads `performance.now()` or `Date.now()` itself: it asks a `Clock`. That
 * keeps every deadline computation on one monotonic timeline (wall-clock jumps cannot move a
 * loop) and lets tests swap in `ManualClock`, under which due work fires deterministically.
 *
 * A clock also hands out `Alarm`s: a single re-armable wake-up. The scheduler keeps its own heap of
 * deadlines and arms ONE alarm for the earliest, the way Node's own timer lists sit behind one
 * libuv timer.
 */

/** A re-armable one-shot wake-up on a clock's monotonic timeline. */
export interface Alarm {
  /** Wake at (or as soon as possible after) monotonic time `atMs`; replaces any earlier arming. */
  arm(atMs: number): void;
  /** Cancel the pending wake-up, if any. */
  disarm(): void;
  /** Whether a wake-up is pending. */
  readonly armed: boolean;
}

export interface Clock {
  /** Monotonic milliseconds with sub-millisecond resolution; only differences are meaningful. */
  now(): number;
  /** Wall-clock time in epoch milliseconds (may jump; never use it for intervals). */
  wallNow(): number;
  /** A new alarm that calls `onWake` when due. */
  createAlarm(onWake: () => void): Alarm;
}

/** Timer precision: `coarse` relies on the event loop's timers; `precise` spins the final approach. */
export type TimerPrecision = 'coarse' | 'precise';
