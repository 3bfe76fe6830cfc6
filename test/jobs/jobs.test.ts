import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskState } from '../../src/scheduler/jobs/job-spec.js';
import { TaskPriority } from '../../src/scheduler/priority.js';
import { TaskNonFatalError } from '../../src/errors.js';
import { deferred, manualScheduler, record } from '../scheduler/helpers.js';

test('submit returns a handle whose result is the function value; args are passed after ctx', async () => {
  const { clock, scheduler } = manualScheduler();
  scheduler.start();
  const handle = scheduler.submit({ name: 'add', fn: (_ctx, a: number, b: number) => a + b, args: [2, 3] });
  assert.equal(handle.state, TaskState.READY);
  assert.match(handle.id, /^job-\d+$/);
  await clock.flush();
  assert.equal(handle.state, TaskState.COMPLETED);
  assert.equal(await handle.result, 5);
});

test('the lifecycle is reported through state-change events', async () => {
  const { clock, scheduler } = manualScheduler({ maxConcurrency: 1 });
  const changes = record(scheduler, 'state-change');
  scheduler.defineResource('arm');
  scheduler.start();
  const holder = scheduler.submit({ name: 'holder', fn: (ctx) => ctx.sleep(10), constraints: { resources: ['arm'] } });
  const waiter = scheduler.submit({ name: 'waiter', fn: () => 'ok', constraints: { resources: ['arm'], dependsOn: [] } });
  await clock.advance(20);
  assert.equal(await waiter.result, 'ok');
  const of = (id: string): string[] => changes.filter((c) => c.id === id).map((c) => c.to);
  assert.deepEqual(of(holder.id), ['READY', 'RUNNING', 'COMPLETED']);
  assert.deepEqual(of(waiter.id), ['READY', 'RUNNING', 'COMPLETED'], 'waits in the ready queue while the slot is taken');
});

test('a job waiting for a declared resource is BLOCKED, then runs when it is released', async () => {
  const { clock, scheduler } = manualScheduler({ maxConcurrency: 4 });
  scheduler.defineResource('camera');
  scheduler.start();
  const order: string[] = [];
  scheduler.submit({ name: 'first', fn: async (ctx) => { order.push('first'); await ctx.sleep(10); }, constraints: { resources: ['camera'] } });
  const second = scheduler.submit({ name: 'second', fn: () => { order.push('second'); }, constraints: { resources: ['camera'] } });
  await clock.advance(5);
  assert.equal(second.state, TaskState.BLOCKED);
  await clock.advance(5);
  assert.equal(second.state, TaskState.COMPLETED);
  assert.deepEqual(order, ['first', 'second']);
  assert.deepEqual(scheduler.resources(), [{ name: 'camera', capacity: 1, inUse: 0, holders: [], waiting: 0 }]);
});

test('dependencies: a job waits PENDING until every dependency completed', async () => {
  const { clock, scheduler } = manualScheduler();
  scheduler.start();
  const order: string[] = [];
  const fetch = scheduler.submit({ name: 'fetch', fn: async (ctx) => { await ctx.sleep(10); order.push('fetch'); } });
  const parse = scheduler.submit({ name: 'parse', fn: async (ctx) => { await ctx.sleep(5); order.push('parse'); } });
  const process = scheduler.submit({ name: 'process', fn: () => order.push('process'), constraints: { dependsOn: [fetch.id, parse.id] } });
  await clock.advance(1);
  assert.equal(process.state, TaskState.PENDING);
  await clock.advance(10);
  assert.deepEqual(order, ['parse', 'fetch', 'process']);
});

test('dependency failure propagates: dependents are CANCELLED with the cause, transitively', async () => {
  const { clock, scheduler } = manualScheduler();
  scheduler.start();
  const root = scheduler.submit({ name: 'root', fn: () => { throw new Error('sensor offline'); } });
  const child = scheduler.submit({ name: 'child', fn: () => 1, constraints: { dependsOn: [root.id] } });
  const grandchild = scheduler.submit({ name: 'grandchild', fn: () => 2, constraints: { dependsOn: [child.id] } });
  void root.result.catch(() => undefined);
  await clock.flush();
  assert.equal(root.state, TaskState.FAILED);
  assert.equal(child.state, TaskState.CANCELLED);
  assert.equal(grandchild.state, TaskState.CANCELLED);
  await assert.rejects(child.result, { code: 'ERR_TACTUS_DEPENDENCY_FAILED', dependencyId: root.id });
  const late = scheduler.submit({ name: 'late', fn: () => 3, constraints: { dependsOn: [root.id] } });
  assert.equal(late.state, TaskState.CANCELLED, 'a dependency that already failed cancels at submit');
  await assert.rejects(late.result, { code: 'ERR_TACTUS_DEPENDENCY_FAILED', dependencyId: root.id });
  void grandchild.result.catch(() => undefined);
});

