/**
 * `tactus/workers`: the parent side of seed 002's worker isolation. Spawn device workers in
 * threads or processes under a supervisor (heartbeats, restarts with backoff, degraded), talk to
 * them over a typed control plane, read their loop stats and data. The worker side is
 * `tactus/worker` (`defineWorker`).
 */
export { WorkerManager, type IsolatedTaskHost, type WorkerManagerState } from './manager.js';
export { WorkerHandle, type RequestOptions } from './handle.js';
export type { LoopTiming, ResourceLimits, RingSpec, WorkerManagerOptions, WorkerSpec } from './spec.js';
export type { WorkerDataSnapshot, WorkerIpcSnapshot, WorkerLoopSnapshot, WorkerSnapshot } from './snapshot.js';
export {
  WORKER_STATES,
  type DegradedEvent,
  type ExitReason,
  type LoopEvent,
  type RestartEvent,
  type SafetyEvent,
  type StateChangeEvent,
  type SuspectEvent,
  type WorkerExitEvent,
  type WorkerManagerEventName,
  type WorkerManagerEvents,
  type WorkerState,
} from './events.js';
export type { BackoffOptions, RestartBudgetOptions } from './restart-policy.js';
export type { RejectReason } from './codec.js';
export type { LoopEventKind } from './protocol.js';
export type { CommandMap, CommandsOf } from './runtime/define-worker.js';
export type { ConnectionEvents, ExitInfo, LaunchRequest, Launcher, WorkerConnection } from './launch/connection.js';
export * from './errors.js';
export * from './data-plane/index.js';
export * from './dummy/index.js';
