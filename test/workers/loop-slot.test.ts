/**
 * A worker loop's accounting (runtime/loop-slot.ts) against the engine's rules for periodic tasks:
 * release grid, jitter, skipped slots, overruns of async bodies, deadline misses, backpressure,
 * period changes. Pure: times are passed in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoopSlot } from '../../src/workers/runtime/loop-slot.js';

const slot = (periodMs = 10, extra: { deadlineMs?: number; maxJitterMs?: number } = {}) => new LoopSlot({ name: 'loop', periodMs, ...extra, run: () => {} });

/** Run one release starting `lateMs` after it is due, lasting `execMs`. */
function runOnce(s: LoopSlot, lateMs: number, execMs: number, async = false): void {
  const start = s.nextAt + lateMs;
  s.begin(start);
  s.end(start + execMs, undefined, false, async);
}

test('releases follow t0 + k * period exactly, whatever the execution time', () => {
  const s = slot(10);
  s.anchor(100);
  const due: number[] = [];
  for (let k = 0; k < 5; k++) {
    due.push(s.nextAt);
    runOnce(s, 0.5, 3);
  }
  assert.deepEqual(due, [100, 110, 120, 130, 140]);
  assert.equal(s.stats.runs, 5);
  assert.equal(s.stats.completed, 5);
  assert.equal(s.stats.jitter.maxMs, 0.5);
  assert.equal(s.stats.deadlineMisses, 0);
});

test('a run late by less than two periods is followed by the next release on the grid; two or more coalesce', () => {
  const s = slot(10);
  s.anchor(0);
  runOnce(s, 15, 1); // release 0 at 15: late < 2 periods -> next is release 1 (already due)
  assert.equal(s.nextAt, 10);
  assert.equal(s.stats.skipped, 0);
  runOnce(s, 0, 1); // release 1 runs at once
  s.begin(57); // release 2 (due 20) at 57: 3.7 periods late -> runs once, releases 3..5 skipped
  s.end(58, undefined, false, false);
  assert.equal(s.stats.skipped, 3);
  assert.equal(s.nextAt, 60);
  assert.equal(s.stats.jitter.maxMs, 37);
});

test('jitter warnings, deadline misses and a failure are counted like the engine', () => {
  const s = slot(10, { deadlineMs: 5, maxJitterMs: 1 });
  s.anchor(0);
  runOnce(s, 2, 1); // jitter warning
  runOnce(s, 0, 6); // deadline miss (finished at +6 > 5)
  const start = s.nextAt;
  s.begin(start);
  s.end(start + 1, new Error('sensor timeout'), true, false);
  assert.equal(s.stats.jitterWarnings, 1);
  assert.equal(s.stats.deadlineMisses, 1);
  assert.equal(s.stats.failed, 1);
  assert.equal(s.lastError, 'sensor timeout');
  assert.equal(s.stats.consecutiveMisses, 0, 'a clean run after the miss resets the streak');
});

test('releases passing while an async body is pending are overruns, skipped; three bad releases raise backpressure once', () => {
  const s = slot(10);
  s.anchor(0);
  runOnce(s, 0, 25, true); // releases 1 and 2 came due while it ran
  assert.equal(s.stats.overruns, 2);
  assert.equal(s.stats.skipped, 2);
  assert.equal(s.nextAt, 30);
  assert.equal(s.stats.deadlineMisses, 1);
  assert.equal(s.stats.consecutiveMisses, 3);
  assert.equal(s.backpressures, 1);
  runOnce(s, 0, 25, true);
  assert.equal(s.backpressures, 1, 'raised once per streak');
  runOnce(s, 0, 1, true);
  assert.equal(s.stats.consecutiveMisses, 0);
  runOnce(s, 0, 35, true);
  assert.equal(s.backpressures, 2, 'a new streak raises again');
});

test('a synchronous body that overruns is late, not an overrun (the thread was busy, no release could fire)', () => {
  const s = slot(10);
  s.anchor(0);
  runOnce(s, 0, 15, false);
  assert.equal(s.stats.overruns, 0);
  assert.equal(s.nextAt, 10);
  assert.equal(s.stats.deadlineMisses, 1);
});

test('setPeriod takes effect from the next release, anchored on the last one', () => {
  const s = slot(10);
  s.anchor(0);
  runOnce(s, 0, 1); // release 0 at 0
  s.setPeriod(25, 3);
  assert.equal(s.nextAt, 25);
  runOnce(s, 0, 1);
  assert.equal(s.nextAt, 50);
  s.setPeriod(5, 60); // last release at 25; now 60 -> first grid point of the new period not in the past
  assert.equal(s.nextAt, 60);
  const fresh = slot(10);
  fresh.anchor(100);
  fresh.setPeriod(20, 100);
  assert.equal(fresh.nextAt, 100, 'before the first run, release 0 stays where it was');
});
