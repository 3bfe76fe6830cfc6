/**
 * What the monitor reads, as structural interfaces: the scheduler, worker managers and queues
 * are passed in as plain objects that have these shapes (the worker shape is the part of the
 * WorkerManager's snapshot it reads), so the monitor depends on no concrete class of the layers
 * below (a Redis-backed fleet view can drop in later) and tests feed it
 * plain objects. Every read is a synchronous snapshot call; the monitor never writes to a source.
 */
import type { SchedulerDescription } from '../scheduler/describe.js';
import type { JobSummary } from '../scheduler/jobs/job-engine.js';
import type { LatencyStats } from '../scheduler/latency-monitor.js';
import type { WorkerDataSnapshot, WorkerLoopSnapshot, WorkerSnapshot as ManagerWorkerSnapshot } from '../workers/snapshot.js';

export { WORKER_STATES, type WorkerState } from '../workers/events.js';

/**
 * One worker as a source reports it: the part of the WorkerManager's snapshot the monitor reads
 * (a fleet view from elsewhere only has to provide these fields).
 */
export type WorkerSnapshot = Omit<ManagerWorkerSnapshot, 'ipc' | 'loops' | 'data'> & {
  loops: readonly Pick<WorkerLoopSnapshot, 'name' | 'periodMs' | 'stats'>[];
  data: Pick<WorkerDataSnapshot, 'delivered' | 'dropped' | 'depth' | 'latencyMs'>;
};

/** An event source in Node's EventEmitter style (a scheduler or worker manager). */
export interface EventSource {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** A worker manager, or anything that lists workers the same way. */
export interface WorkerSource extends Partial<EventSource> {
  list(): readonly WorkerSnapshot[];
}

/** Any backlog: a queue with a name, an optional category (gpu / cpu) and a size. */
export interface QueueSource {
  /** Unique among the monitor's queues; used as a metric label, so a registered name, never user input. */
  readonly name: string;
  readonly category?: string;
  size(): number;
  /**
   * Optional: items ever enqueued (never decreasing). With it, idle detection also sees an item
   * that was enqueued and drained between two samples; without it, only the sampled sizes count.
   */
  enqueuedTotal?(): number;
}

/** Seed 001's summary metrics (`scheduler.summary()`). */
export type SchedulerSummary = JobSummary;

/** The scheduler as the monitor and the metrics read it; `summary` and `latency` are optional. */
export interface SchedulerSource extends Partial<EventSource> {
  describe(): SchedulerDescription;
  summary?(): SchedulerSummary;
  readonly latency?: { stats(): LatencyStats };
}
