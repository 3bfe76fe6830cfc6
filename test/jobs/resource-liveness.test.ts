// Resources against slots and endings: the cases the random workloads of lifecycle-fuzz.test.ts
// found stuck or leaking, each as a small hand-checked scenario.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskCancelledError, TaskTimeoutError, UnknownDependencyError } from '../../src/errors.js';
import { TaskState } from '../../src/scheduler/jobs/job-spec.js';
import { TaskPriority } from '../../src/scheduler/priority.js';
import { manualScheduler } from '../scheduler/helpers.js';

const inUse = (scheduler: ReturnType<typeof manualScheduler>['scheduler'], name: string): { inUse: number; holders: string[]; waiting: number } => {
  const resource = scheduler.resources().find((r) => r.name === name)!;
  return { inUse: resource.inUse, holders: resource.holders, waiting: resource.waiting };
};

test('a job waiting in ctx.acquire gives its slot back, so the holder queued for a slot can run and release', async () => {
  // Two slots. h takes R in its run; p (declares R) finds it busy and waits; q takes the free slot.
  // At 2 h hands R over (to p, which then queues for a slot holding R) and asks for R again; at 3
  // q asks for R too. Were h and q to keep their slots while waiting, p could never run: a
  // deadlock through the slots that no cycle of resources shows.
  const { clock, scheduler } = manualScheduler({ maxConcurrency: 2 });
  scheduler.defineResource('R');
  scheduler.start();
  const log: string[] = [];
  const h = scheduler.submit({
    name: 'h',
    priority: TaskPriority.HIGH,
    fn: async (ctx) => {
      const release = await ctx.acquire('R');
      await ctx.sleep(2);
      release();
      (await ctx.acquire('R'))();
      log.push(`h again at ${clock.now()}`);
    },
  });
  const p = scheduler.submit({ name: 'p', constraints: { resources: ['R'] }, fn: async (ctx) => {
    log.push(`p at ${clock.now()}`);
    await ctx.sleep(1);
  } });
  const q = scheduler.submit({ name: 'q', fn: async (ctx) => {
    await ctx.sleep(3);
    (await ctx.acquire('R'))();
    log.push(`q at ${clock.now()}`);
  } });
  await clock.advance(2);
  assert.equal(h.state, TaskState.BLOCKED);
  assert.equal(p.state, TaskState.RUNNING, 'p got the slot h gave back');
  assert.equal(scheduler.summary().running, 2);
  await clock.advance(20);
  assert.deepEqual([h.state, p.state, q.state], [TaskState.COMPLETED, TaskState.COMPLETED, TaskState.COMPLETED]);
  assert.deepEqual(log, ['p at 2', 'h again at 3', 'q at 3']);
  assert.deepEqual(inUse(scheduler, 'R'), { inUse: 0, holders: [], waiting: 0 });
});

/** Two slots: `a` holds R in its run for 2 ms; `p` (declares R) waits for it; `b` keeps the other slot busy. */
async function grantedWhileQueued() {
  const { clock, scheduler } = manualScheduler({ maxConcurrency: 2 });
  scheduler.defineResource('R');
  scheduler.start();
  const a = scheduler.submit({
    name: 'a',
    priority: TaskPriority.HIGH,
    fn: async (ctx) => {
      const release = await ctx.acquire('R');
      await ctx.sleep(2);
      release();
      await ctx.sleep(10);
    },
  });
  let pRan = false;
  const p = scheduler.submit({ name: 'p', constraints: { resources: ['R'] }, fn: () => {
    pRan = true;
  } });
  await clock.flush();
  const b = scheduler.submit({ name: 'b', fn: (ctx) => ctx.sleep(10) });
  await clock.advance(2);
  return { clock, scheduler, a, b, p, pRan: () => pRan };
}

test('cancelling a job granted its declared resources while it queued for a slot gives them back', async () => {
  const { clock, scheduler, p, pRan } = await grantedWhileQueued();
  assert.equal(p.state, TaskState.READY);
  assert.deepEqual(inUse(scheduler, 'R').holders, ['p'], 'granted while queued');
  p.cancel('no longer needed');
  assert.deepEqual(inUse(scheduler, 'R'), { inUse: 0, holders: [], waiting: 0 });
  await clock.advance(20);
  assert.equal(pRan(), false);
  await assert.rejects(p.result, TaskCancelledError);
});

