import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskPriority } from '../../src/scheduler/priority.js';
import { deferred, manualScheduler, record } from './helpers.js';

test('release k happens at t0 + k * periodMs, for every k, without drift', async () => {
  const { clock, scheduler } = manualScheduler();
  const scheduled: number[] = [];
  const handle = scheduler.schedulePeriodic({ name: 'loop', periodMs: 7.5 }, (ctx) => {
    scheduled.push(ctx.scheduledAt);
    assert.equal(ctx.startedAt, ctx.scheduledAt);
  });
  await clock.advance(3);
  assert.deepEqual(scheduled, [], 'nothing runs before start()');
  scheduler.start();
  await clock.advance(1000);
  assert.equal(scheduled.length, Math.floor(1000 / 7.5) + 1);
  scheduled.forEach((at, k) => assert.equal(at, 3 + k * 7.5));
  assert.equal(handle.stats.runs, scheduled.length);
  assert.equal(handle.stats.jitterMs.max, 0);
  assert.equal(handle.nextRunAt, 3 + scheduled.length * 7.5);
  await scheduler.stop();
});

test('a slow body does not shift later releases (fixed rate, not now + period)', async () => {
  const { clock, scheduler } = manualScheduler();
  const starts: number[] = [];
  scheduler.schedulePeriodic({ name: 'slow', periodMs: 10 }, async (ctx) => {
    starts.push(ctx.startedAt);
    await ctx.sleep(6);
  });
  scheduler.start();
  await clock.advance(50);
  assert.deepEqual(starts, [0, 10, 20, 30, 40, 50]);
});

test('jitter, execution time and deadline miss are measured per run', async () => {
  const { clock, scheduler } = manualScheduler();
  const misses = record(scheduler, 'deadline-miss');
  const warnings = record(scheduler, 'jitter-warning');
  let run = 0;
  const handle = scheduler.schedulePeriodic({ name: 'm', periodMs: 10, deadlineMs: 5, maxJitterMs: 1 }, async (ctx) => {
    run++;
    await ctx.sleep(run === 2 ? 7 : 2); // run 2 finishes 2 ms after its deadline
  });
  scheduler.start();
  await clock.advance(29);
  const stats = handle.stats;
  assert.equal(stats.runs, 3);
  assert.equal(stats.completed, 3);
  assert.equal(stats.deadlineMisses, 1);
  assert.equal(misses.length, 1);
  assert.deepEqual(misses[0], { name: 'm', scheduledAt: 10, deadline: 15, finishedAt: undefined, lateMs: 0 });
  assert.equal(warnings.length, 0, 'no jitter under the manual clock');
  assert.equal(stats.execMs.max, 7);
  assert.equal(stats.totalExecMs, 11);
  assert.equal(stats.consecutiveMisses, 0, 'reset by the clean run 3');
});

test('a late start raises a jitter warning; on-time starts do not (twin)', async () => {
  const { clock, scheduler } = manualScheduler();
  const warnings = record(scheduler, 'jitter-warning');
  const handle = scheduler.schedulePeriodic({ name: 'j', periodMs: 10, maxJitterMs: 2 }, () => undefined);
  scheduler.start();
  await clock.advance(20);
  assert.equal(warnings.length, 0);
  await clock.advance(9);
  clock.stall(4); // the event loop was blocked past release 3 (due at 30)
  await clock.advance(0);
  assert.equal(warnings.length, 1);
  assert.deepEqual(warnings[0], { name: 'j', scheduledAt: 30, startedAt: 33, jitterMs: 3, maxJitterMs: 2 });
  assert.equal(handle.stats.jitterWarnings, 1);
  assert.equal(handle.stats.jitterMs.max, 3);
});

