// The timeline ring and what lands on it: a real Scheduler's events, worker manager events, the
// shutdown flags; queries by time, kind and sequence; anomalies logged with stable fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/time/manual-clock.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { Monitor } from '../../src/monitor/monitor.js';
import type { MonitorSnapshot } from '../../src/monitor/snapshot.js';
import { Timeline } from '../../src/monitor/timeline.js';
import { FakeWorkers, recordingLogger } from './fakes.js';

test('the ring keeps the last N entries and answers queries oldest first', () => {
  const timeline = new Timeline(3);
  for (let i = 1; i <= 5; i++) timeline.push(i * 10, 1000 + i, i % 2 === 0 ? 'idle' : 'busy', undefined, { i });
  assert.equal(timeline.recorded, 5);
  assert.deepEqual(timeline.query().map((e) => e.seq), [3, 4, 5]);
  assert.deepEqual(timeline.query({ kinds: ['busy'] }).map((e) => e.seq), [3, 5]);
  assert.deepEqual(timeline.query({ sinceMs: 40 }).map((e) => e.seq), [4, 5]);
  assert.deepEqual(timeline.query({ afterSeq: 4 }).map((e) => e.seq), [5]);
  assert.deepEqual(timeline.query({ limit: 2 }).map((e) => e.seq), [4, 5]);
  assert.ok(Object.isFrozen(timeline.query()[0]));
});

test("a real scheduler's deadline misses and safety overrides reach the timeline and the log", async () => {
  const clock = new ManualClock();
  const scheduler = new Scheduler({ clock });
  scheduler.schedulePeriodic({ name: 'slow.loop', periodMs: 100, deadlineMs: 20 }, (ctx) => ctx.sleep(50));
  const { lines, logger } = recordingLogger();
  const monitor = new Monitor({ clock, logger, scheduler, intervalMs: 1000, missBurstThreshold: 5 });
  scheduler.start();
  monitor.start();
  await clock.advance(1000);
  scheduler.runImmediately('slow.loop', { reason: 'e-stop drill', principal: 'operator' });
  await clock.advance(1000);

  // Ten misses a second, at most one entry per task per interval; the next entry counts the rest.
  const misses = monitor.timeline({ kinds: ['deadline-miss'] });
  assert.equal(misses.length, 2);
  assert.equal(misses[0]!.name, 'slow.loop');
  assert.equal(typeof misses[0]!.detail.lateMs, 'number');
  assert.equal(misses[0]!.detail.suppressedBefore, 0);
  assert.ok((misses[1]!.detail.suppressedBefore as number) >= 8);
  const [override] = monitor.timeline({ kinds: ['safety-override'] });
  assert.equal(override!.detail.reason, 'e-stop drill');
  assert.ok(Object.isFrozen(override!.detail));

  const overrideLog = lines.find((l) => l.fields.event === 'safety-override')!;
  assert.deepEqual(
    { task: overrideLog.fields.task, reason: overrideLog.fields.reason, principal: overrideLog.fields.principal, coalesced: overrideLog.fields.coalesced },
    { task: 'slow.loop', reason: 'e-stop drill', principal: 'operator', coalesced: true },
  );
  const bursts = lines.filter((l) => l.fields.event === 'deadline-miss-burst');
  assert.ok(bursts.length >= 1, 'ten misses a second is a burst');
  assert.deepEqual(Object.keys(bursts[0]!.fields).sort(), ['at', 'event', 'misses', 'task', 'totalMisses', 'windowMs']);

  const tasks = monitor.snapshot().tasks!;
  assert.equal(tasks.total, 1);
  assert.ok(tasks.deadlineMisses >= 10);
  assert.equal(tasks.deadlineMisses, scheduler.describe().tasks[0]!.stats.deadlineMisses);
  monitor.stop();
  const stopped = scheduler.stop();
  await clock.advance(100); // let the run in flight finish
  await stopped;
});

test('twin: a loop that keeps its deadline leaves no miss and no burst', async () => {
  const clock = new ManualClock();
  const scheduler = new Scheduler({ clock });
  scheduler.schedulePeriodic({ name: 'fast.loop', periodMs: 100, deadlineMs: 20 }, (ctx) => ctx.sleep(5));
  const { lines, logger } = recordingLogger();
  const monitor = new Monitor({ clock, logger, scheduler, intervalMs: 1000 });
  scheduler.start();
  monitor.start();
  await clock.advance(3000);
  // Only the idle mark: a periodic loop never ends the way a pipeline does, so it does not hold idleness off.
  assert.deepEqual(monitor.timeline().map((e) => e.kind), ['idle']);
  assert.deepEqual(lines, []);
  monitor.stop();
  const stopped = scheduler.stop();
  await clock.advance(100); // let the run in flight finish
  await stopped;
});

