import { ManualClock } from '../../src/time/manual-clock.js';
import { Scheduler, type SchedulerOptions } from '../../src/scheduler/scheduler.js';
import type { SchedulerEventName, SchedulerEvents } from '../../src/scheduler/events.js';

export function manualScheduler(options: Omit<SchedulerOptions, 'clock'> = {}): { clock: ManualClock; scheduler: Scheduler } {
  const clock = new ManualClock();
  const scheduler = new Scheduler({ ...options, clock });
  return { clock, scheduler };
}

/** Collect every payload of `event`. */
export function record<K extends SchedulerEventName>(scheduler: Scheduler, event: K): SchedulerEvents[K][0][] {
  const seen: SchedulerEvents[K][0][] = [];
  (scheduler.on as (e: K, l: (p: SchedulerEvents[K][0]) => void) => void)(event, (payload) => seen.push(payload));
  return seen;
}

/** A promise with its resolver, for handshakes. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
