import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_CREDIT_TICKS, Watchdog, type WatchdogVerdict } from '../../src/workers/watchdog.js';

const options = { heartbeatMs: 100, suspectAfterBeats: 3, killAfterBeats: 5 };

/** Tick every tickMs from `from` to `to` with a fixed progress value; return verdicts by time. */
function run(watchdog: Watchdog, from: number, to: number, progress: (t: number) => number | undefined): Map<number, WatchdogVerdict> {
  const verdicts = new Map<number, WatchdogVerdict>();
  for (let t = from; t <= to; t += watchdog.tickMs) verdicts.set(t, watchdog.tick(t, progress(t)));
  return verdicts;
}

const first = (verdicts: Map<number, WatchdogVerdict>, verdict: WatchdogVerdict) => [...verdicts].find(([, v]) => v === verdict)?.[0];

test('a silent worker is suspect after 3 missed beats and killed after 5 (A3)', () => {
  const watchdog = new Watchdog(options, 0, 7);
  const verdicts = run(watchdog, watchdog.tickMs, 1000, () => 7);
  assert.equal(first(verdicts, 'suspect'), 300);
  assert.equal(first(verdicts, 'kill'), 500);
});

test('a worker whose counter moves is never suspect (negative control)', () => {
  const watchdog = new Watchdog(options, 0, 0);
  let beat = 0;
  const verdicts = run(watchdog, watchdog.tickMs, 10_000, (t) => (t % 100 === 0 ? ++beat : beat));
  assert.equal(first(verdicts, 'suspect'), undefined);
  assert.equal(first(verdicts, 'kill'), undefined);
});

test('progress, not time: a heartbeat counter that stands still is silence (D3)', () => {
  const watchdog = new Watchdog(options, 0, undefined);
  const verdicts = run(watchdog, watchdog.tickMs, 600, () => undefined);
  assert.equal(first(verdicts, 'kill'), 500);
});

test('a suspect worker that beats again recovers', () => {
  const watchdog = new Watchdog(options, 0, 1);
  run(watchdog, watchdog.tickMs, 350, () => 1);
  assert.equal(watchdog.suspect, true);
  assert.equal(watchdog.tick(360, 2), 'recovered');
  assert.equal(watchdog.suspect, false);
  assert.equal(watchdog.missedBeats, 0);
  assert.equal(watchdog.lastBeatAt, 360);
});

test("the parent's own lag is not charged to the worker: a 1 s blocked tick adds two ticks of silence (B4)", () => {
  assert.equal(MAX_CREDIT_TICKS, 2);
  const watchdog = new Watchdog(options, 0, 1);
  assert.equal(watchdog.tick(25, 2), 'alive');
  // the parent's loop is blocked from 25 to 1025; the first tick after it sees no new beat yet
  // (a process's queued heartbeats are read after timers), and must not kill
  assert.equal(watchdog.tick(1025, 2), 'silent');
  assert.equal(watchdog.missedBeats, 0);
  assert.equal(watchdog.tick(1050, 3), 'alive', 'the queued heartbeats arrive');
});

test('a real hang during a parent stall is still caught once the parent ticks again', () => {
  const watchdog = new Watchdog(options, 0, 1);
  watchdog.tick(25, 2);
  watchdog.tick(1025, 2);
  const tick = watchdog.tickMs;
  const verdicts = run(watchdog, 1025 + tick, 2000, () => 2);
  // the stalled tick was charged two ticks, each tick after it one: 500 ms of silence after 48 more ticks
  assert.equal(first(verdicts, 'kill'), 1025 + (500 / tick - MAX_CREDIT_TICKS) * tick);
});
