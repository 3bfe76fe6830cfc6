import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerStoppedError } from '../../src/errors.js';
import { TaskPriority } from '../../src/scheduler/priority.js';
import { deferred, manualScheduler, record } from './helpers.js';

test('runImmediately starts the task now, ahead of the queue and beyond the concurrency bound', async () => {
  const { clock, scheduler } = manualScheduler({ maxConcurrency: 1 });
  const events = record(scheduler, 'safety-override');
  const starts: string[] = [];
  scheduler.schedulePeriodic({ name: 'busy', periodMs: 100, priority: TaskPriority.REALTIME }, async (ctx) => {
    starts.push(`busy@${clock.now()}`);
    await ctx.sleep(50);
  });
  scheduler.schedulePeriodic({ name: 'estop', periodMs: 1000, priority: TaskPriority.IDLE, initialDelayMs: 500 }, () => {
    starts.push(`estop@${clock.now()}`);
  });
  scheduler.start();
  await clock.advance(10);
  const result = scheduler.runImmediately('estop', { reason: 'operator pressed e-stop', principal: 'alice' });
  assert.deepEqual(result, { coalesced: false });
  assert.deepEqual(starts, ['busy@0', 'estop@10'], 'started synchronously, while busy holds the only slot');
  assert.equal(events.length, 1);
  assert.deepEqual(events[0], { name: 'estop', reason: 'operator pressed e-stop', principal: 'alice', at: 10, wallAt: clock.wallNow(), coalesced: false });
  await clock.advance(550);
  // the grid is unchanged: released at 500, it waits behind the REALTIME run released with it
  assert.deepEqual(starts.filter((s) => s.startsWith('estop')), ['estop@10', 'estop@550']);
});

test('runImmediately while the task runs is coalesced into one immediate re-run, never two at once (B8)', async () => {
  const { clock, scheduler } = manualScheduler();
  const running = deferred();
  let concurrent = 0;
  let maxConcurrent = 0;
  let runs = 0;
  scheduler.schedulePeriodic({ name: 'stop-seq', periodMs: 1000 }, async (ctx) => {
    runs++;
    concurrent++;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    running.resolve();
    await ctx.sleep(20);
    concurrent--;
  });
  scheduler.start();
  await clock.advance(0);
  await running.promise;
  assert.deepEqual(scheduler.runImmediately('stop-seq', { reason: 'a' }), { coalesced: true });
  assert.deepEqual(scheduler.runImmediately('stop-seq', { reason: 'b' }), { coalesced: true });
  await clock.advance(100);
  assert.equal(maxConcurrent, 1);
  assert.equal(runs, 2, 'two overrides during one run make one re-run');
});

test('runImmediately rejects unknown and cancelled tasks and a missing reason, changing nothing (B9)', async () => {
  const { clock, scheduler } = manualScheduler();
  const events = record(scheduler, 'safety-override');
  const handle = scheduler.schedulePeriodic({ name: 't', periodMs: 10 }, () => undefined);
  scheduler.start();
  await clock.advance(0);
  assert.throws(() => scheduler.runImmediately('nope', { reason: 'x' }), { code: 'ERR_TACTUS_UNKNOWN_TASK' });
  assert.throws(() => scheduler.runImmediately('t', { reason: '  ' }), { code: 'ERR_TACTUS_INVALID_CONFIG' });
  assert.throws(() => scheduler.runImmediately('t', {} as never), /reason/);
  const runs = handle.stats.runs;
  assert.equal(runs, 1);
  handle.pause();
  scheduler.runImmediately('t', { reason: 'paused tasks may still be overridden' });
  assert.equal(handle.stats.runs, 2);
  handle.cancel();
  assert.throws(() => scheduler.runImmediately('t', { reason: 'x' }), { code: 'ERR_TACTUS_UNKNOWN_TASK' });
  assert.equal(events.length, 1);
});

test('an override of a task that failed with onError stop is refused as cancelled (409 material)', async () => {
  const { clock, scheduler } = manualScheduler();
  scheduler.schedulePeriodic({ name: 'f', periodMs: 10, onError: 'stop' }, () => {
    throw new Error('boom');
  });
  scheduler.start();
  await clock.advance(0);
  assert.equal(scheduler.get('f').state, 'failed');
  assert.throws(() => scheduler.runImmediately('f', { reason: 'x' }), { code: 'ERR_TACTUS_TASK_CANCELLED' });
});

test('runImmediately while the scheduler stops is refused as stopped, not as cancelled (its tasks are halted by the stop; twin: the onError stop case above)', async () => {
  const { clock, scheduler } = manualScheduler();
  scheduler.schedulePeriodic({ name: 'slow', periodMs: 10 }, (ctx) => ctx.sleep(50));
  scheduler.start();
  await clock.advance(1);
  const stopped = scheduler.stop();
  assert.throws(() => scheduler.runImmediately('slow', { reason: 'operator' }), SchedulerStoppedError);
  await clock.advance(100);
  await stopped;
});

