// registerMetrics: the text registry.metrics() renders, parsed strictly and checked against the
// sources' own figures; values pulled at scrape time; the label cardinality bound with its twin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry, register as globalRegistry } from 'prom-client';
import { ManualClock } from '../../src/time/manual-clock.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { Monitor } from '../../src/monitor/monitor.js';
import { registerMetrics } from '../../src/metrics/index.js';
import { InvalidConfigError } from '../../src/errors.js';
import { FakeQueue, FakeWorkers } from '../monitor/fakes.js';
import { parsePrometheusText, valueOf } from './prometheus-text.js';

async function rig() {
  const clock = new ManualClock();
  const scheduler = new Scheduler({ clock });
  scheduler.schedulePeriodic({ name: 'stage.position', periodMs: 20 }, () => undefined);
  scheduler.schedulePeriodic({ name: 'slow.loop', periodMs: 100, deadlineMs: 20 }, (ctx) => ctx.sleep(50));
  const workers = new FakeWorkers(clock);
  workers.add('gpu-0', 'gpu').task = 'OCR';
  workers.add('cpu-0', 'cpu');
  const queues = [new FakeQueue('detect', 'gpu'), new FakeQueue('smooth', 'cpu')];
  queues[0]!.enqueue(4);
  const monitor = new Monitor({ clock, scheduler, workers: [workers], queues, intervalMs: 100, staleAfterMs: 300 });
  scheduler.start();
  monitor.start();
  const ok = scheduler.submit({ name: 'plan.route', fn: () => 42 });
  const bad = scheduler.submit({ name: 'plan.fail', fn: () => { throw new Error('no route'); } });
  for (let t = 0; t < 1100; t += 50) {
    await clock.advance(50);
    workers.beat('gpu-0'); // cpu-0 stays silent: stale
  }
  await ok.result;
  await bad.result.catch(() => undefined);
  return { clock, scheduler, workers, queues, monitor };
}

async function stopRig({ clock, scheduler, monitor }: Awaited<ReturnType<typeof rig>>): Promise<void> {
  monitor.stop();
  const stopped = scheduler.stop();
  await clock.advance(100);
  await stopped;
}

