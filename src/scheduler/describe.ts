/**
 * `describe()` and `dumpState()` (seed 003's diagnostics): what is scheduled, how soon it runs and
 * how it has been doing, as a plain JSON-serialisable object and as readable text.
 */
import type { LoopTask, TaskKind, LoopState } from './loop-task.js';
import { priorityName, type PriorityName } from './priority.js';
import type { TaskStats } from './task-stats.js';
import { CronTask } from './tasks/cron-task.js';
import { PeriodicTask } from './tasks/periodic-task.js';
import { RecurringTask } from './tasks/recurring-task.js';

export interface TaskDescription {
  name: string;
  kind: TaskKind;
  priority: number;
  priorityName: PriorityName;
  state: LoopState;
  isolated: boolean;
  periodMs: number | null;
  delayMs: number | null;
  cron: string | null;
  deadlineMs: number | null;
  overrun: string;
  nextRunAt: number | null;
  nextDeadline: number | null;
  stats: TaskStats;
}

export interface SchedulerDescription {
  state: string;
  policy: string;
  now: number;
  wallNow: number;
  maxConcurrency: number | null;
  running: number;
  queued: number;
  tasks: TaskDescription[];
}

const orNull = (value: number | undefined): number | null => (value === undefined || !Number.isFinite(value) ? null : value);

export function describeTask(task: LoopTask): TaskDescription {
  return {
    name: task.name,
    kind: task.kind,
    priority: task.priority,
    priorityName: priorityName(task.priority),
    state: task.state,
    isolated: task instanceof PeriodicTask ? task.isolated : false,
    periodMs: orNull(task.periodMs),
    delayMs: task instanceof RecurringTask ? task.delayMs : null,
    cron: task instanceof CronTask ? task.expression : null,
    deadlineMs: orNull(task.deadlineMs),
    overrun: task.overrunPolicy,
    nextRunAt: orNull(task.nextRunAt),
    nextDeadline: orNull(task.nextDeadline),
    stats: task.snapshotStats(),
  };
}

const ms = (value: number | null): string => (value === null ? '-' : `${value.toFixed(3)}ms`);

export function formatDescription(description: SchedulerDescription): string {
  const lines = [
    `scheduler ${description.state} policy=${description.policy} running=${description.running} queued=${description.queued} ` +
      `maxConcurrency=${description.maxConcurrency ?? 'unbounded'} tasks=${description.tasks.length}`,
  ];
  for (const task of description.tasks) {
    const cadence = task.periodMs !== null ? `every ${task.periodMs}ms` : task.delayMs !== null ? `after ${task.delayMs}ms` : task.cron !== null ? `cron "${task.cron}"` : 'once';
    const next = task.nextRunAt === null ? 'none' : `in ${ms(task.nextRunAt - description.now)}`;
    const s = task.stats;
    lines.push(
      `  ${task.name} [${task.kind} ${task.priorityName}${task.isolated ? ' isolated' : ''}] ${task.state} ${cadence}, next ${next}; ` +
        `runs=${s.runs} ok=${s.completed} failed=${s.failed} skipped=${s.skipped} overruns=${s.overruns} misses=${s.deadlineMisses} ` +
        `jitter p50/p99/max=${ms(s.jitterMs.p50)}/${ms(s.jitterMs.p99)}/${ms(s.jitterMs.max)} ` +
        `exec p50/p99/max=${ms(s.execMs.p50)}/${ms(s.execMs.p99)}/${ms(s.execMs.max)}`,
    );
  }
  return lines.join('\n');
}
