/**
 * The worker's precise sleeper (runtime/precise-sleeper.ts) reads the clock a few dozen times per
 * release, not on every spin iteration: on Node 20 each read allocates, and a clock-polling spin
 * is a GC pause waiting to land in the final approach. A read counter, no timing asserted; a
 * clock that jumps once stands in for a chunk during which the thread was descheduled (the rate
 * it measured used to stick, turning the spin into clock polling for good).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PreciseSleeper } from '../../src/workers/runtime/precise-sleeper.js';

test('the spin reads the clock a few dozen times per release, also after a chunk that looked preempted (no latch into polling)', () => {
  let reads = 0;
  let preemptAt = -1;
  let skewMs = 0;
  const now = (): number => {
    reads++;
    // one chunk of spinning "took" 0.4 ms more than it did, as if the thread was descheduled meanwhile
    if (reads === preemptAt) skewMs += 0.4;
    return performance.now() + skewMs;
  };
  const sleeper = new PreciseSleeper(now, 0.12);
  const start = performance.now() + 1;
  const perRelease: number[] = [];
  for (let k = 0; k < 300; k++) {
    reads = 0;
    preemptAt = k === 20 ? 3 : -1; // the first chunk after the wait
    const reached = sleeper.waitUntil(start + k);
    perRelease.push(reads);
    assert.ok(reached >= start + k, 'never returns early');
  }
  const steady = perRelease.slice(50).sort((a, b) => a - b);
  const median = steady[Math.floor(steady.length / 2)]!;
  // a clock-polling spin over the 0.12 ms margin takes several hundred reads
  assert.ok(median < 80, `median ${median} clock reads per release`);
});

test('a release already due returns at once with the reading that saw it', () => {
  const sleeper = new PreciseSleeper(() => performance.now(), 0.12);
  const due = performance.now() - 5;
  const reached = sleeper.waitUntil(due);
  assert.ok(reached >= due);
});
