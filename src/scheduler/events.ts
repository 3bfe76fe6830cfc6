/**
 * The scheduler's typed events. Payloads are plain objects with stable fields, so the monitor's
 * timeline, the logs and the WebSocket telemetry can carry them as they are.
 */
import type { BackpressureInfo, OverrunPolicy } from './config.js';
import type { TaskState } from './jobs/job-spec.js';
import type { LatencyAlertEvent } from './latency-monitor.js';

export interface DeadlineMissEvent {
  name: string;
  scheduledAt: number;
  deadline: number;
  /** When the run finished, or undefined when the deadline passed while it was still going. */
  finishedAt: number | undefined;
  lateMs: number;
}

export interface JitterWarningEvent {
  name: string;
  scheduledAt: number;
  startedAt: number;
  jitterMs: number;
  maxJitterMs: number;
}

export interface OverrunEvent {
  name: string;
  /** The release that found the previous run still going. */
  releaseAt: number;
  policy: OverrunPolicy;
  action: 'skipped' | 'queued' | 'parallel';
}

export interface SafetyOverrideEvent {
  name: string;
  reason: string;
  principal: string | undefined;
  /** Monotonic and wall-clock time of the request. */
  at: number;
  wallAt: number;
  /** True when the task was already running: the override became one immediate re-run. */
  coalesced: boolean;
}

export interface TaskErrorEvent {
  name: string;
  error: unknown;
  scheduledAt: number;
  /** True when the error stopped the task (`onError: 'stop'`). */
  stopped: boolean;
}

/** A submitted job moved between lifecycle states. */
export interface StateChangeEvent {
  id: string;
  name: string;
  from: TaskState;
  to: TaskState;
  at: number;
}

export type { LatencyAlertEvent };

export interface SchedulerEvents {
  'deadline-miss': [DeadlineMissEvent];
  'jitter-warning': [JitterWarningEvent];
  overrun: [OverrunEvent];
  backpressure: [BackpressureInfo];
  'safety-override': [SafetyOverrideEvent];
  'task-error': [TaskErrorEvent];
  'state-change': [StateChangeEvent];
  'latency-alert': [LatencyAlertEvent];
}

export type SchedulerEventName = keyof SchedulerEvents;
