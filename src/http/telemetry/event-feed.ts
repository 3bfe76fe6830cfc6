/**
 * The `events` topic: the scheduler's anomalies and overrides, the workers' state changes and
 * the monitor's stale / idle signals, queued as they happen and flushed to subscribers once per
 * tick. The queue is bounded: a burst beyond it is counted as dropped, never buffered without
 * limit, and listeners are attached only while someone subscribes.
 */
import type { EventSource } from '../sources.js';

export interface TelemetryEvent {
  kind: string;
  source: string;
  /** Monotonic time of receipt (ms). */
  at: number;
  data: unknown;
}

export interface EventFeedSource {
  name: string;
  emitter: EventSource;
  kinds: readonly string[];
}

export const SCHEDULER_EVENT_KINDS = ['deadline-miss', 'jitter-warning', 'overrun', 'backpressure', 'safety-override', 'task-error', 'latency-alert'] as const;
export const WORKER_EVENT_KINDS = ['state-change', 'suspect', 'restart', 'degraded', 'safety', 'exit', 'loop-event'] as const;
export const MONITOR_EVENT_KINDS = ['stale', 'stale-cleared', 'idle', 'busy'] as const;

export class EventFeed {
  readonly #sources: readonly EventFeedSource[];
  readonly #capacity: number;
  readonly #now: () => number;
  #queue: TelemetryEvent[] = [];
  #dropped = 0;
  #detach: (() => void) | undefined;

  constructor(sources: readonly EventFeedSource[], now: () => number, capacity = 256) {
    this.#sources = sources;
    this.#now = now;
    this.#capacity = capacity;
  }

  get attached(): boolean {
    return this.#detach !== undefined;
  }

  attach(): void {
    if (this.#detach !== undefined) return;
    const undo: (() => void)[] = [];
    for (const source of this.#sources) {
      for (const kind of source.kinds) {
        const listener = (...args: unknown[]): void => this.#push(kind, source.name, args);
        source.emitter.on(kind, listener);
        undo.push(() => source.emitter.off(kind, listener));
      }
    }
    this.#detach = () => {
      for (const fn of undo) fn();
    };
  }

  detach(): void {
    this.#detach?.();
    this.#detach = undefined;
    this.#queue = [];
    this.#dropped = 0;
  }

  /** The events queued since the last call, and how many did not fit; undefined when none. */
  drain(): { events: TelemetryEvent[]; dropped: number } | undefined {
    if (this.#queue.length === 0 && this.#dropped === 0) return undefined;
    const batch = { events: this.#queue, dropped: this.#dropped };
    this.#queue = [];
    this.#dropped = 0;
    return batch;
  }

  #push(kind: string, source: string, args: unknown[]): void {
    if (this.#queue.length >= this.#capacity) {
      this.#dropped++;
      return;
    }
    this.#queue.push({ kind, source, at: this.#now(), data: args.length === 1 ? args[0] : args });
  }
}
