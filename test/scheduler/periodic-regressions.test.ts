// The cases the random workloads of periodic-fuzz.test.ts found wrong, each as a small
// hand-checked scenario with its non-failing twin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskPriority } from '../../src/scheduler/priority.js';
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