test('cancelling a dependency cancels its dependents; cancel is idempotent and never retried', async () => {
  const { clock, scheduler } = manualScheduler();
  scheduler.start();
  let attempts = 0;
  const slow = scheduler.submit({
    name: 'slow',
    fn: async (ctx) => { attempts++; await ctx.sleep(100); },
    constraints: { retry: { attempts: 3, backoffMs: 1 } },
  });
  const next = scheduler.submit({ name: 'next', fn: () => 1, constraints: { dependsOn: [slow.id] } });
  await clock.advance(1);
  assert.equal(slow.cancel('operator'), true);
  assert.equal(slow.cancel('again'), false);
  await assert.rejects(slow.result, { code: 'ERR_TACTUS_TASK_CANCELLED', message: /operator/ });
  await assert.rejects(next.result, { code: 'ERR_TACTUS_DEPENDENCY_FAILED' });
  await clock.advance(200);
  assert.equal(attempts, 1);
  assert.equal(scheduler.summary().cancelled, 2);
});

test('unknown dependency ids and cycles are refused at submit, nothing half-submitted', () => {
  const { scheduler } = manualScheduler();
  const fn = (): number => 1;
  assert.throws(() => scheduler.submit({ name: 'x', fn, constraints: { dependsOn: ['job-999'] } }), { code: 'ERR_TACTUS_UNKNOWN_DEPENDENCY', message: /job-999/ });
  assert.throws(() => scheduler.submit({ id: 'self', name: 'x', fn, constraints: { dependsOn: ['self'] } }), { code: 'ERR_TACTUS_DEPENDENCY_CYCLE' });
  assert.throws(
    () =>
      scheduler.submitBatch([
        { id: 'a', name: 'a', fn, constraints: { dependsOn: ['c'] } },
        { id: 'b', name: 'b', fn, constraints: { dependsOn: ['a'] } },
        { id: 'c', name: 'c', fn, constraints: { dependsOn: ['b'] } },
      ]),
    (error: Error & { code?: string; cycle?: string[] }) => {
      assert.equal(error.code, 'ERR_TACTUS_DEPENDENCY_CYCLE');
      assert.equal(error.cycle?.length, 4);
      return true;
    },
  );
  assert.equal(scheduler.summary().submitted, 0);
  const [a, b] = scheduler.submitBatch([
    { id: 'b2', name: 'b', fn, constraints: { dependsOn: ['a2'] } },
    { id: 'a2', name: 'a', fn },
  ]);
  assert.equal(a?.id, 'b2');
  assert.equal(b?.id, 'a2');
  assert.equal(a?.state, TaskState.PENDING);
  assert.throws(() => scheduler.submit({ id: 'a2', name: 'dup', fn }), /already used/);
});

test('retries with exponential backoff on failure; TaskNonFatalError retries quietly', async () => {
  const { clock, scheduler } = manualScheduler();
  const errors = record(scheduler, 'task-error');
  scheduler.start();
  const attempts: number[] = [];
  const flaky = scheduler.submit({
    name: 'flaky',
    fn: (ctx) => {
      attempts.push(clock.now());
      if (ctx.attempt < 4) throw new TaskNonFatalError(`attempt ${ctx.attempt}`);
      return 'done';
    },
    constraints: { retry: { attempts: 3, backoffMs: 10, factor: 3 } },
  });
  await clock.advance(200);
  assert.equal(await flaky.result, 'done');
  assert.deepEqual(attempts, [0, 10, 40, 130]);
  const doomed = scheduler.submit({ name: 'doomed', fn: () => { throw new Error('hard'); }, constraints: { retry: { attempts: 1, backoffMs: 5 } } });
  await clock.advance(10);
  await assert.rejects(doomed.result, /hard/);
  assert.equal(errors.length, 1, 'one task-error, when the retries are exhausted');
});