test('the scraped text parses and agrees with describe(), summary(), latency.stats() and the monitor', async () => {
  const r = await rig();
  const registry = new Registry();
  const globalBefore = globalRegistry.getMetricsAsArray().length;
  registerMetrics(registry, { scheduler: r.scheduler, workers: [r.workers], monitor: r.monitor });
  assert.equal(globalRegistry.getMetricsAsArray().length, globalBefore, 'the global registry is untouched');
  const families = parsePrometheusText(await registry.metrics());

  for (const family of families.values()) {
    assert.match(family.name, /^tactus_/);
    assert.ok(family.help.length > 0 && family.type !== '', family.name);
    if (family.type === 'counter') assert.match(family.name, /_total$/);
    if (/seconds/.test(family.name)) assert.doesNotMatch(family.name, /_ms/);
  }
  assert.equal(families.get('tactus_task_run_duration_seconds')!.type, 'summary');
  assert.equal(families.get('tactus_task_runs_total')!.type, 'counter');

  const description = r.scheduler.describe();
  for (const task of description.tasks) {
    const s = task.stats;
    assert.equal(valueOf(families, 'tactus_task_runs_total', { task: task.name }), s.runs);
    assert.equal(valueOf(families, 'tactus_task_deadline_misses_total', { task: task.name }), s.deadlineMisses);
    assert.equal(valueOf(families, 'tactus_task_failures_total', { task: task.name }), s.failed);
    assert.equal(valueOf(families, 'tactus_task_run_duration_seconds', { task: task.name, quantile: '0.99' }), s.execMs.p99 / 1000);
    assert.equal(valueOf(families, 'tactus_task_run_duration_seconds', { task: task.name, quantile: '1' }), s.execMs.max / 1000);
    assert.equal(valueOf(families, 'tactus_task_run_duration_seconds_count', { task: task.name }), s.completed + s.failed);
    assert.equal(valueOf(families, 'tactus_task_run_duration_seconds_sum', { task: task.name }), s.totalExecMs / 1000);
    assert.equal(valueOf(families, 'tactus_task_jitter_seconds', { task: task.name, quantile: '1' }), s.jitterMs.max / 1000);
  }
  const slow = description.tasks.find((t) => t.name === 'slow.loop')!;
  assert.ok(slow.stats.deadlineMisses > 0 && Math.abs(valueOf(families, 'tactus_task_run_duration_seconds', { task: 'slow.loop', quantile: '0.5' })! - 0.05) < 0.005);

  const summary = r.scheduler.summary();
  assert.equal(valueOf(families, 'tactus_jobs_total', { outcome: 'submitted' }), summary.submitted);
  assert.equal(valueOf(families, 'tactus_jobs_total', { outcome: 'completed' }), 1);
  assert.equal(valueOf(families, 'tactus_jobs_total', { outcome: 'failed' }), 1);
  assert.equal(families.get('tactus_job_latency_seconds')!.samples.filter((s) => s.labels.quantile === '0.95').length, 14, '7 classes x 2 phases');
  assert.equal(valueOf(families, 'tactus_job_latency_seconds_count', { priority: 'NORMAL', phase: 'execution' }), r.scheduler.latency.stats().NORMAL.execution.count);

  assert.equal(valueOf(families, 'tactus_worker_busy', { worker: 'gpu-0' }), 1);
  assert.equal(valueOf(families, 'tactus_worker_stale', { worker: 'cpu-0' }), 1);
  assert.equal(valueOf(families, 'tactus_worker_stale', { worker: 'gpu-0' }), 0);
  assert.equal(valueOf(families, 'tactus_worker_state', { worker: 'gpu-0', state: 'running' }), 1);
  assert.equal(families.get('tactus_worker_state')!.samples.filter((s) => s.labels.worker === 'gpu-0' && s.value === 1).length, 1);
  assert.equal(valueOf(families, 'tactus_worker_info', { worker: 'gpu-0', category: 'gpu', isolation: 'thread' }), 1);
  assert.equal(valueOf(families, 'tactus_queue_backlog', { queue: 'detect' }), 4);
  assert.equal(valueOf(families, 'tactus_category_backlog', { category: 'gpu' }), 4);
  assert.equal(valueOf(families, 'tactus_monitor_stale_workers'), 1);
  assert.equal(typeof valueOf(families, 'tactus_event_loop_delay_p99_seconds'), 'number');
  assert.equal(valueOf(families, 'tactus_shutdown_requested', { flag: 'terminate' }), 0);

  // The JSON shape (registry.getMetricsAsJSON) carries the same figures with merged labels.
  const json = await registry.getMetricsAsJSON();
  const duration = json.find((m) => m.name === 'tactus_task_run_duration_seconds')!;
  assert.equal(String(duration.type), 'summary');
  const p99 = duration.values.find((v) => v.labels.task === 'slow.loop' && v.labels.quantile === 0.99)!;
  assert.equal(p99.value, slow.stats.execMs.p99 / 1000);
  await stopRig(r);
});

test('values are pulled at scrape time: a later scrape shows later figures, nothing was pushed', async () => {
  const r = await rig();
  const registry = new Registry();
  registerMetrics(registry, { scheduler: r.scheduler });
  const runs = async () => valueOf(parsePrometheusText(await registry.metrics()), 'tactus_task_runs_total', { task: 'stage.position' })!;
  const before = await runs();
  await r.clock.advance(200);
  assert.equal((await runs()) - before, 10);
  await stopRig(r);
});

