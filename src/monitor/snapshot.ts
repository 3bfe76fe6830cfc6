/**
 * The monitor's snapshot: ONE immutable, JSON-serialisable object per interval that the metrics,
 * the HTTP routes, the WebSocket telemetry and the dashboard all read, so they never disagree.
 * Everything in it is copied from the sources (never their own objects) and frozen.
 */
import type { SchedulerDescription } from '../scheduler/describe.js';
import type { EventLoopView } from './event-loop-probe.js';
import type { LatencyStats } from '../scheduler/latency-monitor.js';
import type { TaskStats } from '../scheduler/task-stats.js';
import type { SchedulerSummary, WorkerSnapshot } from './sources.js';

/** A worker as the monitor judged it. */
export interface WorkerView extends WorkerSnapshot {
  /** Busy on a task (`task !== null`). */
  busy: boolean;
  /** No heartbeat for `staleAfterMs` of time the monitor could see. */
  stale: boolean;
}

export interface BacklogView {
  /** Items waiting in all queues. */
  total: number;
  /** Items per queue name (the scheduler's ready queue is `scheduler`). */
  byQueue: Readonly<Record<string, number>>;
  /** Items per category (a queue without a category counts under its name). */
  byCategory: Readonly<Record<string, number>>;
}

/** The task counters a `TasksView` sums over all tasks. */
const SUMMED_COUNTERS = ['runs', 'completed', 'failed', 'skipped', 'overruns', 'deadlineMisses', 'jitterWarnings'] as const;
type SummedCounters = Pick<TaskStats, (typeof SUMMED_COUNTERS)[number]>;

/** The scheduler at a glance (counters summed over all tasks); per-task detail stays in `scheduler.describe()`. */
export interface TasksView extends SummedCounters {
  /** The scheduler's state (`running`, `stopping`...). */
  state: string;
  /** Tasks registered (local and isolated). */
  total: number;
  byState: Readonly<Record<string, number>>;
  /** Runs in flight and waiting in the ready queue. */
  running: number;
  queued: number;
  /** Seed 001's summary, when the scheduler has `summary()`. */
  jobs: SchedulerSummary | null;
  /** Latency per priority class, when the scheduler has `latency.stats()`. */
  latency: LatencyStats | null;
}

export interface MonitorSnapshot {
  /** Monotonic ms on the monitor's clock when the sample was taken. */
  at: number;
  /** Wall-clock epoch ms of the sample. */
  wallAt: number;
  /** Samples taken so far (0: none yet). */
  seq: number;
  intervalMs: number;
  staleAfterMs: number;
  /** How late this sample's tick came (ms): the monitor's own lag. */
  lagMs: number;
  workers: readonly WorkerView[];
  backlog: BacklogView;
  eventLoop: EventLoopView;
  /** Names of stale workers. */
  stale: readonly string[];
  /** All workers idle and all queues empty for the debounce window. */
  idle: boolean;
  /** Start of the quiet window that made the system idle, or null. */
  idleSince: number | null;
  /** The shutdown signals the monitor reads (seed 004): aborted or not. */
  flags: { stop: boolean; terminate: boolean };
  /** The HUD line of this sample. */
  hud: string;
  /** The scheduler at a glance, or null without a scheduler. */
  tasks: TasksView | null;
}

/** A copy of a worker snapshot that shares nothing with the source. */
export function copyWorker(worker: WorkerSnapshot, stale: boolean): WorkerView {
  const { data } = worker;
  return {
    name: worker.name,
    isolation: worker.isolation,
    pid: worker.pid,
    threadId: worker.threadId,
    category: worker.category,
    state: worker.state,
    task: worker.task,
    busy: worker.task !== null,
    stale,
    lastHeartbeatAt: worker.lastHeartbeatAt,
    heartbeatAgeMs: worker.heartbeatAgeMs,
    generation: worker.generation,
    restarts: worker.restarts,
    loops: worker.loops.map((loop) => ({
      name: loop.name,
      periodMs: loop.periodMs,
      stats: { ...loop.stats, jitterMs: { ...loop.stats.jitterMs }, execMs: { ...loop.stats.execMs } },
    })),
    data: { delivered: data.delivered, dropped: data.dropped, depth: data.depth, latencyMs: { ...data.latencyMs } },
  };
}

const LOOP_KINDS: ReadonlySet<string> = new Set(['periodic', 'recurring', 'once', 'cron']);

/** Sum a scheduler description into a `TasksView`. */
export function summarizeTasks(description: SchedulerDescription, jobs: SchedulerSummary | null, latency: LatencyStats | null): TasksView {
  const byState: Record<string, number> = {};
  const view = {
    state: description.state,
    total: description.tasks.length,
    byState,
    running: jobs?.running ?? description.running,
    queued: jobs?.queueSize ?? description.queued,
    runs: 0,
    completed: 0,
    failed: 0,
    skipped: 0,
    overruns: 0,
    deadlineMisses: 0,
    jitterWarnings: 0,
    jobs: jobs === null ? null : { ...jobs },
    latency,
  };
  for (const task of description.tasks) {
    byState[task.state] = (byState[task.state] ?? 0) + 1;
    for (const counter of SUMMED_COUNTERS) view[counter] += task.stats[counter];
  }
  return view;
}

/**
 * Runs in flight that belong to submitted jobs rather than to local loops: the scheduler's
 * `running` minus the local loop tasks that are running. Idle detection counts these as busy,
 * while a periodic loop's runs (which never end the way a pipeline does) do not.
 */
export function jobRunsInFlight(description: SchedulerDescription, jobs: SchedulerSummary | null): number {
  let loopsRunning = 0;
  for (const task of description.tasks) if (!task.isolated && task.state === 'running' && LOOP_KINDS.has(task.kind)) loopsRunning++;
  return Math.max(0, (jobs?.running ?? description.running) - loopsRunning);
}
