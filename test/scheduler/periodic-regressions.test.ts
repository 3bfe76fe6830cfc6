// The cases the random workloads of periodic-fuzz.test.ts found wrong, each as a small
// hand-checked scenario with its non-failing twin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskPriority } from '../../src/scheduler/priority.js';
import type { Run } from '../../src/scheduler/run.js';
import { manualScheduler } from './helpers.js';

/** One slot, held 0..20 by `busy`; `loop` (period 10) is released at 10 and waits for the slot. */
async function queuedBehindBusy(pauseAt: number | undefined): Promise<{ starts: number[]; runs: number }> {
  const { clock, scheduler } = manualScheduler({ maxConcurrency: 1 });
  scheduler.schedulePeriodic({ name: 'busy', periodMs: 1000, priority: TaskPriority.HIGH }, (ctx) => ctx.sleep(20));
  const starts: number[] = [];
  const loop = scheduler.schedulePeriodic({ name: 'loop', periodMs: 10, initialDelayMs: 10, priority: TaskPriority.LOW }, (ctx) => {
    starts.push(ctx.startedAt);
  });
  scheduler.start();
  await clock.advance(pauseAt ?? 15);
  if (pauseAt !== undefined) loop.pause();
  await clock.advance(40 - clock.now());
  return { starts, runs: loop.stats.runs };
}

test('pause drops a release still waiting for a slot: nothing of the task starts once pause() returned', async () => {
  assert.deepEqual(await queuedBehindBusy(12), { starts: [], runs: 0 });
});

test('unpaused, the release waiting for the slot starts when busy ends, 10 ms late (twin)', async () => {
  assert.deepEqual(await queuedBehindBusy(undefined), { starts: [20, 30, 40], runs: 3 });
});

/** `t` (period 100, queue-one) runs 0..20; at 5 it gets an override or a queued release, at 6 it is paused. */
async function pausedWithPending(pending: 'override' | 'release'): Promise<{ starts: string[]; state: string }> {
  const { clock, scheduler } = manualScheduler();
  const starts: string[] = [];
  const handle = scheduler.schedulePeriodic({ name: 't', periodMs: pending === 'override' ? 100 : 5, overrun: 'queue-one' }, async (ctx) => {
    starts.push(`${(ctx as Run).override ? 'override' : 'release'}@${clock.now()}`);
    if (clock.now() === 0) await ctx.sleep(20);
  });
  scheduler.start();
  await clock.advance(5);
  if (pending === 'override') assert.deepEqual(scheduler.runImmediately('t', { reason: 'e-stop' }), { coalesced: true });
  await clock.advance(1);
  handle.pause();
  await clock.advance(60);
  return { starts, state: handle.state };
}

test('pause keeps an accepted override coalesced behind the run in flight: it runs when that run ends', async () => {
  assert.deepEqual(await pausedWithPending('override'), { starts: ['release@0', 'override@20'], state: 'paused' });
});

test('pause drops a queue-one release pending behind the run in flight (twin)', async () => {
  assert.deepEqual(await pausedWithPending('release'), { starts: ['release@0'], state: 'paused' });
});

/** A cron every 5 s (deadline 100 ms), checked every second until its occurrence at 5000; the process stalls from 500 to `until`. */
async function cronAfterStall(until: number): Promise<{ scheduledAt: number[]; jitter: number; misses: number }> {
  const { clock, scheduler } = manualScheduler();
  const scheduledAt: number[] = [];
  const handle = scheduler.scheduleCron({ name: 'c', cron: '*/5 * * * * *', timezone: 'UTC', deadlineMs: 100 }, (ctx) => {
    scheduledAt.push(ctx.scheduledAt);
  });
  scheduler.start();
  await clock.advance(500);
  clock.stall(until - 500);
  await clock.advance(5050 - until);
  return { scheduledAt, jitter: handle.stats.jitterMs.max, misses: handle.stats.deadlineMisses };
}

test('a cron run released by a check that fired late is due at its occurrence: true jitter, no false deadline miss', async () => {
  // the check due at 1000 fires at 5020, past the occurrence at 5000: the run is 20 ms late, not 4020
  assert.deepEqual(await cronAfterStall(5020), { scheduledAt: [5000], jitter: 20, misses: 0 });
});

test('a stall that ends before the occurrence: the cron runs on time (twin)', async () => {
  assert.deepEqual(await cronAfterStall(4500), { scheduledAt: [5000], jitter: 0, misses: 0 });
});

/** A task of period 10 released at 0, 10, 20, the clock at 25; `releases` collects every scheduledAt. */
async function periodTenAt25() {
  const { clock, scheduler } = manualScheduler();
  const releases: number[] = [];
  const handle = scheduler.schedulePeriodic({ name: 'p', periodMs: 10 }, (ctx) => {
    releases.push(ctx.scheduledAt);
  });
  scheduler.start();
  await clock.advance(25);
  return { clock, handle, releases };
}

