/**
 * The scale bench's load and clock, shared by the bench and its cache-miss diagnostic: periods
 * spread over 100 ms-1 s (the same spread for every task count: a golden-ratio sequence), and a
 * clock that jumps to the next armed alarm instead of waiting, so the scheduler runs exactly as on
 * the real clock but timing the driver loop times the scheduler alone.
 */
import { Scheduler, type Alarm, type Clock } from '../../src/index.js';

const GOLDEN = (Math.sqrt(5) - 1) / 2;

/** Period of task i: 100-1000 ms, spread evenly whatever the task count. */
export const periodOf = (i: number): number => 100 + Math.floor(900 * ((i * GOLDEN) % 1));

/** A started scheduler on a stepped clock with `count` trivial periodic tasks; `released()` counts their runs. */
export function steppedLoad(count: number): { clock: SteppedClock; scheduler: Scheduler; released: () => number } {
  const clock = new SteppedClock();
  const scheduler = new Scheduler({ clock });
  let released = 0;
  const body = (): void => {
    released++;
  };
  for (let i = 0; i < count; i++) scheduler.schedulePeriodic({ name: `task-${i}`, periodMs: periodOf(i) }, body);
  scheduler.start();
  return { clock, scheduler, released: () => released };
}

export class SteppedClock implements Clock {
  #now = 0;
  readonly #alarms: SteppedAlarm[] = [];

  now(): number {
    return this.#now;
  }

  wallNow(): number {
    return Date.UTC(2026, 0, 1) + this.#now;
  }

  createAlarm(onWake: () => void): Alarm {
    const alarm = new SteppedAlarm(onWake);
    this.#alarms.push(alarm);
    return alarm;
  }

  /** Fire alarms in time order until `done()` says stop. */
  drive(done: () => boolean): void {
    while (!done()) {
      let next: SteppedAlarm | undefined;
      for (const alarm of this.#alarms) if (alarm.armed && (next === undefined || alarm.atMs < next.atMs)) next = alarm;
      if (next === undefined) return;
      if (next.atMs > this.#now) this.#now = next.atMs;
      next.disarm();
      next.onWake();
    }
  }
}

class SteppedAlarm implements Alarm {
  atMs = 0;
  armed = false;
  readonly onWake: () => void;

  constructor(onWake: () => void) {
    this.onWake = onWake;
  }

  arm(atMs: number): void {
    this.atMs = atMs;
    this.armed = true;
  }

  disarm(): void {
    this.armed = false;
  }
}
