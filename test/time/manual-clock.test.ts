import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/time/manual-clock.js';

test('advance fires due alarms in time order, at their due time, and settles promises between them', async () => {
  const clock = new ManualClock();
  const log: string[] = [];
  const late = clock.createAlarm(() => log.push(`late@${clock.now()}`));
  const early = clock.createAlarm(() => {
    log.push(`early@${clock.now()}`);
    void Promise.resolve().then(() => log.push(`early-microtask@${clock.now()}`));
  });
  late.arm(30);
  early.arm(10);
  await clock.advance(20);
  assert.deepEqual(log, ['early@10', 'early-microtask@10']);
  assert.equal(clock.now(), 20);
  await clock.advance(20);
  assert.deepEqual(log, ['early@10', 'early-microtask@10', 'late@30']);
  assert.equal(clock.now(), 40);
});

test('an alarm re-armed from its own callback fires again within the same advance', async () => {
  const clock = new ManualClock();
  const fired: number[] = [];
  const alarm = clock.createAlarm(() => {
    fired.push(clock.now());
    if (fired.length < 5) alarm.arm(clock.now() + 10);
  });
  alarm.arm(10);
  await clock.advance(100);
  assert.deepEqual(fired, [10, 20, 30, 40, 50]);
});

test('disarm cancels; same-instant alarms fire in arming order', async () => {
  const clock = new ManualClock();
  const log: string[] = [];
  const a = clock.createAlarm(() => log.push('a'));
  const b = clock.createAlarm(() => log.push('b'));
  const c = clock.createAlarm(() => log.push('c'));
  b.arm(5);
  a.arm(5);
  c.arm(5);
  c.disarm();
  assert.equal(c.armed, false);
  await clock.advance(5);
  assert.deepEqual(log, ['b', 'a']);
});

test('stall moves time without firing; the overdue alarm fires on the next advance', async () => {
  const clock = new ManualClock();
  let firedAt = -1;
  clock.createAlarm(() => {
    firedAt = clock.now();
  }).arm(10);
  clock.stall(500);
  assert.equal(firedAt, -1);
  await clock.advance(0);
  assert.equal(firedAt, 500);
});

test('jumpWall moves wall time only', () => {
  const clock = new ManualClock({ startMs: 100, wallStartMs: 1_000_000 });
  assert.equal(clock.wallNow(), 1_000_000);
  clock.jumpWall(-3_600_000);
  assert.equal(clock.wallNow(), 1_000_000 - 3_600_000);
  assert.equal(clock.now(), 100);
});

test('advance and stall reject bad durations', async () => {
  const clock = new ManualClock();
  await assert.rejects(clock.advance(-1), /got -1/);
  await assert.rejects(clock.advance(Number.NaN), /got NaN/);
  assert.throws(() => clock.stall(Number.POSITIVE_INFINITY), /got Infinity/);
});
