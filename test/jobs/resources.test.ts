import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskPriority } from '../../src/scheduler/priority.js';
import { TaskState } from '../../src/scheduler/jobs/job-spec.js';
import { deferred, manualScheduler } from '../scheduler/helpers.js';

/**
 * The classic inversion: LOW holds R, HIGH waits for R, MEDIUM is ready. One slot; LOW reaches a
 * yield point every 10 ms. With inheritance LOW runs at HIGH's priority, so MEDIUM must not take
 * the slot ahead of it.
 */
async function inversion(withHigh: boolean): Promise<string[]> {
  const { clock, scheduler } = manualScheduler({ maxConcurrency: 1, policy: 'priority', agingStepMs: Number.POSITIVE_INFINITY });
  scheduler.defineResource('R');
  scheduler.start();
  const log: string[] = [];
  const low = scheduler.submit({
    name: 'low',
    priority: TaskPriority.LOW,
    constraints: { resources: ['R'] },
    fn: async (ctx) => {
      for (let i = 0; i < 3; i++) {
        log.push(`low${i}`);
        await ctx.sleep(10);
        if (ctx.shouldYield()) await ctx.yield();
      }
    },
  });
  await clock.flush();
  if (withHigh) {
    scheduler.submit({ name: 'high', priority: TaskPriority.REALTIME, constraints: { resources: ['R'] }, fn: () => { log.push('high'); } });
    await clock.flush();
    assert.equal(low.state, TaskState.RUNNING);
  }
  scheduler.submit({ name: 'medium', priority: TaskPriority.NORMAL, fn: async (ctx) => { log.push('medium'); await ctx.sleep(5); } });
  await clock.advance(100);
  return log;
}

test('priority inheritance: medium does not run ahead of low while high waits on low', async () => {
  assert.deepEqual(await inversion(true), ['low0', 'low1', 'low2', 'high', 'medium']);
});

test('without a waiting high job, medium preempts low at its yield point (twin)', async () => {
  assert.deepEqual(await inversion(false), ['low0', 'medium', 'low1', 'low2']);
});

test('inheritance is transitive through chains and restored on release', async () => {
  const { clock, scheduler } = manualScheduler({ maxConcurrency: 4 });
  scheduler.defineResource('A');
  scheduler.defineResource('B');
  scheduler.start();
  const holdsA = deferred();
  const holdsB = deferred();
  let releaseA!: () => void;
  const priorities: Record<string, number> = {};
  const c = scheduler.submit({
    name: 'c-low',
    priority: TaskPriority.IDLE,
    fn: async (ctx) => {
      releaseA = await ctx.acquire('A');
      holdsA.resolve();
      await ctx.sleep(50);
      releaseA();
    },
  });
  await clock.flush();
  await holdsA.promise;
  const b = scheduler.submit({
    name: 'b-mid',
    priority: TaskPriority.LOW,
    fn: async (ctx) => {
      const releaseB = await ctx.acquire('B');
      holdsB.resolve();
      const releaseA2 = await ctx.acquire('A'); // waits on c
      releaseA2();
      releaseB();
    },
  });
  await clock.flush();
  await holdsB.promise;
  scheduler.submit({ name: 'a-high', priority: TaskPriority.REALTIME, fn: async (ctx) => (await ctx.acquire('B'))() });
  await clock.flush();
  priorities.c = (c as unknown as { effectivePriority: number }).effectivePriority;
  priorities.b = (b as unknown as { effectivePriority: number }).effectivePriority;
  assert.deepEqual(priorities, { c: TaskPriority.REALTIME, b: TaskPriority.REALTIME });
  await clock.advance(60);
  assert.equal((c as unknown as { effectivePriority: number }).effectivePriority, TaskPriority.IDLE);
  assert.equal(scheduler.summary().completed, 3);
});

test('deadlock of two: the acquire that closes the cycle rejects with DeadlockError naming it', async () => {
  const { clock, scheduler } = manualScheduler();
  scheduler.defineResource('left');
  scheduler.defineResource('right');
  scheduler.start();
  const bothHold = { a: deferred(), b: deferred() };
  let caught: (Error & { cycle?: string[] }) | undefined;
  const a = scheduler.submit({
    name: 'a',
    fn: async (ctx) => {
      const l = await ctx.acquire('left');
      bothHold.a.resolve();
      await bothHold.b.promise;
      const r = await ctx.acquire('right'); // waits for b
      r();
      l();
    },
  });
  const b = scheduler.submit({
    name: 'b',
    fn: async (ctx) => {
      const r = await ctx.acquire('right');
      bothHold.b.resolve();
      await bothHold.a.promise;
      await ctx.sleep(1); // let a start waiting first
      try {
        await ctx.acquire('left'); // would close the cycle
      } catch (error) {
        caught = error as Error;
      }
      r();
    },
  });
  await clock.advance(5);
  assert.equal(caught?.name, 'DeadlockError');
  assert.deepEqual(caught?.cycle, ['b', 'left', 'a', 'right', 'b']);
  assert.equal(a.state, TaskState.COMPLETED);
  assert.equal(b.state, TaskState.COMPLETED);
});

