import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskDeltaTracker } from '../../src/http/telemetry/task-deltas.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { ManualClock } from '../../src/time/manual-clock.js';

test('the tasks topic reports only changed tasks, with the interval deltas and mean execution time', async () => {
  const clock = new ManualClock();
  const scheduler = new Scheduler({ clock });
  scheduler.schedulePeriodic({ name: 'fast', periodMs: 10 }, async (ctx) => ctx.sleep(2));
  scheduler.schedulePeriodic({ name: 'slow', periodMs: 1000 }, () => undefined);
  scheduler.start();
  await clock.advance(5); // both release 0s have run
  const tracker = new TaskDeltaTracker();
  const first = tracker.next(scheduler.describe());
  assert.deepEqual(first.tasks.map((t) => t.name).sort(), ['fast', 'slow'], 'everything is new at first');
  await clock.advance(100);
  const second = tracker.next(scheduler.describe());
  assert.deepEqual(second.tasks.map((t) => t.name), ['fast'], 'the slow task did not change');
  const fast = second.tasks[0]!;
  assert.ok(fast.d.runs >= 10 && fast.d.runs <= 11, String(fast.d.runs));
  assert.ok(fast.d.execMeanMs !== null && Math.abs(fast.d.execMeanMs - 2) < 0.01, String(fast.d.execMeanMs));
  const third = tracker.next(scheduler.describe());
  assert.deepEqual(third, { tasks: [], removed: [] }, 'twin: nothing changed, nothing reported');
  scheduler.get('slow').cancel();
  assert.deepEqual(tracker.next(scheduler.describe()).removed, ['slow']);
  await scheduler.stop();
});
