import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/time/manual-clock.js';
import { TimerQueue, type Timed } from '../../src/scheduler/timer-queue.js';

function entry(onTimer: (now: number) => void): Timed {
  return { timerAt: 0, timerIndex: -1, onTimer };
}

test('entries due together fire in scheduling order; a throwing one does not drop the others', async () => {
  const clock = new ManualClock();
  const errors: unknown[] = [];
  let batches = 0;
  const timers = new TimerQueue(clock, () => batches++, (error) => errors.push(error));
  const fired: string[] = [];
  timers.schedule(entry(() => fired.push('a')), 10);
  timers.schedule(entry(() => {
    throw new Error('bad callback');
  }), 10);
  timers.schedule(entry(() => fired.push('c')), 10);
  timers.schedule(entry(() => fired.push('d')), 20);
  await clock.advance(10);
  assert.deepEqual(fired, ['a', 'c']);
  assert.equal((errors[0] as Error).message, 'bad callback');
  assert.equal(batches, 1, 'one batch for everything due at 10');
  await clock.advance(10);
  assert.deepEqual(fired, ['a', 'c', 'd']);
});

test('re-scheduling moves an entry; cancel removes it', async () => {
  const clock = new ManualClock();
  const timers = new TimerQueue(clock, () => undefined);
  const fired: number[] = [];
  const moved = entry((now) => fired.push(now));
  const cancelled = entry((now) => fired.push(-now));
  timers.schedule(moved, 50);
  timers.schedule(cancelled, 30);
  timers.schedule(moved, 20);
  timers.cancel(cancelled);
  timers.cancel(cancelled);
  await clock.advance(100);
  assert.deepEqual(fired, [20]);
  assert.equal(timers.size, 0);
});