test('deadlock of three is detected; the same acquisitions in a consistent order do not deadlock (twin)', async () => {
  for (const consistent of [false, true]) {
    const { clock, scheduler } = manualScheduler();
    for (const r of ['r1', 'r2', 'r3']) scheduler.defineResource(r);
    scheduler.start();
    const deadlocks: string[][] = [];
    const holding = [deferred(), deferred(), deferred()];
    const pairs = consistent ? [['r1', 'r2'], ['r1', 'r3'], ['r2', 'r3']] : [['r1', 'r2'], ['r2', 'r3'], ['r3', 'r1']];
    pairs.forEach(([first, second], i) => {
      scheduler.submit({
        name: `j${i}`,
        fn: async (ctx) => {
          const a = await ctx.acquire(first!);
          holding[i]!.resolve();
          if (!consistent) await Promise.all(holding.map((h) => h.promise));
          await ctx.sleep(i); // j2 asks last, closing the cycle
          try {
            const b = await ctx.acquire(second!);
            b();
          } catch (error) {
            deadlocks.push((error as { cycle: string[] }).cycle);
          }
          a();
        },
      });
    });
    await clock.advance(20);
    if (consistent) {
      assert.deepEqual(deadlocks, []);
      assert.equal(scheduler.summary().completed, 3);
    } else {
      assert.deepEqual(deadlocks, [['j2', 'r1', 'j0', 'r2', 'j1', 'r3', 'j2']]);
    }
  }
});

test('resource capacity: up to capacity holders at once', async () => {
  const { clock, scheduler } = manualScheduler();
  scheduler.defineResource('gpu', { capacity: 2 });
  scheduler.start();
  let concurrent = 0;
  let max = 0;
  for (let i = 0; i < 6; i++) {
    scheduler.submit({
      name: 'infer',
      constraints: { resources: ['gpu'] },
      fn: async (ctx) => {
        concurrent++;
        max = Math.max(max, concurrent);
        await ctx.sleep(10);
        concurrent--;
      },
    });
  }
  await clock.advance(40);
  assert.equal(max, 2);
  assert.equal(scheduler.summary().completed, 6);
});

test('preemption: a more urgent job asks the least urgent preemptible one to yield; non-preemptible ones are never asked', async () => {
  const { clock, scheduler } = manualScheduler({ maxConcurrency: 2, policy: 'realtime' });
  scheduler.start();
  const asked: string[] = [];
  const order: string[] = [];
  const worker = (name: string) => async (ctx: { shouldYield(): boolean; yield(): Promise<void>; sleep(ms: number): Promise<void> }) => {
    for (let i = 0; i < 4; i++) {
      order.push(`${name}${i}`);
      await ctx.sleep(5);
      if (ctx.shouldYield()) {
        asked.push(name);
        await ctx.yield();
      }
    }
  };
  scheduler.submit({ name: 'bg', priority: TaskPriority.BACKGROUND, fn: worker('bg') });
  scheduler.submit({ name: 'pinned', priority: TaskPriority.IDLE, constraints: { preemptible: false }, fn: worker('pinned') });
  await clock.advance(1);
  scheduler.submit({ name: 'urgent', priority: TaskPriority.REALTIME, fn: async () => { order.push('urgent'); } });
  await clock.advance(50);
  assert.deepEqual(asked, ['bg'], 'the preemptible one yields although pinned is less urgent');
  assert.ok(order.indexOf('urgent') < order.indexOf('bg1'));
  assert.equal(scheduler.summary().completed, 3);
});

test('preemption: while a more urgent job waits, each request asks one more running job, least urgent first; less urgent arrivals ask none', async () => {
  const { clock, scheduler } = manualScheduler({ maxConcurrency: 2, policy: 'realtime' });
  scheduler.start();
  const gate = deferred();
  const contexts = new Map<string, { shouldYield(): boolean }>();
  const holder = (name: string) => async (ctx: { shouldYield(): boolean }) => {
    contexts.set(name, ctx);
    await gate.promise;
  };
  scheduler.submit({ name: 'low', priority: TaskPriority.LOW, fn: holder('low') });
  scheduler.submit({ name: 'normal', priority: TaskPriority.NORMAL, fn: holder('normal') });
  await clock.flush();
  const asked = (): string[] => [...contexts].filter(([, ctx]) => ctx.shouldYield()).map(([name]) => name).sort();
  scheduler.submit({ name: 'idle', priority: TaskPriority.IDLE, fn: () => {} });
  scheduler.submit({ name: 'background', priority: TaskPriority.BACKGROUND, fn: () => {} });
  assert.deepEqual(asked(), [], 'nothing running is less urgent than IDLE or BACKGROUND work');
  scheduler.submit({ name: 'high-1', priority: TaskPriority.HIGH, fn: () => {} });
  assert.deepEqual(asked(), ['low'], 'the least urgent running job is asked first');
  scheduler.submit({ name: 'high-2', priority: TaskPriority.HIGH, fn: () => {} });
  assert.deepEqual(asked(), ['low', 'normal'], 'the next request asks the next one');
  gate.resolve();
  await clock.flush();
  assert.equal(scheduler.summary().completed, 6);
});