test('a hung run: miss flagged at its deadline, no stacking, releases skipped (B3)', async () => {
  const { clock, scheduler } = manualScheduler();
  const misses = record(scheduler, 'deadline-miss');
  const overruns = record(scheduler, 'overrun');
  let concurrent = 0;
  let maxConcurrent = 0;
  const handle = scheduler.schedulePeriodic({ name: 'hang', periodMs: 10, deadlineMs: 8 }, () => {
    concurrent++;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    return new Promise(() => {});
  });
  scheduler.start();
  await clock.advance(7);
  assert.equal(misses.length, 0);
  await clock.advance(1);
  assert.equal(misses.length, 1, 'flagged exactly at scheduledAt + deadline');
  assert.equal(misses[0]?.finishedAt, undefined);
  await clock.advance(42);
  assert.equal(maxConcurrent, 1);
  assert.equal(handle.stats.skipped, 5);
  assert.equal(handle.stats.overruns, 5);
  assert.equal(overruns.length, 5);
  assert.ok(overruns.every((e) => e.action === 'skipped'));
  assert.equal(handle.stats.deadlineMisses, 1);
});

test("overrun 'queue-one' runs one late release after the slow run; further ones are skipped", async () => {
  const { clock, scheduler } = manualScheduler();
  const starts: number[] = [];
  const handle = scheduler.schedulePeriodic({ name: 'q', periodMs: 10, overrun: 'queue-one' }, async (ctx) => {
    starts.push(ctx.startedAt);
    if (starts.length === 1) await ctx.sleep(25);
  });
  scheduler.start();
  await clock.advance(35);
  // run 0 took 0..25; releases at 10 (queued) and 20 (skipped); the queued one starts at 25
  assert.deepEqual(starts, [0, 25, 30]);
  assert.equal(handle.stats.overruns, 2);
  assert.equal(handle.stats.skipped, 1);
  assert.equal(handle.stats.jitterMs.max, 15);
});

test("overrun 'parallel' starts a second run while the first is going", async () => {
  const { clock, scheduler } = manualScheduler();
  let concurrent = 0;
  let maxConcurrent = 0;
  const handle = scheduler.schedulePeriodic({ name: 'p', periodMs: 10, overrun: 'parallel' }, async (ctx) => {
    concurrent++;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    await ctx.sleep(25);
    concurrent--;
  });
  scheduler.start();
  await clock.advance(60);
  assert.equal(maxConcurrent, 3);
  assert.equal(handle.stats.skipped, 0);
  assert.ok(handle.stats.overruns > 0);
});

test('a blocked loop is not caught up in a burst: one run, the missed slots counted as skipped (C4)', async () => {
  const { clock, scheduler } = manualScheduler();
  const starts: number[] = [];
  const handle = scheduler.schedulePeriodic({ name: 'b', periodMs: 10 }, (ctx) => {
    starts.push(ctx.scheduledAt);
  });
  scheduler.start();
  await clock.advance(5); // run 0 at 0
  clock.stall(500); // blocked until 505
  await clock.advance(0);
  assert.deepEqual(starts, [0, 10], 'one run on resume, with its true scheduled time');
  assert.equal(handle.stats.jitterMs.max, 495);
  assert.equal(handle.stats.skipped, 49, 'slots 20..500 coalesced');
  await clock.advance(10);
  assert.deepEqual(starts, [0, 10, 510], 'back on the original grid');
});

test('a coarse timer that is late by less than two periods costs no runs (twin of the coalescing test)', async () => {
  const { clock, scheduler } = manualScheduler();
  const starts: number[] = [];
  const handle = scheduler.schedulePeriodic({ name: 'c', periodMs: 1 }, (ctx) => {
    starts.push(ctx.scheduledAt);
  });
  scheduler.start();
  await clock.advance(0);
  for (let i = 0; i < 20; i++) {
    clock.stall(1.9); // wake 0.9 ms late every time
    await clock.advance(0);
  }
  assert.equal(handle.stats.skipped, 0);
  assert.deepEqual(starts, starts.map((_, k) => k));
});

test('a 1 ms loop catches up after a stall inside the 10 ms window; beyond it the slots are coalesced', async () => {
  const { clock, scheduler } = manualScheduler();
  const starts: number[] = [];
  const handle = scheduler.schedulePeriodic({ name: 'fast', periodMs: 1 }, (ctx) => {
    starts.push(ctx.scheduledAt);
  });
  scheduler.start();
  await clock.advance(0.5); // run 0
  clock.stall(5); // now 5.5: releases 1..5 are due
  await clock.advance(0);
  assert.deepEqual(starts, [0, 1, 2, 3, 4, 5], 'caught up, one run per slot');
  assert.equal(handle.stats.skipped, 0);
  clock.stall(20); // now 25.5: release 6 is 19.5 ms late, past the window
  await clock.advance(0);
  assert.deepEqual(starts.slice(6), [6], 'one run, then back on the grid ahead');
  assert.equal(handle.stats.skipped, 19);
  await clock.advance(1);
  assert.deepEqual(starts.slice(6), [6, 26]);
});

