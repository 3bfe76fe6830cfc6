import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { manualScheduler } from './helpers.js';

const noop = (): void => undefined;

const badPeriodic: [string, Record<string, unknown>, RegExp][] = [
  ['period 0', { name: 'a', periodMs: 0 }, /periodMs.*\(got 0\)/],
  ['negative period', { name: 'a', periodMs: -5 }, /periodMs.*\(got -5\)/],
  ['NaN period', { name: 'a', periodMs: Number.NaN }, /periodMs.*\(got NaN\)/],
  ['Infinity period', { name: 'a', periodMs: Number.POSITIVE_INFINITY }, /periodMs.*\(got Infinity\)/],
  ['period above 2^31-1', { name: 'a', periodMs: 2 ** 31 }, /periodMs.*\(got 2147483648\)/],
  ['period 1e12', { name: 'a', periodMs: 1e12 }, /periodMs.*\(got 1000000000000\)/],
  ['deadline 0', { name: 'a', periodMs: 10, deadlineMs: 0 }, /deadlineMs.*\(got 0\)/],
  ['negative deadline', { name: 'a', periodMs: 10, deadlineMs: -1 }, /deadlineMs.*\(got -1\)/],
  ['deadline above period', { name: 'a', periodMs: 10, deadlineMs: 11 }, /deadlineMs: must not exceed periodMs \(got 11\)/],
  ['jitter budget above period', { name: 'a', periodMs: 10, maxJitterMs: 20 }, /maxJitterMs: must not exceed periodMs \(got 20\)/],
  ['empty name', { name: '', periodMs: 10 }, /name.*\(got ""\)/],
  ['name over 200 characters', { name: 'x'.repeat(201), periodMs: 10 }, /name/],
  ['10 kB name', { name: 'x'.repeat(10_000), periodMs: 10 }, /name/],
  ['__proto__ as a name', { name: '__proto__', periodMs: 10 }, /name: is a reserved name \(got "__proto__"\)/],
  ['constructor as a name', { name: 'constructor', periodMs: 10 }, /reserved/],
  ['name with a slash', { name: 'a/b', periodMs: 10 }, /name/],
  ['unknown overrun policy', { name: 'a', periodMs: 10, overrun: 'drop' }, /overrun.*\(got "drop"\)/],
  ['priority 7', { name: 'a', periodMs: 10, priority: 7 }, /priority.*\(got 7\)/],
  ['fractional priority', { name: 'a', periodMs: 10, priority: 1.5 }, /priority/],
  ['backpressureAfter 0', { name: 'a', periodMs: 10, backpressureAfter: 0 }, /backpressureAfter/],
  ['unknown key (typo)', { name: 'a', periodMs: 10, deadline: 5 }, /deadline/],
  ['onBackpressure not a function', { name: 'a', periodMs: 10, onBackpressure: 'x' }, /onBackpressure/],
];

for (const [what, config, message] of badPeriodic) {
  test(`schedulePeriodic rejects ${what}, and nothing is scheduled (B14)`, () => {
    const { scheduler } = manualScheduler();
    assert.throws(() => scheduler.schedulePeriodic(config as never, noop), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ERR_TACTUS_INVALID_CONFIG');
      assert.match(error.message, message);
      return true;
    });
    assert.equal(scheduler.describe().tasks.length, 0);
  });
}

test('a non-function task is rejected for every kind', () => {
  const { scheduler } = manualScheduler();
  assert.throws(() => scheduler.schedulePeriodic({ name: 'a', periodMs: 10 }, 'nope' as never), /must be a function/);
  assert.throws(() => scheduler.scheduleRecurring({ name: 'a', delayMs: 10 }, undefined as never), /must be a function/);
  assert.throws(() => scheduler.scheduleOnce({ name: 'a', delayMs: 10 }, {} as never), /must be a function/);
  assert.throws(() => scheduler.scheduleCron({ name: 'a', cron: '* * * * *' }, 42 as never), /must be a function/);
  assert.equal(scheduler.describe().tasks.length, 0);
});

test('a duplicate name is rejected with its own code and the first task is untouched', () => {
  const { scheduler } = manualScheduler();
  const first = scheduler.schedulePeriodic({ name: 'dup', periodMs: 10 }, noop);
  assert.throws(() => scheduler.scheduleRecurring({ name: 'dup', delayMs: 5 }, noop), { code: 'ERR_TACTUS_DUPLICATE_TASK', message: /"dup"/ });
  assert.equal(scheduler.get('dup').kind, 'periodic');
  assert.equal(first.name, 'dup');
});

test('invalid cron expressions and time zones are rejected naming the value', () => {
  const { scheduler } = manualScheduler();
  assert.throws(() => scheduler.scheduleCron({ name: 'c', cron: '61 * * * *' }, noop), { code: 'ERR_TACTUS_INVALID_CONFIG', message: /got "61 \* \* \* \*"/ });
  assert.throws(() => scheduler.scheduleCron({ name: 'c', cron: 'every tuesday' }, noop), /every tuesday/);
  assert.throws(() => scheduler.scheduleCron({ name: 'c', cron: '* * * * *', timezone: 'Mars/Olympus' }, noop), /Mars\/Olympus/);
  assert.equal(scheduler.has('c'), false);
});

test('once rejects a negative delay, an invalid date, and both delayMs and at at once', () => {
  const { scheduler } = manualScheduler();
  assert.throws(() => scheduler.scheduleOnce({ name: 'o', delayMs: -1 }, noop), /delayMs|got -1/);
  assert.throws(() => scheduler.scheduleOnce({ name: 'o', at: new Date('nope') }, noop), /invalid|date/i);
  assert.throws(() => scheduler.scheduleOnce({ name: 'o', delayMs: 1, at: 5 } as never, noop), /ERR|Unrecognized|unrecognized|at/);
});

test('scheduler options are validated eagerly', () => {
  assert.throws(() => new Scheduler({ maxConcurrency: 0 }), /maxConcurrency.*\(got 0\)/);
  assert.throws(() => new Scheduler({ maxConcurrency: Number.NaN }), /maxConcurrency.*\(got NaN\)/);
  assert.throws(() => new Scheduler({ precision: 'exact' as never }), /precision.*\(got "exact"\)/);
  assert.throws(() => new Scheduler({ agingStepMs: -1 }), /agingStepMs/);
  assert.throws(() => new Scheduler({ clock: {} as never }), /clock/);
});

test('setPeriod validates and leaves the period unchanged on error', async () => {
  const { clock, scheduler } = manualScheduler();
  const starts: number[] = [];
  const handle = scheduler.schedulePeriodic({ name: 'p', periodMs: 10, deadlineMs: 8 }, (ctx) => {
    starts.push(ctx.scheduledAt);
  });
  scheduler.start();
  await clock.advance(5);
  assert.throws(() => handle.setPeriod(0), /got 0/);
  assert.throws(() => handle.setPeriod(Number.NaN), /got NaN/);
  assert.throws(() => handle.setPeriod(5), /deadlineMs 8/);
  await clock.advance(20);
  assert.deepEqual(starts, [0, 10, 20]);
  const recurring = scheduler.scheduleRecurring({ name: 'r', delayMs: 10 }, noop);
  assert.throws(() => recurring.setPeriod(5), /only periodic tasks/);
});
