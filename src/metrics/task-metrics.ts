/**
 * Per-task metrics from `scheduler.describe()` (seeds 000 and 003): runs, failures, deadline
 * misses, overruns, jitter warnings, and run duration and start jitter as summaries of the core's
 * own percentiles (seconds). Thirteen series per task, so a scrape of 1,000 tasks stays within its
 * budget; the rest of a task's figures are in `describe()`. Label `task` is the registered task
 * name, bounded by the task label budget.
 */
import type { PercentileSummary } from '../stats/histogram.js';
import type { TaskStats } from '../scheduler/task-stats.js';
import type { Add, MetricFactory } from './define.js';
import type { Scrape } from './scrape.js';

/** The quantiles exported from the core's percentiles: median, 99th, max (quantile 1). */
export const CORE_QUANTILES: readonly number[] = [0.5, 0.99, 1];

/** The core's percentiles (ms) as values of `CORE_QUANTILES` (seconds). */
export function quantilesOf(ms: PercentileSummary): number[] {
  return [ms.p50 / 1000, ms.p99 / 1000, ms.max / 1000];
}

export function registerTaskMetrics(m: MetricFactory): void {
  const task = m.reader.budgets.task;
  const eachTask =
    <L extends string>(fill: (add: Add<L>, label: string, stats: TaskStats) => void) =>
    (add: Add<L>, scrape: Scrape): void => {
      for (const t of scrape.description?.tasks ?? []) fill(add, task.label(t.name), t.stats);
    };

  m.counter('task_runs_total', 'Runs started, per task.', ['task'], eachTask((add, label, s) => add({ task: label }, s.runs)));
  m.counter('task_failures_total', 'Runs that threw or rejected (TaskNonFatalError included), per task.', ['task'], eachTask((add, label, s) => add({ task: label }, s.failed)));
  m.counter('task_deadline_misses_total', 'Runs that finished (or were still running) after scheduled start + deadline.', ['task'], eachTask((add, label, s) => add({ task: label }, s.deadlineMisses)));
  m.counter('task_overruns_total', 'Releases that found the previous run still queued or running.', ['task'], eachTask((add, label, s) => add({ task: label }, s.overruns)));
  m.counter('task_jitter_warnings_total', 'Runs that started later than the jitter budget allows.', ['task'], eachTask((add, label, s) => add({ task: label }, s.jitterWarnings)));

  m.summary('task_run_duration_seconds', 'Run execution time per task (quantile 1 is the max).', ['task'], CORE_QUANTILES, (add, scrape) => {
    for (const t of scrape.description?.tasks ?? []) {
      add({ task: task.label(t.name) }, quantilesOf(t.stats.execMs), t.stats.completed + t.stats.failed, t.stats.totalExecMs / 1000);
    }
  });
  m.summary('task_jitter_seconds', 'Start jitter per task: actual start - scheduled start (quantile 1 is the max).', ['task'], CORE_QUANTILES, (add, scrape) => {
    // No _count: it would repeat task_runs_total; no _sum: the core does not keep one for jitter.
    for (const t of scrape.description?.tasks ?? []) add({ task: task.label(t.name) }, quantilesOf(t.stats.jitterMs));
  });
  m.gauge('tasks', 'Registered tasks by state.', ['state'], (add, scrape) => {
    for (const t of scrape.description?.tasks ?? []) add({ state: t.state }, 1);
  });
}
