/**
 * The worker manager's typed events. Payloads are plain JSON-serialisable objects with stable
 * fields (the monitor's timeline, logs and telemetry carry them as they are), except `payload`,
 * which carries the worker's name and the data record itself.
 */
import type { LoopEventKind } from './protocol.js';
import type { WorkerPayload } from './data-plane/payload.js';

export type WorkerState = 'starting' | 'running' | 'suspect' | 'restarting' | 'degraded' | 'stopping' | 'stopped';
export const WORKER_STATES: readonly WorkerState[] = ['starting', 'running', 'suspect', 'restarting', 'degraded', 'stopping', 'stopped'];

/** Why a worker generation ended. */
export type ExitReason =
  /** Asked to stop, and exited by itself. */
  | 'stopped'
  /** Asked to stop (or restart), did not exit within stopTimeoutMs, killed. */
  | 'killed'
  /** `terminate()`: killed at once. */
  | 'terminated'
  /** Exited on its own with a non-zero code or a signal. */
  | 'crashed'
  /** A thread that exceeded its `resourceLimits` (ERR_WORKER_OUT_OF_MEMORY): a failure, restarted per policy. */
  | 'out-of-memory'
  /** Exited on its own with code 0: a failure for a long-lived worker (reliability plan A6). */
  | 'exited'
  /** Missed `killAfterBeats` heartbeats: killed. */
  | 'hung'
  /** Did not report ready within startTimeoutMs: killed. */
  | 'start-timeout'
  /** Closed its control channel while alive: killed. */
  | 'disconnected'
  /** `restart(name)`: stopped to be started again. */
  | 'restarted'
  /** Could not be started at all. */
  | 'spawn-failed';

export interface StateChangeEvent {
  name: string;
  from: WorkerState;
  to: WorkerState;
  generation: number;
  reason: string;
}

export interface SuspectEvent {
  name: string;
  generation: number;
  missedBeats: number;
  heartbeatAgeMs: number | null;
}

export interface RestartEvent {
  name: string;
  /** The generation that failed; the restart will be generation + 1. */
  generation: number;
  /** Restarts in a row (1 for the first after a stable run). */
  attempt: number;
  delayMs: number;
  reason: ExitReason;
}

export interface DegradedEvent {
  name: string;
  generation: number;
  /** Failures within the budget window, this one included. */
  failures: number;
  windowMs: number;
  reason: ExitReason;
}

/** Seed 002's escalation: the device behind this worker is not being driven right now. */
export interface SafetyEvent {
  name: string;
  generation: number;
  reason: ExitReason;
  action: 'restart' | 'degraded';
  detail: string | null;
  at: number;
}

export interface WorkerExitEvent {
  name: string;
  generation: number;
  code: number | null;
  signal: string | null;
  reason: ExitReason;
  /** False when the exit was a failure (anything the supervisor did not ask for). */
  expected: boolean;
  /** The worker's last fatal report or the thread's error, if any. */
  error: string | null;
  at: number;
}

/** A worker loop's anomalies, coalesced in the worker: running total and change since the last report. */
export interface LoopEvent {
  name: string;
  generation: number;
  loop: string;
  kind: LoopEventKind;
  total: number;
  delta: number;
  detail: string | null;
  at: number;
}

export interface WorkerManagerEvents {
  'state-change': [StateChangeEvent];
  suspect: [SuspectEvent];
  restart: [RestartEvent];
  degraded: [DegradedEvent];
  safety: [SafetyEvent];
  exit: [WorkerExitEvent];
  payload: [workerName: string, payload: WorkerPayload];
  'loop-event': [LoopEvent];
}

export type WorkerManagerEventName = keyof WorkerManagerEvents;
