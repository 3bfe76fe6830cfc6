/** tactus: a real-time runtime for Node.js services that drive devices and pipelines. */
export * from './errors.js';
export type { Logger } from './logger.js';
export { silentLogger } from './logger.js';
export type { Alarm, Clock, TimerPrecision } from './time/clock.js';
export { SystemClock, type SystemClockOptions } from './time/system-clock.js';
export { ManualClock, type ManualClockOptions } from './time/manual-clock.js';
export { Heap } from './queue/heap.js';
export { DurationHistogram, type PercentileSummary } from './stats/histogram.js';
export { TaskPriority, PRIORITY_NAMES, priorityName, type PriorityName } from './scheduler/priority.js';
export type {
  BackpressureInfo,
  CommonTaskConfig,
  CronTaskConfig,
  OnceTaskConfig,
  OverrunPolicy,
  RealtimeTaskConfig,
  RecurringTaskConfig,
  TaskFunction,
} from './scheduler/config.js';
export type * from './scheduler/events.js';
export type { TaskContext } from './scheduler/run.js';
export type { TaskStats } from './scheduler/task-stats.js';
export type { TaskKind, LoopState } from './scheduler/loop-task.js';
export { DeadlineExceededError } from './scheduler/loop-task.js';
export { RealtimeTaskHandle } from './scheduler/handle.js';
export type { SchedulerDescription, TaskDescription } from './scheduler/describe.js';
export { TaskState } from './scheduler/jobs/job-spec.js';
export type { Executor, JobContext, JobFunction, JobSpec, RetryPolicy, TaskConstraints } from './scheduler/jobs/job-spec.js';
export type { TaskHandle } from './scheduler/jobs/job.js';
export type { JobSummary } from './scheduler/jobs/job-engine.js';
export { POLICIES, type FairOptions, type SchedulingPolicy } from './scheduler/policies/index.js';
export type { LatencyAlerts, LatencyPercentiles, LatencyStats, LatencyThreshold } from './scheduler/latency-monitor.js';
export type { ResourceDescription } from './scheduler/resources/resource-manager.js';
export { Scheduler, type IsolatedTaskSource, type SchedulerOptions, type SchedulerState, type RunImmediatelyOptions } from './scheduler/scheduler.js';
export { Monitor, type MonitorEvents, type StaleEvent, type IdleEvent, type BusyEvent } from './monitor/monitor.js';
export type { MonitorOptions } from './monitor/options.js';
export type { MonitorSnapshot, WorkerView, BacklogView, TasksView } from './monitor/snapshot.js';
export type { TimelineEntry, TimelineKind, TimelineQuery } from './monitor/timeline.js';
export type { EventLoopView } from './monitor/event-loop-probe.js';
export type { StaleChange, StaleReason } from './monitor/stale-detector.js';
export type { Anomaly, AnomalyEvent } from './monitor/anomalies.js';
export type { JsonObject, JsonValue } from './monitor/detail.js';
export type {
  EventSource,
  QueueSource,
  SchedulerSource,
  SchedulerSummary,
  WorkerSnapshot,
  WorkerSource,
  WorkerState,
} from './monitor/sources.js';
export { formatHud, type HudInput } from './monitor/hud.js';
