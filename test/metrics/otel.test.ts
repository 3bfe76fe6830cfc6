// OpenTelemetry, optional: the same metric families through a meter, a span per job run. The
// meter and tracer here record what they are given, standing in for an OTel SDK (none is
// installed); the last test uses the real @opentelemetry/api when it is importable (prom-client
// brings it in) and skips otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/time/manual-clock.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { enableOpenTelemetry, type OtelBatchCallback, type OtelMeter, type OtelTracer } from '../../src/metrics/index.js';
import { InvalidConfigError } from '../../src/errors.js';

function recordingMeter() {
  const instruments = new Map<object, { kind: string; name: string }>();
  let callback: OtelBatchCallback | undefined;
  const meter: OtelMeter = {
    createObservableGauge: (name) => { const i = {}; instruments.set(i, { kind: 'gauge', name }); return i; },
    createObservableCounter: (name) => { const i = {}; instruments.set(i, { kind: 'counter', name }); return i; },
    addBatchObservableCallback: (cb) => { callback = cb; },
    removeBatchObservableCallback: (cb) => { if (callback === cb) callback = undefined; },
  };
  const collect = () => {
    const points: { name: string; kind: string; value: number; attributes: Record<string, unknown> }[] = [];
    callback?.({ observe: (instrument, value, attributes = {}) => points.push({ ...instruments.get(instrument)!, value, attributes }) });
    return points;
  };
  return { meter, collect, registered: () => callback !== undefined };
}

function recordingTracer() {
  const spans: { name: string; attributes: Record<string, unknown>; status?: { code: number; message?: string }; ended: boolean }[] = [];
  const tracer: OtelTracer = {
    startSpan: (name, options) => {
      const span = { name, attributes: options?.attributes ?? {}, ended: false } as (typeof spans)[number];
      spans.push(span);
      return { setStatus: (status) => (span.status = status), end: () => (span.ended = true) };
    },
  };
  return { tracer, spans };
}

test('metrics through a meter: the same families and values as the Prometheus exporter', async () => {
  const clock = new ManualClock();
  const scheduler = new Scheduler({ clock });
  scheduler.schedulePeriodic({ name: 'sensor.read', periodMs: 10 }, () => undefined);
  const { meter, collect, registered } = recordingMeter();
  const bridge = await enableOpenTelemetry({ scheduler, meter, spans: false });
  assert.ok(bridge !== null);
  scheduler.start();
  await clock.advance(100);
  const points = collect();
  const runs = points.find((p) => p.name === 'tactus_task_runs_total' && p.attributes.task === 'sensor.read')!;
  assert.equal(runs.kind, 'counter');
  assert.equal(runs.value, scheduler.describe().tasks[0]!.stats.runs);
  const p99 = points.find((p) => p.name === 'tactus_task_run_duration_seconds' && p.attributes.quantile === 0.99);
  assert.equal(p99?.kind, 'gauge');
  assert.ok(points.some((p) => p.name === 'tactus_task_run_duration_seconds_count'));
  assert.ok(points.some((p) => p.name === 'tactus_job_latency_seconds' && p.attributes.priority === 'REALTIME'));
  bridge.close();
  assert.equal(registered(), false);
  await scheduler.stop();
});

test('a span per job run: OK when it completes, ERROR per failed attempt; close ends open spans and detaches', async () => {
  const clock = new ManualClock();
  const scheduler = new Scheduler({ clock });
  const { tracer, spans } = recordingTracer();
  const bridge = (await enableOpenTelemetry({ scheduler, tracer, metrics: false }))!;
  scheduler.start();
  const ok = scheduler.submit({ name: 'plan.route', fn: () => 42 });
  const flaky = scheduler.submit({ name: 'plan.flaky', fn: () => { throw new Error('no map'); }, constraints: { retry: { attempts: 1, backoffMs: 10 } } });
  const slow = scheduler.submit({ name: 'plan.slow', fn: (ctx) => ctx.sleep(1000) });
  await clock.advance(100);
  await ok.result;
  await flaky.result.catch(() => undefined);
  const byName = (name: string) => spans.filter((s) => s.name === `tactus.job ${name}`);
  assert.deepEqual(byName('plan.route').map((s) => [s.status?.code, s.ended]), [[1, true]]);
  assert.deepEqual(byName('plan.flaky').map((s) => [s.status?.code, s.ended]), [[2, true], [2, true]]);
  assert.equal(byName('plan.route')[0]!.attributes['tactus.job.name'], 'plan.route');
  assert.deepEqual(byName('plan.slow').map((s) => s.ended), [false]);
  bridge.close();
  assert.deepEqual(byName('plan.slow').map((s) => s.ended), [true]);
  assert.equal(scheduler.listenerCount('state-change'), 0);
  slow.cancel();
  await scheduler.stop();
});

test('bad options are refused', async () => {
  await assert.rejects(enableOpenTelemetry({ meter: {} as OtelMeter }), InvalidConfigError);
  await assert.rejects(enableOpenTelemetry({ prefix: 'no-dashes' }), /prefix/);
});

test('with the real @opentelemetry/api and no SDK: a bridge on the global (no-op) providers', async (t) => {
  try {
    await import('@opentelemetry/api' as string);
  } catch {
    t.skip('@opentelemetry/api is not installed');
    return;
  }
  const clock = new ManualClock();
  const scheduler = new Scheduler({ clock });
  const bridge = await enableOpenTelemetry({ scheduler });
  assert.ok(bridge !== null);
  scheduler.start();
  await scheduler.submit({ name: 'plan.route', fn: () => 1 }).result;
  bridge.close();
  await scheduler.stop();
});
