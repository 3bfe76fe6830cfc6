import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskNonFatalError } from '../../src/errors.js';
import { manualScheduler, record } from './helpers.js';

test('TaskNonFatalError is counted and rescheduled without a task-error event', async () => {
  const { clock, scheduler } = manualScheduler();
  const errors = record(scheduler, 'task-error');
  const handle = scheduler.schedulePeriodic({ name: 'n', periodMs: 10 }, () => {
    throw new TaskNonFatalError('flaky sensor');
  });
  scheduler.start();
  await clock.advance(30);
  assert.equal(handle.stats.failed, 4);
  assert.equal(handle.stats.runs, 4);
  assert.equal(errors.length, 0);
  assert.equal(handle.state, 'scheduled');
});

test('other errors (sync throw, rejection) are counted, emitted and rescheduled; no unhandled rejection (B1, B2)', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  try {
    const { clock, scheduler } = manualScheduler();
    const errors = record(scheduler, 'task-error');
    let n = 0;
    const handle = scheduler.schedulePeriodic({ name: 'e', periodMs: 10 }, async () => {
      n++;
      if (n % 2 === 0) throw new Error('async failure');
    });
    const syncHandle = scheduler.schedulePeriodic({ name: 's', periodMs: 10 }, () => {
      throw new Error('sync failure');
    });
    scheduler.start();
    await clock.advance(30);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(handle.stats.failed, 2);
    assert.equal(handle.stats.completed, 2);
    assert.equal(syncHandle.stats.failed, 4);
    assert.equal(errors.length, 6);
    assert.ok(errors.every((e) => e.stopped === false));
    assert.deepEqual(syncHandle.stats.jitterMs.max, 0, 'the next release stays on time');
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  assert.deepEqual(unhandled, []);
});

test("onError: 'stop' stops the task after the first failure", async () => {
  const { clock, scheduler } = manualScheduler();
  const errors = record(scheduler, 'task-error');
  const handle = scheduler.schedulePeriodic({ name: 'x', periodMs: 10, onError: 'stop' }, () => {
    throw new Error('fatal');
  });
  scheduler.start();
  await clock.advance(50);
  assert.equal(handle.stats.runs, 1);
  assert.equal(handle.state, 'failed');
  assert.equal(errors[0]?.stopped, true);
});

test('a throwing event listener or onBackpressure callback does not break accounting', async () => {
  const { clock, scheduler } = manualScheduler();
  scheduler.on('deadline-miss', () => {
    throw new Error('listener bug');
  });
  const handle = scheduler.schedulePeriodic(
    {
      name: 'x',
      periodMs: 10,
      deadlineMs: 1,
      backpressureAfter: 1,
      onBackpressure: () => {
        throw new Error('callback bug');
      },
    },
    (ctx) => ctx.sleep(2),
  );
  scheduler.start();
  await clock.advance(35);
  assert.equal(handle.stats.deadlineMisses, 4);
  assert.equal(handle.stats.runs, 4);
});
