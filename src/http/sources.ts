/**
 * What the service reads and steers, as structural interfaces: the plugin depends on shapes, not on
 * classes, so a `Scheduler`, a `WorkerManager`, a `Monitor`, a bridge and a prom-client `Registry`
 * plug in as they are, and tests or other runtimes can pass their own. The read side reuses the
 * monitor's source shapes (one definition of a worker snapshot, of the scheduler's summary); the
 * service adds what it steers with.
 */
import type { SchedulerDescription } from '../scheduler/describe.js';
import type { MonitorSnapshot } from '../monitor/snapshot.js';
import type { LatencyStats } from '../scheduler/latency-monitor.js';
import type { SchedulerSummary, WorkerSnapshot } from '../monitor/sources.js';
import type { TimelineQuery } from '../monitor/timeline.js';

export type { WorkerSnapshot } from '../monitor/sources.js';

/** The subset of Node's EventEmitter the service listens through (any payload arity). */
export interface EventSource {
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
}

/** The part of a task handle the control routes use. */
export interface TaskControl {
  readonly state: string;
  pause(): void;
  resume(): void;
}

/** The scheduler (seed 000's coordinator, seed 003's facade, seed 001's jobs). */
export interface SchedulerSource extends EventSource {
  /** Monotonic time on the scheduler's clock (ms). */
  now(): number;
  describe(): SchedulerDescription;
  has(name: string): boolean;
  get(name: string): TaskControl;
  /** Seed 000's safety override. */
  runImmediately(name: string, options: { reason: string; principal?: string }): { coalesced: boolean };
  start(): unknown;
  stop(): Promise<void>;
  /** Seed 001's summary metrics over submitted jobs. */
  summary?(): SchedulerSummary;
  /** Seed 001's latency monitor: scheduling and execution percentiles per priority class. */
  readonly latency?: { stats(): LatencyStats };
}

/** The worker manager (seed 002's process manager). */
export interface WorkersSource extends EventSource {
  list(): readonly WorkerSnapshot[];
  restart(name: string): unknown;
  resetDegraded(name: string): unknown;
  stop(): Promise<unknown>;
}

/** The supervisory monitor (seed 004): observes, never controls. */
export interface MonitorSource extends EventSource {
  /** One immutable JSON-serialisable view of everything the monitor watches. */
  snapshot(): MonitorSnapshot;
  /** The HUD summary line. */
  hudLine(): string;
  /** The event timeline, oldest first. */
  timeline(query?: TimelineQuery): readonly object[];
  start(): unknown;
  stop(): unknown;
}

/** The bridge from worker data planes to telemetry topics (seed 002). */
export interface BridgeSource {
  /** Call `listener` with every decoded sample of `topic`; returns the unsubscribe function. */
  subscribe(topic: string, listener: (sample: unknown) => void): () => void;
  /** The topics it can stream, for the dashboard to offer; default: the topics `stats()` has seen. */
  topics?(): readonly string[];
  stats?(): { topics: Readonly<Record<string, unknown>> };
}

/** A prom-client `Registry`, or anything that renders the Prometheus text format. */
export interface MetricsRegistry {
  readonly contentType: string;
  metrics(): Promise<string>;
}