/** Period 10, released at 0, 10, 20; paused at 25; at 65 resumed and given period 7, in `order`. */
async function newPeriodAfterPause(order: 'resume, setPeriod' | 'setPeriod, resume'): Promise<number[]> {
  const { clock, handle, releases } = await periodTenAt25();
  handle.pause();
  await clock.advance(40);
  if (order === 'resume, setPeriod') {
    handle.resume();
    handle.setPeriod(7);
  } else {
    handle.setPeriod(7);
    handle.resume();
  }
  await clock.advance(20);
  return releases;
}

test('setPeriod right after resume re-anchors at the last release (20), not at a slot paused over (60)', async () => {
  assert.deepEqual(await newPeriodAfterPause('resume, setPeriod'), [0, 10, 20, 69, 76, 83]);
});

test('setPeriod while paused, then resume: the same grid from the last release (twin)', async () => {
  assert.deepEqual(await newPeriodAfterPause('setPeriod, resume'), [0, 10, 20, 69, 76, 83]);
});

/** A one-shot whose runs wait for their signal; `override` at 5 asks for a run behind the first. */
async function terminateOnce(override: boolean): Promise<{ runs: number; terminated: boolean; has: boolean }> {
  const { clock, scheduler } = manualScheduler();
  let runs = 0;
  scheduler.scheduleOnce({ name: 'o', delayMs: 0 }, async (ctx) => {
    runs++;
    if (runs === 1 && override) await ctx.sleep(10);
    else await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
  });
  scheduler.start();
  await clock.advance(5);
  if (override) assert.deepEqual(scheduler.runImmediately('o', { reason: 'again' }), { coalesced: true });
  await clock.advance(10); // the first run ended: the one-shot completed, its override runs
  const has = scheduler.has('o');
  let terminated = false;
  void scheduler.terminate().then(() => (terminated = true));
  await clock.advance(100);
  return { runs, terminated, has };
}

test("terminate aborts a completed one-shot's override still running (its name stays taken until it ends)", async () => {
  assert.deepEqual(await terminateOnce(true), { runs: 2, terminated: true, has: true });
});

test("terminate aborts a one-shot's own run still going (twin)", async () => {
  assert.deepEqual(await terminateOnce(false), { runs: 1, terminated: true, has: true });
});

/** Period 10, released at 0, 10, 20; at 25 given the `periods` in turn, before any release. */
async function newPeriods(periods: number[]): Promise<number[]> {
  const { clock, handle, releases } = await periodTenAt25();
  for (const periodMs of periods) handle.setPeriod(periodMs);
  await clock.advance(20);
  return releases;
}

test('setPeriod twice before a release: the second re-anchors at the last release (20), not at a slot of the first new grid (24)', async () => {
  assert.deepEqual(await newPeriods([4, 7]), [0, 10, 20, 27, 34, 41]);
});

test('setPeriod once: the same grid from the last release (twin)', async () => {
  assert.deepEqual(await newPeriods([7]), [0, 10, 20, 27, 34, 41]);
});

/** A completed one-shot whose override (coalesced behind its run) sleeps 1 s; `cancel` cancels the handle at 20. */
async function cancelCompletedOnce(cancel: boolean): Promise<{ runs: number; aborted: boolean; state: string }> {
  const { clock, scheduler } = manualScheduler();
  let runs = 0;
  let aborted = false;
  const once = scheduler.scheduleOnce({ name: 'o', delayMs: 0 }, async (ctx) => {
    runs++;
    if (runs === 1) return ctx.sleep(10);
    try {
      await ctx.sleep(1000); // the run's own sleep: it rejects when the run is aborted
    } catch {
      aborted = ctx.signal.aborted;
    }
  });
  scheduler.start();
  await clock.advance(5);
  scheduler.runImmediately('o', { reason: 'again' });
  await clock.advance(15); // the one-shot completed at 10; its override runs
  if (cancel) once.cancel();
  await clock.advance(1000);
  return { runs, aborted, state: once.state };
}

test("cancel on a completed one-shot aborts its override still running, as the handle's doc says", async () => {
  assert.deepEqual(await cancelCompletedOnce(true), { runs: 2, aborted: true, state: 'completed' });
});

test('not cancelled, the override runs to its end (twin)', async () => {
  assert.deepEqual(await cancelCompletedOnce(false), { runs: 2, aborted: false, state: 'completed' });
});

/** `t` (period 10, deadline 10) sleeps `execMs` in each run; the misses counted up to 35 ms. */
async function missesWhenRunsTake(execMs: number): Promise<{ misses: number; events: number }> {
  const { clock, scheduler } = manualScheduler();
  let events = 0;
  scheduler.on('deadline-miss', () => events++);
  const handle = scheduler.schedulePeriodic({ name: 't', periodMs: 10, overrun: 'parallel' }, (ctx) => ctx.sleep(execMs));
  scheduler.start();
  await clock.advance(35);
  return { misses: handle.stats.deadlineMisses, events };
}

test('a run that finishes exactly at its deadline is on time: a miss is a finish after it', async () => {
  assert.deepEqual(await missesWhenRunsTake(10), { misses: 0, events: 0 });
});

test('twin: a run that finishes a fraction of a ms after its deadline is a miss', async () => {
  assert.deepEqual(await missesWhenRunsTake(10.25), { misses: 3, events: 3 });
});
