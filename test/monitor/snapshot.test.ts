// The snapshot (frozen, JSON-safe, sharing nothing with the sources), the HUD line and stream,
// the options' eager validation, pino as the logger, and the event-loop probe on the real clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import pino from 'pino';
import { ManualClock } from '../../src/time/manual-clock.js';
import { SystemClock } from '../../src/time/system-clock.js';
import { Monitor } from '../../src/monitor/monitor.js';
import { formatHud } from '../../src/monitor/hud.js';
import { InvalidConfigError } from '../../src/errors.js';
import { FakeQueue, FakeWorkers } from './fakes.js';

test("the HUD line reads like seed 004's", () => {
  const busy = (category: string, task: string) => ({ category, task });
  const line = formatHud({
    workers: [
      busy('gpu', 'VEHICLE_DETECT'), busy('gpu', 'PLATE_DETECT'), busy('gpu', 'OCR'),
      busy('cpu', 'PLATE_SMOOTH'), busy('cpu', 'SUMMARY'), busy('cpu', 'PLATE_SMOOTH'), busy('cpu', 'SUMMARY'), busy('cpu', 'PLATE_SMOOTH'),
      { category: 'cpu', task: null },
    ],
    backlogByCategory: { gpu: 12, cpu: 3 },
    stale: [],
    idle: false,
    flags: { stop: false, terminate: false },
  });
  assert.equal(line, '3 GPU workers busy: {VEHICLE_DETECT:1, PLATE_DETECT:1, OCR:1} | 5 CPU workers busy: {PLATE_SMOOTH:3, SUMMARY:2} | backlog gpu=12 cpu=3 | stale: none');
  assert.equal(
    formatHud({ workers: [{ category: null, task: null }], backlogByCategory: {}, stale: ['a', 'b', 'c', 'd', 'e', 'f', 'g'], idle: true, flags: { stop: true, terminate: false } }),
    '0 workers busy | backlog none | stale: a, b, c, d, e +2 more | idle | STOP',
  );
});

function pipeline() {
  const clock = new ManualClock();
  const workers = new FakeWorkers(clock);
  workers.add('gpu-0', 'gpu').task = 'OCR';
  workers.add('cpu-0', 'cpu');
  const queues = [new FakeQueue('detect', 'gpu'), new FakeQueue('smooth', 'cpu'), new FakeQueue('audit')];
  queues[0]!.enqueue(12);
  queues[1]!.enqueue(3);
  return { clock, workers, queues };
}

test('the snapshot is frozen, JSON-serialisable and shares nothing with the sources', async () => {
  const { clock, workers, queues } = pipeline();
  const monitor = new Monitor({ clock, workers: [workers], queues, intervalMs: 100 });
  assert.equal(monitor.snapshot().seq, 0, 'an empty snapshot before start');
  monitor.start();
  const snapshot = monitor.snapshot();
  assert.equal(snapshot.seq, 1);
  assert.deepEqual(JSON.parse(JSON.stringify(snapshot)), snapshot);
  const frozen = (value: unknown): boolean =>
    value === null || typeof value !== 'object' || (Object.isFrozen(value) && Object.values(value).every(frozen));
  assert.ok(frozen(snapshot));
  assert.deepEqual(snapshot.backlog, { total: 15, byQueue: { detect: 12, smooth: 3, audit: 0 }, byCategory: { gpu: 12, cpu: 3, audit: 0 } });
  assert.deepEqual(snapshot.workers.map((w) => [w.name, w.category, w.task, w.busy, w.stale]), [
    ['gpu-0', 'gpu', 'OCR', true, false],
    ['cpu-0', 'cpu', null, false, false],
  ]);
  assert.equal(snapshot.hud, '1 GPU worker busy: {OCR:1} | 0 CPU workers busy | backlog gpu=12 cpu=3 audit=0 | stale: none');
  workers.workers.get('gpu-0')!.task = null;
  queues[0]!.take();
  assert.equal(snapshot.workers[0]!.task, 'OCR', 'the published snapshot does not move');
  await clock.advance(100);
  assert.notEqual(monitor.snapshot(), snapshot);
  assert.equal(monitor.snapshot().backlog.byQueue.detect, 11);
  monitor.stop();
});

