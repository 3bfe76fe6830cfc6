// Jobs that are neither running nor queued (a retry backoff, unmet dependencies) still keep the
// system from idle: the monitor reads the scheduler's count of unfinished jobs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/time/manual-clock.js';
import { Monitor } from '../../src/monitor/monitor.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';

test('no idle while a job waits out a retry backoff; idle once it has finished (twin)', async () => {
  const clock = new ManualClock();
  const scheduler = new Scheduler({ clock });
  const monitor = new Monitor({ clock, scheduler, intervalMs: 100, idleDebounceMs: 250, staleAfterMs: 86_400_000 });
  const changes: string[] = [];
  monitor.on('idle', () => changes.push(`idle@${clock.now()}`));
  scheduler.start();
  let attempts = 0;
  const job = scheduler.submit({
    name: 'upload',
    fn: () => {
      if (++attempts === 1) throw new Error('network down');
      return 'sent';
    },
    constraints: { retry: { attempts: 1, backoffMs: 2000 } },
  });
  monitor.start();
  await clock.advance(1900);
  assert.equal(scheduler.summary().live, 1);
  assert.deepEqual(changes, [], 'the backoff is work in progress');
  await clock.advance(1000);
  assert.equal(await job.result, 'sent');
  assert.equal(changes.length, 1, 'idle after the retry finished and the window passed');
  monitor.stop();
  await scheduler.stop();
});
