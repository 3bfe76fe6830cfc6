/**
 * The `tasks` topic: per-task stats as deltas. A tracker remembers each task's counters as last
 * sent to its group of clients and reports only the tasks that changed, with what changed since:
 * runs, failures, overruns, misses, and the interval's mean execution time (and mean jitter when
 * the stats carry a jitter sum), the figures the dashboard's live charts plot.
 */
import type { SchedulerDescription, TaskDescription } from '../../scheduler/describe.js';

interface Counters {
  state: string;
  runs: number;
  finished: number;
  failed: number;
  overruns: number;
  deadlineMisses: number;
  jitterWarnings: number;
  totalExecMs: number;
  totalJitterMs: number;
}

export interface TaskDelta {
  name: string;
  state: string;
  runs: number;
  failed: number;
  overruns: number;
  deadlineMisses: number;
  jitterWarnings: number;
  jitterMs: TaskDescription['stats']['jitterMs'];
  execMs: TaskDescription['stats']['execMs'];
  /** Changes since the group's previous message. */
  d: {
    runs: number;
    failed: number;
    overruns: number;
    deadlineMisses: number;
    jitterWarnings: number;
    /** Mean execution time of the runs finished in the interval; null when none finished. */
    execMeanMs: number | null;
    /** Mean jitter of the runs started in the interval. */
    jitterMeanMs: number | null;
  };
}

function countersOf(task: TaskDescription): Counters {
  const stats = task.stats;
  return {
    state: task.state,
    runs: stats.runs,
    finished: stats.completed + stats.failed,
    failed: stats.failed,
    overruns: stats.overruns,
    deadlineMisses: stats.deadlineMisses,
    jitterWarnings: stats.jitterWarnings,
    totalExecMs: stats.totalExecMs,
    totalJitterMs: stats.totalJitterMs,
  };
}

function unchanged(a: Counters, b: Counters): boolean {
  return a.state === b.state && a.runs === b.runs && a.finished === b.finished && a.overruns === b.overruns && a.deadlineMisses === b.deadlineMisses && a.jitterWarnings === b.jitterWarnings;
}

const mean = (sum: number, count: number): number | null => (count > 0 ? sum / count : null);

export class TaskDeltaTracker {
  #previous = new Map<string, Counters>();

  /** The tasks that changed since the last call, and the names of tasks that are gone. */
  next(description: SchedulerDescription): { tasks: TaskDelta[]; removed: string[] } {
    const current = new Map<string, Counters>();
    const tasks: TaskDelta[] = [];
    for (const task of description.tasks) {
      const now = countersOf(task);
      current.set(task.name, now);
      const before = this.#previous.get(task.name);
      if (before !== undefined && unchanged(before, now)) continue;
      const base = before ?? { ...now, runs: 0, finished: 0, failed: 0, overruns: 0, deadlineMisses: 0, jitterWarnings: 0, totalExecMs: 0, totalJitterMs: 0 };
      const started = now.runs - base.runs;
      tasks.push({
        name: task.name,
        state: now.state,
        runs: now.runs,
        failed: now.failed,
        overruns: now.overruns,
        deadlineMisses: now.deadlineMisses,
        jitterWarnings: now.jitterWarnings,
        jitterMs: task.stats.jitterMs,
        execMs: task.stats.execMs,
        d: {
          runs: started,
          failed: now.failed - base.failed,
          overruns: now.overruns - base.overruns,
          deadlineMisses: now.deadlineMisses - base.deadlineMisses,
          jitterWarnings: now.jitterWarnings - base.jitterWarnings,
          execMeanMs: mean(now.totalExecMs - base.totalExecMs, now.finished - base.finished),
          jitterMeanMs: mean(now.totalJitterMs - base.totalJitterMs, started),
        },
      });
    }
    const removed: string[] = [];
    for (const name of this.#previous.keys()) if (!current.has(name)) removed.push(name);
    this.#previous = current;
    return { tasks, removed };
  }
}
