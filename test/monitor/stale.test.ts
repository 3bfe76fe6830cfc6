// Stale workers under ManualClock (reliability plan F1, F3): raised once and logged once, cleared
// with hysteresis, the monitor's own blind spots discounted; each detection with its twin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/time/manual-clock.js';
import { Monitor, type StaleEvent } from '../../src/monitor/monitor.js';
import { FakeWorkers, recordingLogger } from './fakes.js';

const INTERVAL = 100;
const STALE_AFTER = 500;

function setup(workerNames: string[], options: { clearAfterBeats?: number } = {}) {
  const clock = new ManualClock();
  const workers = new FakeWorkers(clock);
  for (const name of workerNames) workers.add(name, 'cpu');
  const { lines, logger } = recordingLogger();
  const monitor = new Monitor({ clock, logger, workers: [workers], intervalMs: INTERVAL, staleAfterMs: STALE_AFTER, ...options });
  const events: StaleEvent[] = [];
  monitor.on('stale', (e) => events.push(e));
  monitor.on('stale-cleared', (e) => events.push(e));
  const staleLogs = () => lines.filter((l) => l.fields.event === 'stale');
  return { clock, workers, monitor, events, staleLogs };
}

/** Advance `ms` in 50 ms steps; after each step the named workers beat. */
async function run(clock: ManualClock, workers: FakeWorkers, ms: number, beating: string[]): Promise<void> {
  for (let t = 0; t < ms; t += 50) {
    await clock.advance(50);
    for (const name of beating) workers.beat(name);
  }
}

test('a silent worker is marked stale once and logged once; its healthy twin never is (F1)', async (t) => {
  const { clock, workers, monitor, events, staleLogs } = setup(['silent', 'healthy']);
  monitor.start();
  await run(clock, workers, 1000, ['silent', 'healthy']);
  const lastBeat = clock.now();
  await run(clock, workers, 3000, ['healthy']); // 30 ticks with `silent` quiet
  const stale = events.filter((e) => e.kind === 'stale');
  assert.equal(stale.length, 1);
  assert.equal(stale[0]!.worker, 'silent');
  assert.equal(staleLogs().length, 1, 'logged once, not each tick');
  assert.deepEqual(monitor.snapshot().stale, ['silent']);
  assert.equal(monitor.snapshot().workers.find((w) => w.name === 'silent')!.stale, true);
  assert.equal(monitor.snapshot().workers.find((w) => w.name === 'healthy')!.stale, false);
  const detectMs = stale[0]!.at - lastBeat;
  assert.ok(detectMs > STALE_AFTER && detectMs <= STALE_AFTER + INTERVAL, `detected after ${detectMs} ms`);
  t.diagnostic(`stale_detect_ms=${detectMs} warn_count=${staleLogs().length}`);
  assert.match(monitor.hudLine(), /stale: silent/);
  monitor.stop();
});

test('a stale mark clears after clearAfterBeats samples with fresh beats, once', async () => {
  const { clock, workers, monitor, events } = setup(['w'], { clearAfterBeats: 3 });
  monitor.start();
  await run(clock, workers, 1000, []);
  assert.deepEqual(events.map((e) => e.kind), ['stale']);
  await clock.advance(50);
  workers.beat('w');
  await clock.advance(50); // one sample saw a fresh beat: not yet
  assert.deepEqual(monitor.snapshot().stale, ['w']);
  await run(clock, workers, 1000, ['w']);
  assert.deepEqual(events.map((e) => [e.kind, e.reason]), [['stale', 'silent'], ['stale-cleared', 'beats-resumed']]);
  assert.deepEqual(monitor.snapshot().stale, []);
  monitor.stop();
});

test('hysteresis: a worker hovering at the threshold stays stale instead of flapping', async () => {
  const { clock, workers, monitor, events } = setup(['hover']);
  monitor.start();
  // One beat every 600 ms against a 500 ms threshold: never two samples in a row with a new beat.
  for (let i = 0; i < 10; i++) {
    await clock.advance(600);
    workers.beat('hover');
  }
  assert.deepEqual(events.map((e) => e.kind), ['stale']);
  monitor.stop();
});

