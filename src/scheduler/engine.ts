/**
 * What a scheduled task needs from the scheduler that owns it: the clock, the one timeline, the
 * dispatcher, events and logs. Tasks see this narrow seam, never the facade.
 */
import type { Clock } from '../time/clock.js';
import type { Logger } from '../logger.js';
import type { Dispatcher } from './dispatcher.js';
import type { SchedulerEventName, SchedulerEvents } from './events.js';
import type { LatencyMonitor } from './latency-monitor.js';
import type { TimerQueue } from './timer-queue.js';

export interface Engine {
  readonly clock: Clock;
  readonly timers: TimerQueue;
  readonly dispatcher: Dispatcher;
  readonly logger: Logger;
  /** Per priority class latency figures (periodic runs count too). */
  readonly latency: LatencyMonitor;
  /** Started and not stopping: tasks may arm releases. */
  readonly releasing: boolean;
  emit<K extends SchedulerEventName>(event: K, ...args: SchedulerEvents[K]): void;
  /** The task is finished for good (cancelled or a completed one-shot): forget its name. */
  retire(name: string): void;
  /** A run settled (finished or was dropped): lets a draining scheduler resolve. */
  runSettled(): void;
}
