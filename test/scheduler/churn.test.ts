/**
 * Register/cancel churn (reliability plan G2) on the real clock: 100,000 periodic tasks, each
 * registered and cancelled, leave no timers, no names, no heap and no histogram pages behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { manualScheduler } from './helpers.js';

const CYCLES = 100_000;
const MB = 2 ** 20;

const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind === 'Immediate').length;
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Collect and let the FinalizationRegistry callbacks (histogram ids going back to the arena) run. */
async function settle(gc: () => void): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function churn(scheduler: Scheduler, from: number, count: number): Promise<void> {
  const body = (): void => {};
  for (let i = from; i < from + count; i++) {
    scheduler.schedulePeriodic({ name: `churn-${i}`, periodMs: 1000 + (i % 100) }, body).cancel();
    if (i % 1000 === 0) await turn(); // an application's event loop turns now and then
  }
}

test('100,000 periodic tasks registered and cancelled leave no timers, names, heap or histogram pages behind (G2)', async (t) => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const scheduler = new Scheduler();
  t.after(() => scheduler.terminate());
  scheduler.start();
  const timersBefore = timers();
  await churn(scheduler, -10_000, 10_000); // warm-up: compiled code, the arena's first pages
  await settle(gc);
  const before = process.memoryUsage();
  await churn(scheduler, 0, CYCLES);
  await settle(gc);
  const after = process.memoryUsage();
  assert.equal(scheduler.describe().tasks.length, 0);
  assert.ok(timers() <= timersBefore, `timers ${timersBefore} -> ${timers()}`);
  const heapMb = (after.heapUsed - before.heapUsed) / MB;
  const arrayBuffersMb = (after.arrayBuffers - before.arrayBuffers) / MB;
  // a leaked task is ~1 KB of heap (100 MB in all); leaked histogram ids are 2 x 2 KB of counters each (400 MB)
  assert.ok(heapMb < 8, `heap grew ${heapMb.toFixed(1)} MB`);
  assert.ok(arrayBuffersMb < 16, `histogram pages grew ${arrayBuffersMb.toFixed(1)} MB`);
  const timersAfter = timers();
  const again = scheduler.schedulePeriodic({ name: 'churn-0', periodMs: 1000 }, () => {});
  assert.equal(again.name, 'churn-0', 'a cancelled task gives its name back');
  t.diagnostic(`cycles=${CYCLES} heap_delta_mb=${heapMb.toFixed(2)} array_buffers_delta_mb=${arrayBuffersMb.toFixed(2)} timers_before=${timersBefore} timers_after=${timersAfter}`);
});

test("a cancelled task's stats stay its own after its histograms went to a new task; a live task keeps counting (twin)", async () => {
  const { clock, scheduler } = manualScheduler();
  const work = (ms: number) => async (ctx: { sleep(ms: number): Promise<void> }): Promise<void> => ctx.sleep(ms);
  const gone = scheduler.schedulePeriodic({ name: 'gone', periodMs: 10 }, work(3));
  const live = scheduler.schedulePeriodic({ name: 'live', periodMs: 10 }, work(1));
  scheduler.start();
  await clock.advance(25); // runs at 0, 10, 20
  gone.cancel();
  const frozen = gone.stats;
  assert.equal(frozen.runs, 3);
  assert.equal(frozen.execMs.max, 3);
  const next = scheduler.schedulePeriodic({ name: 'next', periodMs: 10 }, work(7)); // takes the freed histograms
  await clock.advance(30);
  assert.deepEqual(gone.stats, frozen, 'unchanged by the task that took its histograms');
  assert.equal(next.stats.runs, 4); // released at 25, 35, 45, 55; three of them finished
  assert.equal(next.stats.execMs.p50, 7, 'the new task starts from empty histograms');
  assert.equal(next.stats.totalExecMs, 21);
  assert.equal(live.stats.runs, 6, 'the live task kept counting');
  assert.equal(live.stats.totalExecMs, 6);
});
