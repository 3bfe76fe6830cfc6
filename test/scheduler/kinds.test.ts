import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualScheduler } from './helpers.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';

test('recurring: the next run starts delayMs after the previous one completed', async () => {
  const { clock, scheduler } = manualScheduler();
  const starts: number[] = [];
  let n = 0;
  scheduler.scheduleRecurring({ name: 'r', delayMs: 10 }, async (ctx) => {
    starts.push(ctx.startedAt);
    await ctx.sleep(++n); // 1, 2, 3 ms
  });
  scheduler.start();
  await clock.advance(40);
  assert.deepEqual(starts, [0, 11, 23, 36]);
});

test('recurring with initialDelayMs, paused and resumed', async () => {
  const { clock, scheduler } = manualScheduler();
  const starts: number[] = [];
  const handle = scheduler.scheduleRecurring({ name: 'r', delayMs: 10, initialDelayMs: 5 }, (ctx) => {
    starts.push(ctx.startedAt);
  });
  scheduler.start();
  await clock.advance(20);
  handle.pause();
  await clock.advance(30);
  handle.resume();
  await clock.advance(5);
  assert.deepEqual(starts, [5, 15, 50]);
});

test('once after a delay: runs once, then retires and frees its name', async () => {
  const { clock, scheduler } = manualScheduler();
  const starts: number[] = [];
  scheduler.start();
  const handle = scheduler.scheduleOnce({ name: 'o', delayMs: 25 }, (ctx) => {
    starts.push(ctx.startedAt);
  });
  assert.equal(handle.nextRunAt, 25);
  await clock.advance(100);
  assert.deepEqual(starts, [25]);
  assert.equal(handle.state, 'completed');
  assert.equal(scheduler.has('o'), false);
});

test('once at a wall-clock time', async () => {
  const { clock, scheduler } = manualScheduler();
  let ranAtWall = 0;
  scheduler.start();
  scheduler.scheduleOnce({ name: 'o', at: new Date(clock.wallNow() + 5000) }, () => {
    ranAtWall = clock.wallNow();
  });
  await clock.advance(4999);
  assert.equal(ranAtWall, 0);
  await clock.advance(1);
  assert.equal(ranAtWall, Date.UTC(2026, 0, 1) + 5000);
});

test('cron: fires on the wall-clock schedule (seconds field)', async () => {
  const { clock, scheduler } = manualScheduler();
  const walls: number[] = [];
  scheduler.scheduleCron({ name: 'c', cron: '*/10 * * * * *', timezone: 'UTC' }, () => {
    walls.push(clock.wallNow());
  });
  scheduler.start();
  await clock.advance(35_000);
  const base = Date.UTC(2026, 0, 1);
  assert.deepEqual(walls, [base + 10_000, base + 20_000, base + 30_000]);
});

test('cron: wall clock set forward an hour releases ONE run, no catch-up burst (C2)', async () => {
  const { clock, scheduler } = manualScheduler();
  let runs = 0;
  const handle = scheduler.scheduleCron({ name: 'c', cron: '* * * * *', timezone: 'UTC' }, () => {
    runs++;
  });
  scheduler.start();
  await clock.advance(30_000);
  clock.jumpWall(3_600_000);
  await clock.advance(2_000);
  assert.equal(runs, 1);
  await clock.advance(25_000); // before the next minute of the new wall time
  assert.equal(runs, 1);
  await clock.advance(10_000);
  assert.equal(runs, 2);
  assert.equal(handle.stats.skipped, 0);
});

test('cron: wall clock set back an hour waits for the wall time; a periodic loop is unaffected (C1)', async () => {
  const { clock, scheduler } = manualScheduler();
  let cronRuns = 0;
  scheduler.scheduleCron({ name: 'c', cron: '0 * * * * *', timezone: 'UTC' }, () => {
    cronRuns++;
  });
  const loop = scheduler.schedulePeriodic({ name: 'loop', periodMs: 1000 }, () => undefined);
  scheduler.start();
  await clock.advance(30_000);
  clock.jumpWall(-3_600_000);
  await clock.advance(10_000);
  assert.equal(cronRuns, 0, 'the minute boundary is now an hour away');
  assert.equal(loop.stats.runs, 41, 'monotonic releases are untouched');
});

test('cron without wall jumps fires exactly at each occurrence (twin: no spurious runs)', async () => {
  const { clock, scheduler } = manualScheduler();
  let runs = 0;
  scheduler.scheduleCron({ name: 'c', cron: '0 * * * * *', timezone: 'UTC' }, () => {
    runs++;
  });
  scheduler.start();
  await clock.advance(10 * 60_000);
  assert.equal(runs, 10);
});

/** Run a cron for 8 hours of the scheduler's time from `wallStartMs`; the UTC times (HH:MM) it ran at. */
async function cronRunsFrom(wallStartMs: number, cron: string, timezone: string): Promise<string[]> {
  const clock = new ManualClock({ wallStartMs });
  const scheduler = new Scheduler({ clock });
  const ranAt: string[] = [];
  scheduler.scheduleCron({ name: 'c', cron, timezone }, () => {
    ranAt.push(new Date(clock.wallNow()).toISOString().slice(11, 16));
  });
  scheduler.start();
  await clock.advance(8 * 3_600_000);
  await scheduler.terminate();
  return ranAt;
}

test('cron across daylight-saving changes: a skipped local time runs once at the change, a repeated one once; hourly keeps one run per real hour (C3)', async () => {
  // Europe/Berlin 2026: 29 March 02:00 CET -> 03:00 CEST (01:00 UTC); 25 October 03:00 CEST -> 02:00 CET (01:00 UTC)
  const springEve = Date.UTC(2026, 2, 28, 22, 0);
  const autumnEve = Date.UTC(2026, 9, 24, 22, 0);
  assert.deepEqual(await cronRunsFrom(springEve, '30 2 * * *', 'Europe/Berlin'), ['01:00'], '02:30 does not exist that night: once, at 03:00 CEST');
  assert.deepEqual(await cronRunsFrom(autumnEve, '30 2 * * *', 'Europe/Berlin'), ['00:30'], '02:30 happens twice that night: once, the first (CEST)');
  const everyHour = ['23:00', '00:00', '01:00', '02:00', '03:00', '04:00', '05:00', '06:00'];
  assert.deepEqual(await cronRunsFrom(springEve, '0 * * * *', 'Europe/Berlin'), everyHour, 'the lost hour is not made up');
  assert.deepEqual(await cronRunsFrom(autumnEve, '0 * * * *', 'Europe/Berlin'), everyHour, 'the repeated hour runs again, an hour later: no burst, no gap');
});