test('a monitor blocked for 2 s does not flip every worker stale on resume (F3), but still flags the dead one', async (t) => {
  const names = Array.from({ length: 16 }, (_, i) => `w${i}`);
  const { clock, workers, monitor, events } = setup([...names, 'dead']);
  monitor.start();
  await run(clock, workers, 1000, [...names, 'dead']);
  await run(clock, workers, 100, names); // `dead` stops beating just before the block
  // The event loop is blocked 2 s: no tick, and the heartbeats that arrive are queued behind the
  // monitor's overdue tick, which therefore runs first and sees every beat 2 s old.
  clock.stall(2000);
  await clock.advance(0);
  assert.equal(events.length, 0, 'no stale flip on the overdue tick');
  await run(clock, workers, 2000, names);
  const falseStale = events.filter((e) => e.worker !== 'dead').length;
  t.diagnostic(`false_stale=${falseStale}`);
  assert.equal(falseStale, 0);
  assert.deepEqual(events.map((e) => [e.kind, e.worker]), [['stale', 'dead']]);
  assert.ok(events[0]!.silentMs > STALE_AFTER && events[0]!.heartbeatAgeMs > events[0]!.silentMs);
  assert.equal(monitor.timeline({ kinds: ['monitor-lag'] }).length, 1);
  monitor.stop();
});

test('twin of F3: without a block, the same silence is flagged at once', async () => {
  const { clock, workers, monitor, events } = setup(['a', 'b']);
  monitor.start();
  await run(clock, workers, 1000, ['a', 'b']);
  await run(clock, workers, 700, ['b']);
  assert.deepEqual(events.map((e) => [e.kind, e.worker]), [['stale', 'a']]);
  monitor.stop();
});

test('a restart (new generation) or leaving the running states clears the mark; stopped workers are not watched', async () => {
  const { clock, workers, monitor, events } = setup(['r', 's']);
  monitor.start();
  await run(clock, workers, 1000, []);
  assert.deepEqual(events.map((e) => e.worker).sort(), ['r', 's']);
  const r = workers.workers.get('r')!;
  r.generation = 2;
  r.restarts = 1;
  workers.beat('r');
  workers.workers.get('s')!.state = 'stopped';
  await clock.advance(INTERVAL);
  assert.deepEqual(
    events.slice(2).map((e) => [e.kind, e.worker, e.reason]),
    [['stale-cleared', 'r', 'restarted'], ['stale-cleared', 's', 'not-running']],
  );
  await run(clock, workers, 2000, ['r']); // `s` stays silent but stopped: never stale again
  assert.equal(events.length, 4);
  workers.workers.delete('r');
  monitor.stop();
});

test('a worker that never beat is stale staleAfterMs after it was first watched; one that left the list is forgotten', async () => {
  const { clock, workers, monitor, events } = setup([]);
  workers.add('mute').lastHeartbeatAt = null;
  monitor.start();
  await clock.advance(STALE_AFTER);
  assert.equal(events.length, 0);
  await clock.advance(INTERVAL);
  assert.deepEqual(events.map((e) => [e.kind, e.worker]), [['stale', 'mute']]);
  workers.workers.delete('mute');
  await clock.advance(INTERVAL);
  assert.deepEqual(events.map((e) => [e.kind, e.reason]), [['stale', 'silent'], ['stale-cleared', 'gone']]);
  monitor.stop();
});

test('time while the monitor was stopped is a blind spot, not silence', async () => {
  const { clock, workers, monitor, events } = setup(['w']);
  monitor.start();
  await run(clock, workers, 500, ['w']);
  monitor.stop();
  await clock.advance(5000);
  monitor.start();
  await run(clock, workers, 1000, ['w']);
  assert.equal(events.length, 0);
  monitor.stop();
});

test("a new generation is judged from when it was first seen, not by its predecessor's last beat", async () => {
  const { clock, workers, monitor, events } = setup(['cam']);
  monitor.start();
  await run(clock, workers, 1000, []);
  assert.deepEqual(events.map((e) => e.kind), ['stale']);
  const cam = workers.workers.get('cam')!;
  cam.generation = 2; // restarted; the manager still shows generation 1's last beat
  await clock.advance(INTERVAL);
  assert.deepEqual(events.map((e) => [e.kind, e.reason]), [['stale', 'silent'], ['stale-cleared', 'restarted']]);
  await clock.advance(STALE_AFTER - INTERVAL);
  assert.equal(events.length, 2, 'no stale mark before the new generation has been silent staleAfterMs');
  await clock.advance(2 * INTERVAL);
  assert.deepEqual(events.map((e) => [e.kind, e.generation]).slice(2), [['stale', 2]], 'the twin: a new generation that never beats is flagged');
  monitor.stop();
});
