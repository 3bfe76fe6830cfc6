import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { deferred, manualScheduler } from './helpers.js';

test('stop drains: no new releases, running runs finish, then stopped', async () => {
  const { clock, scheduler } = manualScheduler();
  const running = deferred();
  let finished = false;
  let runs = 0;
  scheduler.schedulePeriodic({ name: 'a', periodMs: 10 }, async (ctx) => {
    runs++;
    running.resolve();
    await ctx.sleep(25);
    finished = true;
  });
  const forever = scheduler.runForever();
  await clock.advance(0);
  await running.promise;
  const stopped = scheduler.stop();
  assert.equal(scheduler.state, 'stopping');
  assert.throws(() => scheduler.schedulePeriodic({ name: 'b', periodMs: 10 }, () => undefined), { code: 'ERR_TACTUS_SCHEDULER_STOPPED' });
  await clock.advance(30);
  await stopped;
  await forever;
  assert.equal(finished, true);
  assert.equal(runs, 1);
  assert.equal(scheduler.state, 'stopped');
  await scheduler.stop(); // idempotent
});

test('terminate aborts running runs through their signals and resolves when they settle', async () => {
  const { clock, scheduler } = manualScheduler();
  const running = deferred();
  let abortReason: unknown;
  scheduler.schedulePeriodic({ name: 'a', periodMs: 10 }, async (ctx) => {
    running.resolve();
    try {
      await ctx.sleep(10_000);
    } catch (error) {
      abortReason = error;
    }
  });
  scheduler.start();
  await clock.advance(0);
  await running.promise;
  await Promise.all([scheduler.terminate(), scheduler.stop(), scheduler.terminate()]);
  assert.equal((abortReason as { name?: string }).name, 'AbortError');
  assert.equal(scheduler.state, 'stopped');
});

test('stop with nothing running resolves at once; describe() is JSON with null for "none"', async () => {
  const { scheduler } = manualScheduler();
  scheduler.schedulePeriodic({ name: 'p', periodMs: 10, isolated: true }, () => undefined);
  scheduler.scheduleCron({ name: 'c', cron: '0 0 * * *', timezone: 'UTC' }, () => undefined);
  const before = scheduler.describe();
  assert.equal(before.state, 'created');
  assert.equal(before.tasks[0]?.state, 'idle');
  assert.equal(before.tasks[0]?.isolated, true);
  assert.equal(before.maxConcurrency, null);
  const json = JSON.parse(JSON.stringify(before)) as typeof before;
  assert.deepEqual(json, before);
  scheduler.start();
  await scheduler.stop();
  assert.equal(scheduler.describe().tasks[0]?.state, 'stopped');
  assert.equal(scheduler.describe().tasks[0]?.nextRunAt, null);
  assert.match(scheduler.dumpState(), /p \[periodic NORMAL isolated\] stopped every 10ms/);
});

test('isolated sources appear in describe() marked isolated; a throwing source is skipped', () => {
  const { scheduler } = manualScheduler();
  const local = scheduler.schedulePeriodic({ name: 'local', periodMs: 10 }, () => undefined);
  const detach = scheduler.addIsolatedSource({
    isolatedTasks: () => [{ ...scheduler.describe().tasks[0]!, name: 'ft.sample', isolated: false }],
  });
  scheduler.addIsolatedSource({
    isolatedTasks: () => {
      throw new Error('worker gone');
    },
  });
  const names = scheduler.describe().tasks.map((t) => `${t.name}:${t.isolated}`);
  assert.deepEqual(names, ['local:false', 'ft.sample:true']);
  detach();
  assert.equal(scheduler.describe().tasks.length, 1);
  local.cancel();
});

test('sleep and yieldControl run on the scheduler; an aborted sleep rejects', async () => {
  const { clock, scheduler } = manualScheduler();
  let woke = -1;
  void scheduler.sleep(15).then(() => {
    woke = clock.now();
  });
  await clock.advance(20);
  assert.equal(woke, 15);
  const controller = new AbortController();
  const sleeping = scheduler.sleep(100, controller.signal);
  controller.abort();
  await assert.rejects(sleeping, { name: 'AbortError' });
  await assert.rejects(scheduler.sleep(1, controller.signal), { name: 'AbortError' });
  await scheduler.yieldControl();
});

test('real timers: a 5 ms loop runs about 40 times in 200 ms without drift (generous bounds)', async () => {
  const scheduler = new Scheduler();
  const starts: number[] = [];
  const handle = scheduler.schedulePeriodic({ name: 'real', periodMs: 5 }, (ctx) => {
    starts.push(ctx.scheduledAt);
  });
  scheduler.start();
  await new Promise((resolve) => setTimeout(resolve, 200));
  await scheduler.stop();
  assert.ok(starts.length >= 20 && starts.length <= 42, `runs: ${starts.length}`);
  // scheduled times stay on the grid whatever the lateness
  const t0 = starts[0]!;
  starts.forEach((at, k) => assert.ok(Math.abs(at - (t0 + k * 5)) < 1e-6 || handle.stats.skipped > 0));
  assert.ok(handle.stats.jitterMs.max >= 0 && handle.stats.jitterMs.max < 200);
});
