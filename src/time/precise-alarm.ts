/**
 * The precise timer behind `SystemClock`: one native timer armed for the earliest deadline.
 *
 * How: a single `setTimeout` is armed for the deadline (rounded up, since Node fires timers no
 * earlier than their whole-millisecond delay). Waits longer than 30 s are chunked and re-checked on
 * wake, so a suspended or long-sleeping process never overshoots by a whole chunk, and a deadline
 * that is already due is served by `setImmediate` instead of the 1 ms minimum timeout.
 *
 * `precise` mode adds a final-approach spin: the native timer is armed `spinMarginMs` early (rounded
 * down, then polled with immediates, each after a 0.1 ms spin) and the remaining gap is closed by the allocation-free
 * `Spinner` (./spinner.ts), which reads the clock about 20 times per approach.
 * That trades up to `spinMarginMs` of CPU (and of event-loop blocking) per wake for wake-ups within
 * microseconds of the deadline. It is opt-in; `coarse` never blocks the loop.
 */
import type { Alarm, TimerPrecision } from './clock.js';
import { Spinner } from './spinner.js';

/** Longest single native wait; longer waits are re-armed on wake. */
export const MAX_CHUNK_MS = 30_000;
/** How early precise mode wakes before spinning to the deadline. */
export const DEFAULT_SPIN_MARGIN_MS = 1.5;
/** Precise mode: how long each poll before the spin margin spins before yielding a loop turn. */
const POLL_SLICE_MS = 0.1;

export interface PreciseAlarmOptions {
  precision: TimerPrecision;
  spinMarginMs?: number;
  /** Keep the process alive while armed (default true). */
  ref?: boolean;
}

export class PreciseAlarm implements Alarm {
  readonly #now: () => number;
  readonly #onWake: () => void;
  readonly #spinMarginMs: number;
  readonly #ref: boolean;
  readonly #spinner: Spinner | undefined;
  #timeout: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #targetAt = 0;
  #armed = false;
  readonly #fire = (): void => this.#check();

  constructor(now: () => number, onWake: () => void, options: PreciseAlarmOptions) {
    this.#now = now;
    this.#onWake = onWake;
    this.#spinMarginMs = options.precision === 'precise' ? (options.spinMarginMs ?? DEFAULT_SPIN_MARGIN_MS) : 0;
    this.#ref = options.ref ?? true;
    this.#spinner = this.#spinMarginMs > 0 ? new Spinner(now) : undefined;
  }

  get armed(): boolean {
    return this.#armed;
  }

  arm(atMs: number): void {
    this.#clearNative();
    this.#armed = true;
    this.#targetAt = atMs;
    this.#schedule(atMs - this.#now());
  }

  disarm(): void {
    this.#clearNative();
    this.#armed = false;
  }

  #schedule(remainingMs: number): void {
    const waitMs = remainingMs - this.#spinMarginMs;
    // coarse rounds up (Node fires no earlier than the whole milliseconds asked for); precise rounds
    // down so timer lateness eats into the wait, not the spin margin, and polls the last sub-ms
    const delayMs = this.#spinMarginMs > 0 ? Math.floor(waitMs) : Math.ceil(waitMs);
    if (delayMs < 1) {
      this.#immediate = setImmediate(this.#fire);
      if (!this.#ref) this.#immediate.unref();
      return;
    }
    this.#timeout = setTimeout(this.#fire, Math.min(delayMs, MAX_CHUNK_MS));
    if (!this.#ref) this.#timeout.unref();
  }

  #check(): void {
    this.#timeout = undefined;
    this.#immediate = undefined;
    if (!this.#armed) return;
    let remaining = this.#targetAt - this.#now();
    if (this.#spinner !== undefined && remaining > this.#spinMarginMs && remaining < this.#spinMarginMs + 1) {
      // the sub-ms before the margin is polled with immediates: spinning a slice before each keeps
      // them to a few per wake (each allocates; hundreds per wake made a scavenge every ~100 ms)
      this.#spinner.spinUntil(Math.min(this.#targetAt - this.#spinMarginMs, this.#now() + POLL_SLICE_MS));
      remaining = this.#targetAt - this.#now();
    }
    if (remaining > this.#spinMarginMs) {
      this.#schedule(remaining); // woke early: a chunk boundary, or timer rounding
      return;
    }
    if (remaining > 0) this.#spinner?.spinUntil(this.#targetAt);
    this.#armed = false;
    this.#onWake();
  }

  #clearNative(): void {
    if (this.#timeout !== undefined) clearTimeout(this.#timeout);
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#timeout = undefined;
    this.#immediate = undefined;
  }
}