test('twin: not cancelled, the same job runs on what it was granted and releases it at the end of its run', async () => {
  const { clock, scheduler, p, pRan } = await grantedWhileQueued();
  await clock.advance(20);
  assert.equal(pRan(), true);
  assert.equal(p.state, TaskState.COMPLETED);
  assert.deepEqual(inUse(scheduler, 'R'), { inUse: 0, holders: [], waiting: 0 });
});

test('a hard-realtime job that misses its deadline while holding granted resources gives them back', async () => {
  const { clock, scheduler } = manualScheduler({ maxConcurrency: 2 });
  scheduler.defineResource('R');
  scheduler.start();
  scheduler.submit({ name: 'a', priority: TaskPriority.HIGH, fn: async (ctx) => {
    const release = await ctx.acquire('R');
    await ctx.sleep(2);
    release();
    await ctx.sleep(10);
  } });
  const late = scheduler.submit({ name: 'late', constraints: { resources: ['R'], deadline: 5, hardRealtime: true }, fn: () => {} });
  await clock.flush();
  scheduler.submit({ name: 'b', fn: (ctx) => ctx.sleep(10) });
  await clock.advance(3);
  assert.deepEqual(inUse(scheduler, 'R').holders, ['late']);
  await clock.advance(10);
  assert.equal(late.state, TaskState.DEADLINE_MISSED);
  assert.deepEqual(inUse(scheduler, 'R'), { inUse: 0, holders: [], waiting: 0 });
});

/** `w` waits in ctx.acquire for R, which `holder` keeps for 50 ms; `end` decides how the wait ends. */
async function waitInAcquire(timeoutMs: number | undefined) {
  const { clock, scheduler } = manualScheduler({ maxConcurrency: 2 });
  scheduler.defineResource('R');
  scheduler.start();
  scheduler.submit({ name: 'holder', priority: TaskPriority.HIGH, constraints: { resources: ['R'] }, fn: (ctx) => ctx.sleep(50) });
  await clock.flush();
  const seen: string[] = [];
  const w = scheduler.submit({
    name: 'w',
    ...(timeoutMs === undefined ? {} : { constraints: { timeoutMs } }),
    fn: async (ctx) => {
      try {
        (await ctx.acquire('R'))();
        seen.push(`acquired at ${clock.now()}`);
      } catch (error) {
        seen.push(`${(error as Error).name} at ${clock.now()}`);
        throw error;
      }
    },
  });
  await clock.advance(1);
  assert.equal(w.state, TaskState.BLOCKED);
  return { clock, scheduler, w, seen };
}

test('a timeout ends a wait in ctx.acquire: the acquire rejects, the job fails, the claim is withdrawn', async () => {
  const { clock, scheduler, w, seen } = await waitInAcquire(10);
  await clock.advance(20);
  assert.equal(w.state, TaskState.FAILED);
  await assert.rejects(w.result, TaskTimeoutError);
  assert.deepEqual(seen, ['TaskTimeoutError at 10']);
  assert.equal(inUse(scheduler, 'R').waiting, 0);
});

test('a cancel ends a wait in ctx.acquire: the function goes on from the rejected acquire and ends', async () => {
  const { clock, scheduler, w, seen } = await waitInAcquire(undefined);
  w.cancel('operator');
  await clock.advance(1);
  assert.equal(w.state, TaskState.CANCELLED);
  assert.deepEqual(seen, ['TaskCancelledError at 1']);
  assert.equal(inUse(scheduler, 'R').waiting, 0);
  assert.equal(scheduler.summary().running, 1, 'only the holder');
});

test('twin: left alone, the wait in ctx.acquire ends when the holder releases', async () => {
  const { clock, w, seen } = await waitInAcquire(undefined);
  await clock.advance(60);
  assert.equal(w.state, TaskState.COMPLETED);
  assert.deepEqual(seen, ['acquired at 50']);
});

test('an id read after its job ended can still be named in dependsOn; an id never issued is refused (twin)', async () => {
  const { clock, scheduler } = manualScheduler();
  scheduler.start();
  const first = scheduler.submit({ name: 'first', fn: () => 1 });
  await clock.flush();
  assert.equal(first.state, TaskState.COMPLETED);
  const next = scheduler.submit({ name: 'next', fn: () => 2, constraints: { dependsOn: [first.id] } });
  await clock.flush();
  assert.equal(next.state, TaskState.COMPLETED);
  assert.throws(() => scheduler.submit({ name: 'orphan', fn: () => 3, constraints: { dependsOn: ['job-999'] } }), UnknownDependencyError);
});