test('cardinality bound: 50 tasks under maxTasks 10 give 10 names and one _other series that adds up', async () => {
  const clock = new ManualClock();
  const scheduler = new Scheduler({ clock });
  const handles = Array.from({ length: 50 }, (_, i) => scheduler.schedulePeriodic({ name: `device.${i}`, periodMs: 10 + i }, () => undefined));
  scheduler.start();
  await clock.advance(1000);
  const registry = new Registry();
  registerMetrics(registry, { scheduler }, { maxTasks: 10 });
  let families = parsePrometheusText(await registry.metrics());
  const labels = new Set(families.get('tactus_task_runs_total')!.samples.map((s) => s.labels.task));
  assert.equal(labels.size, 11);
  assert.ok(labels.has('_other'));
  const total = scheduler.describe().tasks.reduce((sum, t) => sum + t.stats.runs, 0);
  assert.equal(families.get('tactus_task_runs_total')!.samples.reduce((sum, s) => sum + s.value, 0), total);
  assert.equal(valueOf(families, 'tactus_metrics_label_overflow', { label: 'task' }), 40);
  for (const family of families.values()) {
    const tasks = new Set(family.samples.map((s) => s.labels.task).filter((t) => t !== undefined));
    assert.ok(tasks.size <= 11, `${family.name}: ${tasks.size} task values`);
  }
  // Admission is sticky; a departed name frees its slot for a newcomer.
  const admitted = [...labels].filter((l) => l !== '_other');
  handles[Number(admitted[0]!.split('.')[1])]!.cancel();
  await clock.advance(100);
  families = parsePrometheusText(await registry.metrics());
  const after = new Set(families.get('tactus_task_runs_total')!.samples.map((s) => s.labels.task));
  assert.equal(after.size, 11);
  for (const name of admitted.slice(1)) assert.ok(after.has(name), `${name} kept its series`);
  const stopped = scheduler.stop();
  await clock.advance(100);
  await stopped;
});

test('twin: within the bound, every task has its own series and nothing overflows', async () => {
  const clock = new ManualClock();
  const scheduler = new Scheduler({ clock });
  for (let i = 0; i < 10; i++) scheduler.schedulePeriodic({ name: `device.${i}`, periodMs: 10 }, () => undefined);
  const registry = new Registry();
  registerMetrics(registry, { scheduler }, { maxTasks: 10 });
  const families = parsePrometheusText(await registry.metrics());
  const labels = new Set(families.get('tactus_task_runs_total')!.samples.map((s) => s.labels.task));
  assert.equal(labels.size, 10);
  assert.ok(!labels.has('_other'));
  assert.equal(valueOf(families, 'tactus_metrics_label_overflow', { label: 'task' }), 0);
});

test('a name that is not a registered-style name never becomes a label; a throwing source is counted, not fatal', async () => {
  const clock = new ManualClock();
  const workers = new FakeWorkers(clock);
  workers.add('ok-worker');
  workers.add('evil"} 1\nfake_metric{x="');
  let broken = true;
  const scheduler = {
    describe: () => {
      if (broken) throw new Error('boom');
      return { state: 'running', policy: 'priority', now: 0, wallNow: 0, maxConcurrency: null, running: 0, queued: 0, tasks: [] };
    },
  };
  const registry = new Registry();
  registerMetrics(registry, { scheduler, workers: [workers] });
  const text = await registry.metrics();
  const families = parsePrometheusText(text);
  assert.doesNotMatch(text, /fake_metric/);
  assert.deepEqual(families.get('tactus_worker_busy')!.samples.map((s) => s.labels.worker).sort(), ['_other', 'ok-worker']);
  assert.equal(valueOf(families, 'tactus_metrics_source_errors_total', { source: 'scheduler' }), 1);
  broken = false;
  assert.equal(valueOf(parsePrometheusText(await registry.metrics()), 'tactus_metrics_source_errors_total', { source: 'scheduler' }), 1);
});

test('one scrape reads each source once; unregister removes everything; bad arguments are refused', async () => {
  const clock = new ManualClock();
  const workers = new FakeWorkers(clock);
  workers.add('w');
  const registry = new Registry();
  const metrics = registerMetrics(registry, { workers: [workers] }, { prefix: 'lab_' });
  await registry.metrics();
  assert.equal(workers.listCalls, 1);
  assert.ok(metrics.names.every((n) => n.startsWith('lab_')));
  assert.throws(() => registerMetrics(registry, { workers: [workers] }, { prefix: 'lab_' }), /already been registered/);
  metrics.unregister();
  assert.equal(registry.getMetricsAsArray().length, 0);
  assert.throws(() => registerMetrics(registry, {}, { prefix: 'bad-prefix' }), InvalidConfigError);
  assert.throws(() => registerMetrics(registry, {}, { maxTasks: 0 }), /maxTasks.*\(got 0\)/);
  assert.throws(() => registerMetrics({} as Registry, {}), /registry: must be a prom-client Registry/);
  assert.throws(() => registerMetrics(registry, { workers: [{}] } as never), /workers.0: must have list\(\)/);
});
