/**
 * Scheduler-wide metrics: runs in flight and waiting (seed 000's backlog depth), seed 001's job
 * summary (jobs processed by outcome, throughput, success ratio) and its latency percentiles per
 * priority class, scheduling (ready to start) and execution, as summaries in seconds.
 */
import { PRIORITY_NAMES } from '../scheduler/priority.js';
import type { MetricFactory } from './define.js';

const JOB_OUTCOMES = [
  ['submitted', 'submitted'],
  ['completed', 'completed'],
  ['failed', 'failed'],
  ['cancelled', 'cancelled'],
  ['deadline_missed', 'deadlineMissed'],
] as const;

export function registerSchedulerMetrics(m: MetricFactory): void {
  m.gauge('scheduler_running', 'Runs in flight (loops and jobs).', [], (add, scrape) => {
    if (scrape.description !== undefined) add({}, scrape.description.running);
  });
  m.gauge('scheduler_queue_size', 'Runs released and waiting in the ready queue.', [], (add, scrape) => {
    if (scrape.description !== undefined) add({}, scrape.description.queued);
  });
  m.counter(
    'jobs_total',
    'Submitted jobs by outcome (seed 001): submitted, completed, failed, cancelled, deadline_missed (hard jobs that never ran and soft ones that finished late).',
    ['outcome'],
    (add, scrape) => {
      if (scrape.jobs === undefined) return;
      for (const [outcome, field] of JOB_OUTCOMES) add({ outcome }, scrape.jobs[field]);
    },
  );
  m.gauge('jobs_throughput_per_second', 'Jobs completed per second since the scheduler started.', [], (add, scrape) => {
    if (scrape.jobs !== undefined) add({}, scrape.jobs.throughputPerSecond);
  });
  m.gauge('jobs_success_ratio', 'Completed / (completed + failed + deadline missed), 0..1.', [], (add, scrape) => {
    if (scrape.jobs !== undefined) add({}, scrape.jobs.successRatePercent / 100);
  });
  m.summary(
    'job_latency_seconds',
    'Per priority class: scheduling latency (ready to start) and execution time (quantile 1 is the max).',
    ['priority', 'phase'],
    [0.5, 0.95, 0.99, 1],
    (add, scrape) => {
      const latency = scrape.latency;
      if (latency === undefined) return;
      for (const priority of PRIORITY_NAMES) {
        for (const phase of ['scheduling', 'execution'] as const) {
          const p = latency[priority][phase];
          add({ priority, phase }, [p.p50_ms / 1000, p.p95_ms / 1000, p.p99_ms / 1000, p.max_ms / 1000], p.count);
        }
      }
    },
  );
}