test('HUD lines go to the stream once per interval, are dropped (not queued) while it is full, and are off by default', async () => {
  const { clock, workers, queues } = pipeline();
  const written: string[] = [];
  let release: (() => void) | undefined;
  // A stream that takes one line and then stays full until the test releases it.
  const stream = new Writable({ highWaterMark: 1, write: (chunk, _enc, done) => { written.push(String(chunk)); release = done; } });
  const monitor = new Monitor({ clock, workers: [workers], queues, intervalMs: 100, hud: { stream } });
  monitor.start();
  assert.equal(written.length, 1);
  assert.match(written[0]!, /^1 GPU worker busy: \{OCR:1\} \| .*\n$/);
  await clock.advance(300);
  assert.equal(written.length, 1, 'lines dropped while the stream is full');
  release!();
  await clock.advance(100);
  assert.equal(written.length, 2, 'written again once it drained');
  release!();
  const quiet = new Monitor({ clock, workers: [workers], queues, intervalMs: 100 });
  quiet.start();
  await clock.advance(100);
  assert.equal(written.length, 3, 'the monitor without `hud` wrote nothing');
  quiet.stop();
  monitor.stop();
});

test('options are validated eagerly, naming the field and the value', () => {
  const bad: [object, RegExp][] = [
    [{ intervalMs: 0 }, /intervalMs.*\(got 0\)/],
    [{ intervalMs: 1000, staleAfterMs: 500 }, /staleAfterMs: must exceed intervalMs/],
    [{ clearAfterBeats: 1.5 }, /clearAfterBeats.*\(got 1.5\)/],
    [{ timelineSize: 0 }, /timelineSize/],
    [{ queues: [{ name: '__proto__', size: () => 0 }] }, /queues.0/],
    [{ queues: [{ name: 'q', size: () => 0 }, { name: 'q', size: () => 0 }] }, /queue names must be unique/],
    [{ scheduler: { describe: () => ({}) }, queues: [{ name: 'scheduler', size: () => 0 }] }, /scheduler's ready queue/],
    [{ workers: [{}] }, /workers.0: must have list\(\)/],
    [{ stop: true }, /stop/],
    [{ hud: { stream: 'stdout' } }, /hud.stream/],
    [{ intervalMs: 100, bogus: 1 }, /bogus/],
  ];
  for (const [options, message] of bad) {
    assert.throws(() => new Monitor(options as never), (error: unknown) => error instanceof InvalidConfigError && message.test(error.message), JSON.stringify(options));
  }
  const monitor = new Monitor({ clock: new ManualClock() });
  assert.throws(() => monitor.timeline({ limit: -1 }), InvalidConfigError);
});

test('a pino logger receives anomalies as JSON lines with stable fields', async () => {
  const clock = new ManualClock();
  const workers = new FakeWorkers(clock);
  workers.add('w');
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ base: null, timestamp: false }, new Writable({ write: (chunk, _e, done) => { lines.push(JSON.parse(String(chunk))); done(); } }));
  const monitor = new Monitor({ clock, logger, workers: [workers], intervalMs: 100, staleAfterMs: 300 });
  monitor.start();
  await clock.advance(1000);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(lines, [
    { level: 40, event: 'stale', worker: 'w', generation: 1, heartbeatAgeMs: 400, silentMs: 400, staleAfterMs: 300, at: 400, msg: 'worker stale: no heartbeat' },
  ]);
  monitor.stop();
});

test('the event-loop probe sees a real block of the loop (real clock)', async () => {
  const monitor = new Monitor({ clock: new SystemClock(), intervalMs: 50, eventLoopResolutionMs: 5 });
  monitor.start();
  try {
    await once(monitor, 'snapshot', { signal: AbortSignal.timeout(10_000) });
    const until = performance.now() + 60;
    while (performance.now() < until) {
      // keep the loop busy
    }
    // The delay lands in the sample right after the block or the one after (timers race on resume).
    const views = [];
    for (let i = 0; i < 2; i++) views.push(((await once(monitor, 'snapshot', { signal: AbortSignal.timeout(10_000) }))[0] as ReturnType<Monitor['snapshot']>).eventLoop);
    assert.ok(views.some((v) => v.delayMaxMs > 0), JSON.stringify(views));
    for (const v of views) {
      assert.ok(v.delayP50Ms <= v.delayP99Ms && v.delayP99Ms <= v.delayMaxMs, JSON.stringify(v));
      assert.ok(v.utilization >= 0 && v.utilization <= 1, JSON.stringify(v));
    }
  } finally {
    monitor.stop();
  }
});
