/**
 * The monitor's view (seed 004): backlog per queue and per category, this process's event-loop
 * delay and utilisation over the last interval, the monitor's own lag, stale workers, idleness and
 * the shutdown flags; plus the exporter's own health: names folded into `_other` and source reads
 * that failed.
 */
import type { MetricFactory } from './define.js';

export function registerMonitorMetrics(m: MetricFactory): void {
  const { budgets, errors } = m.reader;
  m.gauge('queue_backlog', 'Items waiting per queue (the scheduler ready queue is `scheduler`).', ['queue'], (add, scrape) => {
    for (const [queue, size] of Object.entries(scrape.monitor?.backlog.byQueue ?? {})) add({ queue: budgets.queue.label(queue) }, size);
  });
  m.gauge('category_backlog', 'Items waiting per category (gpu / cpu...; a queue without one counts under its name).', ['category'], (add, scrape) => {
    for (const [category, size] of Object.entries(scrape.monitor?.backlog.byCategory ?? {})) add({ category: budgets.category.label(category) }, size);
  });
  const eventLoop = [
    ['event_loop_delay_p50_seconds', 'Event-loop delay, median over the last monitor interval.', 'delayP50Ms'],
    ['event_loop_delay_p99_seconds', 'Event-loop delay, 99th percentile over the last monitor interval.', 'delayP99Ms'],
    ['event_loop_delay_max_seconds', 'Event-loop delay, maximum over the last monitor interval.', 'delayMaxMs'],
  ] as const;
  for (const [name, help, field] of eventLoop) {
    m.gauge(name, help, [], (add, scrape) => {
      if (scrape.monitor !== undefined) add({}, scrape.monitor.eventLoop[field] / 1000);
    });
  }
  m.gauge('event_loop_utilization_ratio', 'Share of the last monitor interval the event loop was busy, 0..1.', [], (add, scrape) => {
    if (scrape.monitor !== undefined) add({}, scrape.monitor.eventLoop.utilization);
  });
  m.gauge('monitor_lag_seconds', "How late the monitor's last sample came (its own event-loop lag).", [], (add, scrape) => {
    if (scrape.monitor !== undefined) add({}, scrape.monitor.lagMs / 1000);
  });
  m.gauge('monitor_stale_workers', 'Workers the monitor marks stale.', [], (add, scrape) => {
    if (scrape.monitor !== undefined) add({}, scrape.monitor.stale.length);
  });
  m.gauge('monitor_idle', '1 while all workers are idle and all queues empty (for the debounce window).', [], (add, scrape) => {
    if (scrape.monitor !== undefined) add({}, scrape.monitor.idle ? 1 : 0);
  });
  m.gauge('shutdown_requested', "1 once the monitor's `stop` / `terminate` signal has aborted.", ['flag'], (add, scrape) => {
    if (scrape.monitor === undefined) return;
    add({ flag: 'stop' }, scrape.monitor.flags.stop ? 1 : 0);
    add({ flag: 'terminate' }, scrape.monitor.flags.terminate ? 1 : 0);
  });
  m.gauge('metrics_label_overflow', 'Names beyond the label budget, folded into the `_other` series.', ['label'], (add) => {
    add({ label: 'task' }, budgets.task.overflowed);
    add({ label: 'worker' }, budgets.worker.overflowed);
    add({ label: 'queue' }, budgets.queue.overflowed);
    add({ label: 'category' }, budgets.category.overflowed);
  });
  m.counter('metrics_source_errors_total', 'Source reads that threw during a scrape (the source was skipped).', ['source'], (add) => {
    for (const [source, count] of Object.entries(errors)) add({ source }, count);
  });
}
