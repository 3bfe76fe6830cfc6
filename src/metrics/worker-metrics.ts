/**
 * Per-worker metrics (seed 002): heartbeat age, supervision state, restarts, busy and stale
 * marks, and the data plane's delivered / dropped / depth / latency. Label `worker` is the
 * registered worker name, bounded by the worker label budget; category and isolation ride on an
 * info metric so they do not multiply every series.
 */
import { WORKER_STATES } from '../monitor/sources.js';
import type { Add, MetricFactory } from './define.js';
import type { Scrape, ScrapedWorker } from './scrape.js';
import { CORE_QUANTILES, quantilesOf } from './task-metrics.js';

export function registerWorkerMetrics(m: MetricFactory): void {
  const budget = m.reader.budgets.worker;
  const eachWorker =
    <L extends string>(fill: (add: Add<L>, label: string, worker: ScrapedWorker) => void) =>
    (add: Add<L>, scrape: Scrape): void => {
      for (const w of scrape.workers) fill(add, budget.label(w.name), w);
    };

  m.gauge('worker_info', 'One series per worker: its category and isolation (value 1).', ['worker', 'category', 'isolation'], eachWorker((add, worker, w) => {
    add({ worker, category: w.category ?? '', isolation: w.isolation }, 1);
  }));
  m.gauge('worker_heartbeat_age_seconds', 'Time since the worker last proved progress (absent before the first beat).', ['worker'], eachWorker((add, worker, w) => {
    if (w.heartbeatAgeMs !== null) add({ worker }, w.heartbeatAgeMs / 1000);
  }));
  m.gauge('worker_state', 'Supervision state: 1 for the current state, 0 for the others.', ['worker', 'state'], eachWorker((add, worker, w) => {
    for (const state of WORKER_STATES) add({ worker, state }, w.state === state ? 1 : 0);
  }));
  m.counter('worker_restarts_total', 'Restarts by the supervisor.', ['worker'], eachWorker((add, worker, w) => add({ worker }, w.restarts)));
  m.gauge('worker_busy', '1 while the worker is busy on a task.', ['worker'], eachWorker((add, worker, w) => add({ worker }, w.task === null ? 0 : 1)));
  m.gauge('worker_stale', '1 while the monitor marks the worker stale (exported with a monitor only).', ['worker'], eachWorker((add, worker, w) => {
    if (w.stale !== undefined) add({ worker }, w.stale ? 1 : 0);
  }));
  m.counter('ring_delivered_total', 'Data-plane payloads handed to consumers.', ['worker'], eachWorker((add, worker, w) => add({ worker }, w.data.delivered)));
  m.counter('ring_dropped_total', 'Data-plane payloads lost: overwritten, refused when full, or torn.', ['worker'], eachWorker((add, worker, w) => add({ worker }, w.data.dropped)));
  m.gauge('ring_depth', 'Data-plane payloads waiting to be delivered.', ['worker'], eachWorker((add, worker, w) => add({ worker }, w.data.depth)));
  m.summary('ring_latency_seconds', 'Data-plane publish-to-delivery latency (quantile 1 is the max).', ['worker'], CORE_QUANTILES, (add, scrape) => {
    for (const w of scrape.workers) add({ worker: budget.label(w.name) }, quantilesOf(w.data.latencyMs));
  });
}