test('timeoutMs aborts the signal and fails the attempt (then retries)', async () => {
  const { clock, scheduler } = manualScheduler();
  scheduler.start();
  let attempts = 0;
  const job = scheduler.submit({
    name: 'stuck',
    fn: async (ctx) => {
      attempts++;
      await ctx.sleep(attempts === 1 ? 1000 : 1);
      return attempts;
    },
    constraints: { timeoutMs: 50, retry: { attempts: 1, backoffMs: 0 } },
  });
  await clock.advance(60);
  assert.equal(await job.result, 2);
  const never = scheduler.submit({ name: 'never', fn: (ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))), constraints: { timeoutMs: 5 } });
  await clock.advance(10);
  await assert.rejects(never.result, { code: 'ERR_TACTUS_TASK_TIMEOUT' });
});

test('a hard-realtime job that cannot start before its deadline is DEADLINE_MISSED without running; a soft one runs late', async () => {
  const { clock, scheduler } = manualScheduler({ maxConcurrency: 1 });
  const misses = record(scheduler, 'deadline-miss');
  scheduler.start();
  scheduler.submit({ name: 'hog', fn: (ctx) => ctx.sleep(100), constraints: { preemptible: false } });
  await clock.flush(); // hog holds the only slot
  let hardRan = false;
  let softRan = false;
  const hard = scheduler.submit({ name: 'hard', fn: () => { hardRan = true; }, priority: TaskPriority.REALTIME, constraints: { deadline: 50, hardRealtime: true } });
  const soft = scheduler.submit({ name: 'soft', fn: () => { softRan = true; }, priority: TaskPriority.REALTIME, constraints: { maxLatencyMs: 50 } });
  await clock.advance(50);
  assert.equal(hard.state, TaskState.DEADLINE_MISSED);
  await assert.rejects(hard.result, { code: 'ERR_TACTUS_DEADLINE_MISSED' });
  await clock.advance(60);
  assert.equal(hardRan, false);
  assert.equal(softRan, true);
  assert.equal(soft.state, TaskState.COMPLETED);
  assert.equal(misses.length, 2);
  assert.equal(scheduler.summary().deadlineMissed, 2);
});

test('a hard-realtime job that starts in time runs normally (twin)', async () => {
  const { clock, scheduler } = manualScheduler({ maxConcurrency: 1 });
  scheduler.start();
  const hard = scheduler.submit({ name: 'hard', fn: (ctx) => ctx.sleep(30), constraints: { deadline: 50, hardRealtime: true } });
  await clock.advance(100);
  assert.equal(hard.state, TaskState.COMPLETED);
  assert.equal(scheduler.summary().deadlineMissed, 0);
});

test('jobs submitted before start wait for it; stop drains submitted jobs and refuses new ones', async () => {
  const { clock, scheduler } = manualScheduler();
  const done: string[] = [];
  const early = scheduler.submit({ name: 'early', fn: () => done.push('early') });
  await clock.flush();
  assert.equal(done.length, 0);
  scheduler.start();
  await clock.flush();
  assert.deepEqual(done, ['early']);
  scheduler.submit({ name: 'slow', fn: async (ctx) => { await ctx.sleep(30); done.push('slow'); } });
  await clock.flush();
  const stopped = scheduler.stop();
  assert.throws(() => scheduler.submit({ name: 'late', fn: () => 1 }), { code: 'ERR_TACTUS_SCHEDULER_STOPPED' });
  await clock.advance(30);
  await stopped;
  assert.deepEqual(done, ['early', 'slow']);
  assert.equal(early.state, TaskState.COMPLETED);
});

test('stop drains jobs that retry after the stop began', async () => {
  const { clock, scheduler } = manualScheduler();
  scheduler.start();
  let attempts = 0;
  const job = scheduler.submit({
    name: 'flaky',
    fn: () => {
      if (++attempts < 3) throw new Error('not yet');
      return 'ok';
    },
    constraints: { retry: { attempts: 2, backoffMs: 10 } },
  });
  await clock.flush();
  const stopped = scheduler.stop();
  await clock.advance(50);
  await stopped;
  assert.equal(await job.result, 'ok');
  assert.equal(attempts, 3);
});

test('terminate cancels queued jobs and aborts running ones', async () => {
  const { clock, scheduler } = manualScheduler({ maxConcurrency: 1 });
  scheduler.start();
  const running = deferred();
  const a = scheduler.submit({ name: 'a', fn: async (ctx) => { running.resolve(); await ctx.sleep(1000); } });
  const b = scheduler.submit({ name: 'b', fn: () => 1 });
  await clock.flush();
  await running.promise;
  await scheduler.terminate();
  await assert.rejects(a.result, { code: 'ERR_TACTUS_TASK_CANCELLED', message: /terminated/ });
  await assert.rejects(b.result, { code: 'ERR_TACTUS_TASK_CANCELLED' });
  assert.equal(scheduler.state, 'stopped');
});

