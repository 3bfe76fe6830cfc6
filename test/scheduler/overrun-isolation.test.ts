// Reliability plan B13 (repeated overrun): a task whose runs take longer than its period is
// counted and throttled, signals backpressure, and does not take the neighbours' slots: with
// overrun 'skip' it never holds more than one of the scheduler's slots, so a 1 ms neighbour keeps
// zero jitter. The twin runs the same task with overrun 'parallel', whose runs pile up and fill
// both slots: the neighbour is then delayed, which shows the measurement can see it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OverrunPolicy } from '../../src/index.js';
import { manualScheduler } from './helpers.js';

async function overrunNextToNeighbour(overrun: OverrunPolicy): Promise<{ overrunner: { overruns: number; skipped: number; runs: number }; callbacks: number; neighbourMaxJitterMs: number }> {
  const { clock, scheduler } = manualScheduler({ maxConcurrency: 2 });
  let callbacks = 0;
  const slow = scheduler.schedulePeriodic(
    { name: 'slow', periodMs: 5, overrun, backpressureAfter: 3, onBackpressure: () => callbacks++ },
    (ctx) => ctx.sleep(8), // budget 5 ms, runs 8 ms
  );
  const neighbour = scheduler.schedulePeriodic({ name: 'neighbour', periodMs: 1 }, () => undefined);
  scheduler.start();
  await clock.advance(199); // releases 0, 5, ..., 195
  const { overruns, skipped, runs } = slow.stats;
  return { overrunner: { overruns, skipped, runs }, callbacks, neighbourMaxJitterMs: neighbour.stats.jitterMs.max };
}

test("an overrunning task is counted, throttled and signals backpressure; its neighbour's jitter stays zero (B13)", async () => {
  const { overrunner, callbacks, neighbourMaxJitterMs } = await overrunNextToNeighbour('skip');
  // every other release finds the previous run going: 20 runs, 20 overruns, all skipped
  assert.equal(overrunner.runs, 20);
  assert.equal(overrunner.overruns, 20);
  assert.equal(overrunner.skipped, 20);
  assert.equal(callbacks, 1, 'one backpressure episode, signalled once');
  assert.equal(neighbourMaxJitterMs, 0);
});

test("the same task with overrun 'parallel' fills both slots and delays the neighbour (twin)", async () => {
  const { overrunner, neighbourMaxJitterMs } = await overrunNextToNeighbour('parallel');
  assert.equal(overrunner.skipped, 0);
  assert.ok(neighbourMaxJitterMs >= 1, `neighbour jitter max ${neighbourMaxJitterMs} ms`);
});
