import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { TaskPriority } from '../../src/scheduler/priority.js';
import { manualScheduler, record } from '../scheduler/helpers.js';

test('latency stats per priority class: scheduling (ready to start) and execution percentiles', async () => {
  const { clock, scheduler } = manualScheduler({ maxConcurrency: 1 });
  scheduler.start();
  for (let i = 0; i < 10; i++) scheduler.submit({ name: 'rt', priority: TaskPriority.REALTIME, fn: (ctx) => ctx.sleep(2) });
  scheduler.submit({ name: 'bg', priority: TaskPriority.BACKGROUND, fn: (ctx) => ctx.sleep(5) });
  await clock.advance(100);
  const stats = scheduler.latency.stats();
  assert.equal(stats.REALTIME.scheduling.count, 10);
  assert.equal(stats.REALTIME.execution.p95_ms, 2);
  assert.equal(stats.REALTIME.scheduling.max_ms, 18, 'the 10th waited behind nine 2 ms runs');
  assert.equal(stats.BACKGROUND.scheduling.p50_ms, 20);
  assert.equal(stats.BACKGROUND.execution.p99_ms, 5);
  assert.equal(stats.IDLE.scheduling.count, 0);
});

test('periodic runs count in the latency monitor too (jitter is their scheduling latency)', async () => {
  const { clock, scheduler } = manualScheduler();
  scheduler.schedulePeriodic({ name: 'loop', periodMs: 10, priority: TaskPriority.HIGH }, (ctx) => ctx.sleep(3));
  scheduler.start();
  await clock.advance(95);
  assert.equal(scheduler.latency.stats().HIGH.execution.count, 10);
  assert.equal(scheduler.latency.stats().HIGH.execution.p50_ms, 3);
});

test('latency-alert fires once when a class p95 crosses its threshold; never below it (twin)', async () => {
  const { clock, scheduler } = manualScheduler({ maxConcurrency: 1, latencyAlerts: { REALTIME: { schedulingMs: 10, executionMs: 100 }, LOW: { executionMs: 50 } } });
  const alerts = record(scheduler, 'latency-alert');
  scheduler.start();
  for (let i = 0; i < 20; i++) scheduler.submit({ name: 'fast', priority: TaskPriority.LOW, fn: (ctx) => ctx.sleep(1) });
  await clock.advance(2000);
  assert.equal(alerts.length, 0, 'LOW executes in 1 ms, under its 50 ms threshold');
  for (let i = 0; i < 20; i++) scheduler.submit({ name: 'rt', priority: TaskPriority.REALTIME, fn: (ctx) => ctx.sleep(5) });
  await clock.advance(2000);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0]?.priority, 'REALTIME');
  assert.equal(alerts[0]?.kind, 'scheduling');
  assert.ok((alerts[0]?.p95Ms ?? 0) > 10);
  for (let i = 0; i < 20; i++) scheduler.submit({ name: 'rt', priority: TaskPriority.REALTIME, fn: (ctx) => ctx.sleep(5) });
  await clock.advance(2000);
  assert.equal(alerts.length, 1, 'not repeated while it stays above');
});

const fn = (): number => 1;
const badSpecs: [string, unknown, RegExp][] = [
  ['args not an array', { name: 'x', fn, args: 'a' }, /args.*\(got "a"\)/],
  ['a non-function', { name: 'x', fn: 'nope' }, /fn: must be a function/],
  ['priority 9', { name: 'x', fn, priority: 9 }, /priority.*\(got 9\)/],
  ['negative timeout', { name: 'x', fn, constraints: { timeoutMs: -1 } }, /timeoutMs.*\(got -1\)/],
  ['NaN deadline', { name: 'x', fn, constraints: { deadline: Number.NaN } }, /deadline.*\(got NaN\)/],
  ['negative retry attempts', { name: 'x', fn, constraints: { retry: { attempts: -1, backoffMs: 1 } } }, /attempts.*\(got -1\)/],
  ['an unknown constraint', { name: 'x', fn, constraints: { cpuCores: 2 } }, /cpuCores/],
  ['a misspelt key beside valid ones', { name: 'x', fn, prority: 2 }, /Unrecognized key: "prority"/],
  ['an empty name', { name: '', fn }, /name.*\(got ""\)/],
  ['__proto__ as a name', { name: '__proto__', fn }, /reserved/],
  ['a non-object spec', 42, /submit/],
];

for (const [what, spec, message] of badSpecs) {
  test(`submit rejects ${what} with a typed error; nothing is submitted`, () => {
    const { scheduler } = manualScheduler();
    assert.throws(() => scheduler.submit(spec as never), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ERR_TACTUS_INVALID_CONFIG');
      assert.match(error.message, message);
      return true;
    });
    assert.equal(scheduler.summary().submitted, 0);
  });
}

test('the keys of a simple spec are all accepted, undefined optional ones included (twin of the misspelt key)', () => {
  const { scheduler } = manualScheduler();
  scheduler.submit({ name: 'x', fn, priority: 2, args: [], id: undefined, constraints: undefined, executor: undefined } as never); // as a JavaScript caller may
  assert.equal(scheduler.summary().submitted, 1);
});

test('unknown resources, capacity 0 and bad scheduler options are refused', () => {
  const { scheduler } = manualScheduler();
  assert.throws(() => scheduler.submit({ name: 'x', fn, constraints: { resources: ['gpu'] } }), { code: 'ERR_TACTUS_UNKNOWN_RESOURCE', message: /"gpu"/ });
  assert.throws(() => scheduler.defineResource('gpu', { capacity: 0 }), /capacity.*\(got 0\)/);
  scheduler.defineResource('gpu');
  assert.throws(() => scheduler.defineResource('gpu'), /already defined/);
  assert.throws(() => new Scheduler({ policy: 'lottery' as never }), /policy.*\(got "lottery"\)/);
  assert.throws(() => new Scheduler({ maxConcurrency: -2 }), /maxConcurrency.*\(got -2\)/);
  assert.throws(() => new Scheduler({ latencyAlerts: { URGENT: { schedulingMs: 1 } } as never }), /latencyAlerts/);
  assert.throws(() => scheduler.submitBatch([{ name: 'ok', fn }, { name: 'bad', fn, priority: -1 }]), /submitBatch\[1\]/);
  assert.equal(scheduler.summary().submitted, 0, 'a batch with one bad spec submits nothing');
});

test('acquire of an unknown resource rejects inside the job without breaking it', async () => {
  const { clock, scheduler } = manualScheduler();
  scheduler.start();
  const job = scheduler.submit({
    name: 'x',
    fn: async (ctx) => {
      await assert.rejects(ctx.acquire('nope'), { code: 'ERR_TACTUS_UNKNOWN_RESOURCE' });
      return 'fine';
    },
  });
  await clock.flush();
  assert.equal(await job.result, 'fine');
});