test('terminate reaches every live job: waiting on a dependency, a retry backoff, a resource, unseen ids', async () => {
  const { clock, scheduler } = manualScheduler({ maxConcurrency: 2 });
  scheduler.defineResource('arm');
  scheduler.start();
  const holder = scheduler.submit({ name: 'holder', fn: (ctx) => ctx.sleep(1000), constraints: { resources: ['arm'] } });
  const blocked = scheduler.submit({ name: 'blocked', fn: () => 1, constraints: { resources: ['arm'] } });
  const retrying = scheduler.submit({ name: 'retrying', fn: () => { throw new Error('x'); }, constraints: { retry: { attempts: 5, backoffMs: 500 } } });
  await clock.advance(10);
  const dependent = scheduler.submit({ name: 'dependent', fn: () => 2, constraints: { dependsOn: [holder.id] } });
  const handles = [holder, blocked, retrying, dependent];
  for (const h of handles) void h.result.catch(() => undefined);
  assert.deepEqual(handles.map((h) => h.state), ['RUNNING', 'BLOCKED', 'PENDING', 'PENDING']);
  assert.equal(scheduler.summary().live, 4);
  await scheduler.terminate();
  assert.deepEqual(handles.map((h) => h.state), ['CANCELLED', 'CANCELLED', 'CANCELLED', 'CANCELLED']);
  assert.equal(scheduler.summary().live, 0);
});

test('summary reports seed 001 figures', async () => {
  const { clock, scheduler } = manualScheduler();
  scheduler.start();
  for (let i = 0; i < 8; i++) scheduler.submit({ name: 'ok', fn: (ctx) => ctx.sleep(10) });
  const bad = scheduler.submit({ name: 'bad', fn: () => { throw new Error('x'); } });
  void bad.result.catch(() => undefined);
  await clock.advance(1000);
  const summary = scheduler.summary();
  assert.deepEqual(
    { ...summary },
    { submitted: 9, completed: 8, failed: 1, cancelled: 0, deadlineMissed: 0, successRatePercent: (8 / 9) * 100, throughputPerSecond: 8, queueSize: 0, running: 0, live: 0 },
  );
});

test('a job cancelled while queued never starts; the one queued beside it does (B6 and twin)', async () => {
  const { clock, scheduler } = manualScheduler({ maxConcurrency: 1 });
  scheduler.start();
  const started: string[] = [];
  const body = (name: string) => async (ctx: { sleep(ms: number): Promise<void> }): Promise<void> => {
    started.push(name);
    await ctx.sleep(10);
  };
  scheduler.submit({ name: 'busy', fn: body('busy') });
  const cancelled = scheduler.submit({ name: 'cancelled', fn: body('cancelled') });
  const kept = scheduler.submit({ name: 'kept', fn: body('kept') });
  await clock.advance(1);
  assert.equal(cancelled.state, TaskState.READY);
  assert.equal(cancelled.cancel('no longer needed'), true);
  await assert.rejects(cancelled.result, { code: 'ERR_TACTUS_TASK_CANCELLED', message: /no longer needed/ });
  await clock.advance(50);
  await kept.result;
  assert.deepEqual(started, ['busy', 'kept']);
  assert.equal(cancelled.state, TaskState.CANCELLED);
});

test('a job cancelled while running sees its signal abort and settles without waiting out its sleep (B7)', async () => {
  const { clock, scheduler } = manualScheduler();
  scheduler.start();
  const running = deferred();
  let observedAbort: unknown;
  const job = scheduler.submit({
    name: 'cooperative',
    fn: async (ctx) => {
      running.resolve();
      try {
        await ctx.sleep(60_000);
      } finally {
        observedAbort = ctx.signal.aborted;
      }
    },
  });
  await clock.advance(1);
  await running.promise;
  const cancelledAt = clock.now();
  assert.equal(job.cancel('operator'), true);
  await assert.rejects(job.result, { code: 'ERR_TACTUS_TASK_CANCELLED' });
  assert.equal(clock.now(), cancelledAt, 'settled at once on the scheduler clock, not after the sleep');
  assert.equal(observedAbort, true);
  assert.equal(job.state, TaskState.CANCELLED);
});
