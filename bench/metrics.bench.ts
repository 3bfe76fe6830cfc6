/**
 * A `/metrics` scrape (`registry.metrics()`) with 1,000 tasks must take <= 20 ms (issue 5).
 *
 * tactus: registerMetrics over the observed system (1,000 tasks, 64 workers, 4 queues, a monitor),
 * every family, everything pulled at scrape time. Peer, in the same run: plain prom-client holding
 * the same per-task families pushed as they happen (five counters, two prom-client Summaries with
 * the same quantiles fed 5 observations per task), i.e. what a hand-written exporter costs at
 * scrape time.
 * Run: node --expose-gc --import tsx bench/metrics.bench.ts
 */
import { Counter, Registry, Summary } from 'prom-client';
import { Monitor } from '../src/monitor/monitor.js';
import { ManualClock } from '../src/time/manual-clock.js';
import { registerMetrics } from '../src/metrics/index.js';
import { collectGarbage, machineLine } from './lib/machine.js';
import { observedSystem } from './lib/observed-system.js';
import { summarize, type Summary as Stats } from './lib/stats.js';
import { markdownTable, ms, ratio } from './lib/table.js';

const WARM_UP = 10;
const SCRAPES = 60;

const system = await observedSystem();
const clock = new ManualClock();
const monitor = new Monitor({ clock, scheduler: system.scheduler, workers: [system.workers], queues: system.queues });
monitor.start();

async function scrapeTimes(registry: Registry): Promise<{ stats: Stats; bytes: number; series: number }> {
  let text = '';
  for (let i = 0; i < WARM_UP; i++) text = await registry.metrics();
  collectGarbage();
  const times: number[] = [];
  for (let i = 0; i < SCRAPES; i++) {
    const start = performance.now();
    text = await registry.metrics();
    times.push(performance.now() - start);
  }
  return { stats: summarize(times), bytes: text.length, series: text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length };
}

const tactus = new Registry();
registerMetrics(tactus, { scheduler: system.scheduler, workers: [system.workers], monitor });
const ours = await scrapeTimes(tactus);

// The peer: the same per-task families in plain prom-client, values pushed ahead of the scrape.
const peer = new Registry();
const registers = [peer];
const runs = new Counter({ name: 'peer_task_runs_total', help: 'h', labelNames: ['task'], registers });
const failures = new Counter({ name: 'peer_task_failures_total', help: 'h', labelNames: ['task'], registers });
const misses = new Counter({ name: 'peer_task_deadline_misses_total', help: 'h', labelNames: ['task'], registers });
const overruns = new Counter({ name: 'peer_task_overruns_total', help: 'h', labelNames: ['task'], registers });
const jitterWarnings = new Counter({ name: 'peer_task_jitter_warnings_total', help: 'h', labelNames: ['task'], registers });
const duration = new Summary({ name: 'peer_task_run_duration_seconds', help: 'h', labelNames: ['task'], percentiles: [0.5, 0.99, 1], registers });
const jitter = new Summary({ name: 'peer_task_jitter_seconds', help: 'h', labelNames: ['task'], percentiles: [0.5, 0.99, 1], registers });
for (const task of system.scheduler.describe().tasks) {
  const labels = { task: task.name };
  runs.inc(labels, task.stats.runs);
  failures.inc(labels, task.stats.failed);
  misses.inc(labels, task.stats.deadlineMisses);
  overruns.inc(labels, task.stats.overruns);
  jitterWarnings.inc(labels, task.stats.jitterWarnings);
  for (let i = 0; i < 5; i++) {
    duration.observe(labels, task.stats.execMs.p50 / 1000);
    jitter.observe(labels, task.stats.jitterMs.p50 / 1000);
  }
}
const theirs = await scrapeTimes(peer);

console.log(`## /metrics scrape: 1,000 tasks, 64 workers, 4 queues\n\n${machineLine()}\n`);
console.log(
  markdownTable(
    ['exporter', 'scrape p50 ms', 'p99 ms', 'max ms', 'series', 'bytes', 'p50 vs 20 ms budget', 'p50 vs peer'],
    [
      ['tactus registerMetrics (pulled at scrape, all families)', ms(ours.stats.p50, 2), ms(ours.stats.p99, 2), ms(ours.stats.max, 2), ours.series, ours.bytes, ratio(ours.stats.p50, 20), ratio(ours.stats.p50, theirs.stats.p50)],
      ['prom-client, per-task families only, values pushed', ms(theirs.stats.p50, 2), ms(theirs.stats.p99, 2), ms(theirs.stats.max, 2), theirs.series, theirs.bytes, ratio(theirs.stats.p50, 20), '1.00x'],
    ],
  ),
);
console.log(`\n${SCRAPES} scrapes after ${WARM_UP} warm-up ones; per series: tactus ${ms((ours.stats.p50 / ours.series) * 1000, 2)} us, peer ${ms((theirs.stats.p50 / theirs.series) * 1000, 2)} us`);
monitor.stop();
process.exit(0);