test('runs due together start in priority order', async () => {
  const { clock, scheduler } = manualScheduler({ maxConcurrency: 1 });
  const order: string[] = [];
  for (const [name, priority] of [['low', TaskPriority.LOW], ['urgent', TaskPriority.REALTIME], ['normal', TaskPriority.NORMAL]] as const) {
    scheduler.schedulePeriodic({ name, periodMs: 1000, priority }, async (ctx) => {
      order.push(name);
      await ctx.sleep(10);
    });
  }
  scheduler.start();
  await clock.advance(30);
  assert.deepEqual(order, ['urgent', 'normal', 'low']);
});

/** A REALTIME loop whose runs (60 ms) outlast its period (50 ms) keeps the single slot busy forever. */
async function saturate(agingStepMs: number): Promise<number[]> {
  const { clock, scheduler } = manualScheduler({ maxConcurrency: 1, agingStepMs });
  const lowStarts: number[] = [];
  scheduler.schedulePeriodic({ name: 'low', periodMs: 5000, priority: TaskPriority.LOW }, () => {
    lowStarts.push(clock.now());
  });
  scheduler.schedulePeriodic({ name: 'urgent', periodMs: 50, priority: TaskPriority.REALTIME, overrun: 'parallel' }, (ctx) =>
    ctx.sleep(60),
  );
  scheduler.start();
  await clock.advance(2000);
  return lowStarts;
}

test('aging lets a long-waiting low-priority run beat fresh urgent work (B11)', async () => {
  // LOW (4 classes behind) waits from 0; at 100 ms per class it sorts as if released at 400.
  // Urgent runs start every 60 ms and fall behind their 50 ms releases: the head of the queue is
  // released after 400 ms by the start at 540 ms.
  assert.deepEqual(await saturate(100), [540]);
});

test('without aging, strict priority lets the saturating urgent loop starve the low run (twin)', async () => {
  assert.deepEqual(await saturate(Number.POSITIVE_INFINITY), []);
});

test('pause stops releases, resume keeps the phase without catch-up; setPeriod re-anchors at the last release', async () => {
  const { clock, scheduler } = manualScheduler();
  const starts: number[] = [];
  const handle = scheduler.schedulePeriodic({ name: 'p', periodMs: 10 }, (ctx) => {
    starts.push(ctx.scheduledAt);
  });
  scheduler.start();
  await clock.advance(25);
  handle.pause();
  assert.equal(handle.state, 'paused');
  assert.equal(handle.nextRunAt, undefined);
  await clock.advance(40); // 65
  handle.resume();
  await clock.advance(20); // 85
  assert.deepEqual(starts, [0, 10, 20, 70, 80]);
  assert.equal(handle.stats.skipped, 0, 'paused releases are not skipped releases');
  handle.setPeriod(4);
  await clock.advance(10); // 95
  assert.deepEqual(starts, [0, 10, 20, 70, 80, 88, 92]);
  assert.equal(handle.stats.deadlineMisses, 0);
});

test('cancel: no further releases, a running run is aborted, stats freeze, idempotent (B10)', async () => {
  const { clock, scheduler } = manualScheduler();
  const running = deferred();
  let aborted = false;
  const handle = scheduler.schedulePeriodic({ name: 'x', periodMs: 10 }, async (ctx) => {
    ctx.signal.addEventListener('abort', () => {
      aborted = true;
    });
    running.resolve();
    await ctx.sleep(5).catch(() => undefined);
  });
  scheduler.start();
  await clock.advance(0);
  await running.promise;
  const before = handle.stats;
  handle.cancel();
  handle.cancel();
  assert.equal(aborted, true);
  await clock.advance(100);
  assert.deepEqual(handle.stats, before);
  assert.equal(handle.state, 'cancelled');
  assert.equal(scheduler.has('x'), false, 'the name is free again');
  scheduler.schedulePeriodic({ name: 'x', periodMs: 10 }, () => undefined);
});