test('worker manager events: state changes on the timeline; escalations and degraded logged', async () => {
  const clock = new ManualClock();
  const workers = new FakeWorkers(clock);
  workers.add('camera', 'device');
  const { lines, logger } = recordingLogger();
  const monitor = new Monitor({ clock, logger, workers: [workers], intervalMs: 100, staleAfterMs: 10_000 });
  monitor.start();
  workers.emit('state-change', { name: 'camera', from: 'running', to: 'suspect', generation: 1, reason: 'missed 3 beats' });
  workers.emit('safety', { name: 'camera', level: 'warn', reason: 'hung' });
  workers.emit('degraded', { name: 'camera', restarts: 6, error: Object.assign(new Error('init failed'), { code: 'E_DEVICE' }) });
  assert.deepEqual(monitor.timeline().map((e) => [e.kind, e.name]), [
    ['worker-state', 'camera'],
    ['worker-safety', 'camera'],
    ['worker-degraded', 'camera'],
  ]);
  assert.deepEqual(monitor.timeline({ kinds: ['worker-degraded'] })[0]!.detail.error, { name: 'Error', message: 'init failed', code: 'E_DEVICE' });
  assert.deepEqual(lines.map((l) => [l.level, l.fields.event, l.fields.worker]), [
    ['warn', 'worker-escalation', 'camera'],
    ['error', 'degraded', 'camera'],
  ]);
  monitor.stop();
  workers.emit('state-change', { name: 'camera', from: 'suspect', to: 'running', generation: 1, reason: 'beats' });
  assert.equal(monitor.timeline().length, 3, 'a stopped monitor has detached');
  assert.equal(workers.listenerCount('state-change'), 0);
});

test('stop and terminate are read, never set; terminate ends the monitor after a last sample', async () => {
  const clock = new ManualClock();
  const stop = new AbortController();
  const terminate = new AbortController();
  const monitor = new Monitor({ clock, stop: stop.signal, terminate: terminate.signal, intervalMs: 100 });
  const seen: MonitorSnapshot[] = [];
  monitor.on('snapshot', (s) => seen.push(s));
  monitor.start();
  await clock.advance(100);
  assert.deepEqual(monitor.snapshot().flags, { stop: false, terminate: false });
  stop.abort();
  await clock.advance(100);
  assert.deepEqual(monitor.snapshot().flags, { stop: true, terminate: false });
  assert.match(monitor.hudLine(), /\| STOP$/);
  assert.equal(monitor.running, true);
  terminate.abort();
  assert.equal(monitor.running, false);
  assert.deepEqual(monitor.snapshot().flags, { stop: true, terminate: true });
  assert.match(monitor.hudLine(), /\| TERMINATE$/);
  const count = seen.length;
  await clock.advance(1000);
  assert.equal(seen.length, count, 'no sample after terminate');
  assert.deepEqual(monitor.timeline({ kinds: ['flag'] }).map((e) => e.detail.flag), ['stop', 'terminate']);
});

test('a throwing source is logged once and skipped; a throwing listener cannot break sampling', async () => {
  const clock = new ManualClock();
  let broken = true;
  const { lines, logger } = recordingLogger();
  const monitor = new Monitor({
    clock,
    logger,
    intervalMs: 100,
    queues: [{ name: 'flaky', size: () => { if (broken) throw new Error('redis down'); return 2; } }],
  });
  monitor.on('snapshot', () => {
    throw new Error('listener bug');
  });
  monitor.start();
  await clock.advance(500);
  assert.equal(lines.filter((l) => l.fields.source === 'queue flaky').length, 1);
  assert.equal(monitor.snapshot().seq, 6, 'sampling went on');
  assert.equal(monitor.snapshot().idle, false, 'an unreadable queue might hold work');
  broken = false;
  await clock.advance(100);
  assert.deepEqual(monitor.snapshot().backlog.byQueue, { flaky: 2 });
  assert.equal(monitor.timeline({ kinds: ['source-error'] }).length, 1);
  monitor.stop();
});
