// Real-timer tests: generous lower and upper bounds only; the benchmarks measure precision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { PreciseAlarm } from '../../src/time/precise-alarm.js';
import { SystemClock } from '../../src/time/system-clock.js';

const now = (): number => performance.now();

function wakeAfter(precision: 'coarse' | 'precise', delayMs: number): Promise<{ lateMs: number }> {
  return new Promise((resolve) => {
    const target = now() + delayMs;
    const alarm = new PreciseAlarm(now, () => resolve({ lateMs: now() - target }), { precision });
    alarm.arm(target);
  });
}

for (const precision of ['coarse', 'precise'] as const) {
  test(`${precision}: never wakes early, and wakes within generous bounds`, async () => {
    for (const delay of [0, 1, 5, 20]) {
      const { lateMs } = await wakeAfter(precision, delay);
      assert.ok(lateMs >= 0, `woke ${-lateMs} ms early for a ${delay} ms wait`);
      assert.ok(lateMs < 200, `woke ${lateMs} ms late for a ${delay} ms wait`);
    }
  });
}

test('re-arming replaces the earlier deadline and disarm cancels', async () => {
  let wakes = 0;
  const alarm = new PreciseAlarm(now, () => wakes++, { precision: 'coarse' });
  alarm.arm(now() + 5);
  alarm.arm(now() + 30);
  assert.equal(alarm.armed, true);
  await new Promise((resolve) => setTimeout(resolve, 15));
  assert.equal(wakes, 0);
  alarm.disarm();
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.equal(wakes, 0);
  assert.equal(alarm.armed, false);
});

test('a wait longer than the chunk is re-armed in chunks (observed through the timer delay)', async () => {
  const delays: number[] = [];
  const original = globalThis.setTimeout;
  // observe (not replace) the delays the alarm asks for
  globalThis.setTimeout = ((fn: () => void, ms: number) => {
    delays.push(ms);
    return original(fn, ms);
  }) as typeof setTimeout;
  try {
    const alarm = new PreciseAlarm(now, () => undefined, { precision: 'coarse', ref: false });
    alarm.arm(now() + 90_000);
    alarm.disarm();
  } finally {
    globalThis.setTimeout = original;
  }
  assert.deepEqual(delays, [30_000]);
});

test('SystemClock: monotonic now, wall time near Date.now, precision passed to its alarms', async () => {
  const clock = new SystemClock({ precision: 'precise' });
  const a = clock.now();
  const b = clock.now();
  assert.ok(b >= a);
  assert.ok(Math.abs(clock.wallNow() - Date.now()) < 50);
  assert.equal(clock.precision, 'precise');
  const lateMs = await new Promise<number>((resolve) => {
    const target = clock.now() + 3;
    clock.createAlarm(() => resolve(clock.now() - target)).arm(target);
  });
  assert.ok(lateMs >= 0 && lateMs < 200);
});

test('precise: the final approach allocates nothing, so no collection lands in it (300 wakes spinning 1 ms each)', async () => {
  // measured before: a spin polling process.hrtime() made 600 MB/s of garbage, a scavenge every 11 ms
  let woke = (): void => {};
  const alarm = new PreciseAlarm(now, () => woke(), { precision: 'precise', spinMarginMs: 1.5 });
  const wake = (): Promise<void> =>
    new Promise<void>((resolve) => {
      woke = resolve;
      alarm.arm(now() + 1); // inside the margin: the whole wait is the final approach
    });
  for (let k = 0; k < 50; k++) await wake(); // compiled code first
  let collections = 0;
  const observer = new PerformanceObserver((list) => {
    collections += list.getEntries().length;
  });
  observer.observe({ entryTypes: ['gc'] });
  for (let k = 0; k < 300; k++) await wake();
  await new Promise((resolve) => setImmediate(resolve)); // observer entries arrive in a later task
  observer.disconnect();
  assert.ok(collections <= 3, `${collections} collections during 300 ms of spinning`);
});
