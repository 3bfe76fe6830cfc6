/**
 * `WorkerManager.list()`'s rows: one JSON-serialisable snapshot per worker, the contract the
 * monitor, the metrics and the HTTP layer read (seed 004's `worker_status`: pid, category,
 * heartbeat; plus state, task, generation, restarts, loop stats and data-plane figures).
 */
import type { PercentileSummary } from '../stats/histogram.js';
import type { TaskStats } from '../scheduler/task-stats.js';
import type { RejectReason } from './codec.js';
import type { WorkerState } from './events.js';

export interface WorkerLoopSnapshot {
  name: string;
  periodMs: number;
  deadlineMs: number;
  stats: TaskStats;
}

export interface WorkerDataSnapshot {
  /** Payloads handed to consumers. */
  delivered: number;
  /** Payloads lost: overwritten in the ring, refused when full, or torn. */
  dropped: number;
  /** Payloads waiting in the ring or pipe buffer. */
  depth: number;
  /** Publish-to-delivery latency. */
  latencyMs: PercentileSummary;
}

export interface WorkerIpcSnapshot {
  /** Control messages received from the worker (all generations). */
  received: number;
  /** Messages from the worker refused here, by reason. */
  rejected: Partial<Record<RejectReason, number>>;
  /** Messages from the parent the worker refused, by reason (as last reported). */
  rejectedByWorker: Partial<Record<RejectReason, number>>;
  /**
   * Heartbeat messages received; processed (parsed and accepted); coalesced (dropped unparsed, as
   * one came moments before: a flood costs nothing, and nothing in a dropped one is ever acted on).
   * received = processed + coalesced + those rejected by reason.
   */
  heartbeats: { received: number; processed: number; coalesced: number };
}

export interface WorkerSnapshot {
  name: string;
  isolation: 'thread' | 'process';
  pid: number | null;
  threadId: number | null;
  category: string | null;
  state: WorkerState;
  /** What the worker is busy on (`ctx.setTask`); null = idle. */
  task: string | null;
  /** Manager-clock time the worker was last seen making progress; null before the first beat. */
  lastHeartbeatAt: number | null;
  heartbeatAgeMs: number | null;
  generation: number;
  restarts: number;
  loops: WorkerLoopSnapshot[];
  data: WorkerDataSnapshot;
  ipc: WorkerIpcSnapshot;
}