test('backpressure after N consecutive bad releases, once per episode, with exec vs period', async () => {
  const { clock, scheduler } = manualScheduler();
  const events = record(scheduler, 'backpressure');
  const calls: unknown[] = [];
  let slow = true;
  const handle = scheduler.schedulePeriodic(
    { name: 'bp', periodMs: 10, backpressureAfter: 3, onBackpressure: (info) => calls.push(info) },
    async (ctx) => {
      await ctx.sleep(slow ? 12 : 1);
    },
  );
  scheduler.start();
  // run 0 (0-12) misses its deadline at 10 (1), release 10 is skipped (2), run 1 (20-32) misses at 30 (3)
  await clock.advance(49);
  assert.equal(calls.length, 1);
  assert.equal(events.length, 1);
  assert.deepEqual(calls[0], { name: 'bp', consecutive: 3, periodMs: 10, lastExecMs: 12, meanExecMs: 12, at: 30 });
  await clock.advance(40);
  assert.equal(calls.length, 1, 'not repeated within the episode');
  slow = false;
  await clock.advance(60);
  assert.equal(handle.stats.consecutiveMisses, 0);
  slow = true;
  await clock.advance(60);
  assert.equal(calls.length, 2, 'a new episode signals again');
});

test('no backpressure when runs keep their deadlines (twin)', async () => {
  const { clock, scheduler } = manualScheduler();
  const events = record(scheduler, 'backpressure');
  scheduler.schedulePeriodic({ name: 'ok', periodMs: 10, backpressureAfter: 1 }, (ctx) => ctx.sleep(9));
  scheduler.start();
  await clock.advance(500);
  assert.equal(events.length, 0);
});

test('abortOnDeadline aborts the run signal when its deadline passes', async () => {
  const { clock, scheduler } = manualScheduler();
  let reason: unknown;
  scheduler.schedulePeriodic({ name: 'a', periodMs: 10, deadlineMs: 5, abortOnDeadline: true }, async (ctx) => {
    await ctx.sleep(50).catch(() => {
      reason = ctx.signal.reason;
    });
  });
  scheduler.start();
  await clock.advance(5);
  assert.equal((reason as { code?: string }).code, 'ERR_TACTUS_DEADLINE_EXCEEDED');
});

test('a context reused after a synchronous run describes the new run; an asynchronous run keeps its own', async () => {
  const { clock, scheduler } = manualScheduler();
  const seen: { scheduledAt: number; startedAt: number; deadline: number; aborted: boolean }[] = [];
  let signalAsked = false;
  scheduler.schedulePeriodic({ name: 'sync', periodMs: 10, deadlineMs: 4 }, (ctx) => {
    seen.push({ scheduledAt: ctx.scheduledAt, startedAt: ctx.startedAt, deadline: ctx.deadline, aborted: ctx.signal.aborted });
    signalAsked = true;
    if (ctx.scheduledAt === 10) throw new Error('counted, and the context is still reused');
  });
  const held: { ctx: { scheduledAt: number; deadline: number }; at: number }[] = [];
  let release: (() => void) | undefined;
  scheduler.schedulePeriodic({ name: 'async', periodMs: 10, overrun: 'parallel' }, async (ctx) => {
    held.push({ ctx, at: ctx.scheduledAt });
    if (ctx.scheduledAt === 0) await new Promise<void>((resolve) => (release = resolve));
  });
  scheduler.start();
  await clock.advance(30);
  assert.deepEqual(
    seen,
    [0, 10, 20, 30].map((at) => ({ scheduledAt: at, startedAt: at, deadline: at + 4, aborted: false })),
  );
  assert.equal(signalAsked, true);
  // the first async run is still going: its context was not handed to the later runs
  assert.equal(held[0]!.ctx.scheduledAt, 0);
  assert.equal(held[0]!.ctx.deadline, 10);
  assert.notEqual(held[1]!.ctx, held[0]!.ctx);
  held.forEach(({ ctx, at }) => assert.equal(ctx.scheduledAt, at));
  release?.();
  await clock.advance(10);
  assert.equal(held[0]!.ctx.scheduledAt, 0, 'a context that went asynchronous is never reused');
  await scheduler.stop();
});
