/**
 * A clock for tests: time stands still until the test advances it.
 *
 * `advance(ms)` walks forward alarm by alarm, in time order: it sets `now()` to each alarm's due
 * time, fires it, and lets promise callbacks and immediates settle before the next one, so async
 * task bodies (`await ctx.sleep(5)`) run deterministically. `stall(ms)` moves time without firing
 * anything, like an event loop that was blocked; the overdue alarms fire on the next `advance`.
 * Wall time is monotonic time plus an offset that `jumpWall(ms)` changes, to simulate the system
 * clock being set.
 */
import type { Alarm, Clock } from './clock.js';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

class ManualAlarm implements Alarm {
  atMs = 0;
  order = 0;
  #armed = false;
  readonly #clock: ManualClock;
  readonly onWake: () => void;

  constructor(clock: ManualClock, onWake: () => void) {
    this.#clock = clock;
    this.onWake = onWake;
  }

  get armed(): boolean {
    return this.#armed;
  }

  arm(atMs: number): void {
    this.atMs = atMs;
    this.order = this.#clock.nextOrder();
    this.#armed = true;
  }

  disarm(): void {
    this.#armed = false;
  }

  /** Called by the clock when it fires this alarm. */
  consume(): void {
    this.#armed = false;
  }
}

export interface ManualClockOptions {
  /** Initial monotonic time (default 0). */
  startMs?: number;
  /** Wall time at monotonic time `startMs` (default 2026-01-01T00:00:00Z). */
  wallStartMs?: number;
}

export class ManualClock implements Clock {
  #now: number;
  #wallOffset: number;
  #order = 0;
  readonly #alarms = new Set<ManualAlarm>();

  constructor(options: ManualClockOptions = {}) {
    this.#now = options.startMs ?? 0;
    this.#wallOffset = (options.wallStartMs ?? Date.UTC(2026, 0, 1)) - this.#now;
  }

  now(): number {
    return this.#now;
  }

  wallNow(): number {
    return this.#now + this.#wallOffset;
  }

  createAlarm(onWake: () => void): Alarm {
    const alarm = new ManualAlarm(this, onWake);
    this.#alarms.add(alarm);
    return alarm;
  }

  /** @internal arming order, so alarms due at the same instant fire first-armed first. */
  nextOrder(): number {
    return ++this.#order;
  }

  /** Fire every alarm due within the next `ms`, in time order, settling promises between them. */
  async advance(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance(ms): ms must be a finite number >= 0, got ${ms}`);
    const target = this.#now + ms;
    await settle();
    for (;;) {
      const next = this.#earliestDue(target);
      if (next === undefined) break;
      if (next.atMs > this.#now) this.#now = next.atMs;
      next.consume();
      next.onWake();
      await settle();
    }
    this.#now = target;
    await settle();
  }

  /** Advance to absolute monotonic time `atMs` (no-op if already past it). */
  async advanceTo(atMs: number): Promise<void> {
    await this.advance(Math.max(0, atMs - this.#now));
  }

  /** Let pending promise callbacks and immediates run without moving time. */
  async flush(): Promise<void> {
    await this.advance(0);
  }

  /** Move time forward without firing alarms, as if the event loop had been blocked. */
  stall(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`stall(ms): ms must be a finite number >= 0, got ${ms}`);
    this.#now += ms;
  }

  /** Set the wall clock forward (positive) or back (negative); the monotonic timeline is untouched. */
  jumpWall(ms: number): void {
    this.#wallOffset += ms;
  }

  #earliestDue(target: number): ManualAlarm | undefined {
    let best: ManualAlarm | undefined;
    for (const alarm of this.#alarms) {
      if (!alarm.armed || alarm.atMs > target) continue;
      if (best === undefined || alarm.atMs < best.atMs || (alarm.atMs === best.atMs && alarm.order < best.order)) {
        best = alarm;
      }
    }
    return best;
  }
}
