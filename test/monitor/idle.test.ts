// System idle under ManualClock (seed 004, reliability plan F2): idle only when every worker is idle
// and every queue empty for the debounce window, never while work slips in during the evaluation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/time/manual-clock.js';
import { Monitor, type IdleEvent } from '../../src/monitor/monitor.js';
import { AbortError } from '../../src/errors.js';
import { FakeQueue, FakeWorkers } from './fakes.js';

const INTERVAL = 100;
const DEBOUNCE = 250;

function setup() {
  const clock = new ManualClock();
  const workers = new FakeWorkers(clock);
  workers.add('gpu-0', 'gpu');
  workers.add('cpu-0', 'cpu');
  workers.add('cpu-1', 'cpu');
  const queues = [new FakeQueue('detect', 'gpu'), new FakeQueue('smooth', 'cpu')];
  // Heartbeats do not matter here: a huge staleAfterMs keeps stale detection out of the way.
  const monitor = new Monitor({ clock, workers: [workers], queues, intervalMs: INTERVAL, idleDebounceMs: DEBOUNCE, staleAfterMs: 86_400_000 });
  const changes: string[] = [];
  monitor.on('idle', () => changes.push('idle'));
  monitor.on('busy', () => changes.push('busy'));
  return { clock, workers, queues, monitor, changes };
}

test('idle once everything has been quiet for the debounce window; busy again when work arrives', async () => {
  const { clock, queues, monitor, changes } = setup();
  let idleEvent: IdleEvent | undefined;
  monitor.on('idle', (e) => (idleEvent = e));
  monitor.start();
  await clock.advance(DEBOUNCE);
  assert.deepEqual(changes, [], 'not before the window has passed');
  await clock.advance(INTERVAL);
  assert.deepEqual(changes, ['idle']);
  assert.ok(idleEvent!.at - idleEvent!.since >= DEBOUNCE);
  assert.equal(monitor.snapshot().idle, true);
  assert.match(monitor.hudLine(), /\| idle/);
  await monitor.whenIdle(); // already idle: resolves at once
  queues[0]!.enqueue();
  await clock.advance(INTERVAL);
  assert.deepEqual(changes, ['idle', 'busy']);
  assert.equal(monitor.snapshot().idle, false);
  assert.deepEqual(monitor.timeline({ kinds: ['idle', 'busy'] }).map((e) => e.kind), ['idle', 'busy']);
  monitor.stop();
});

test('twins: a busy worker, a waiting item or a starting worker keep the system from idle', async () => {
  for (const make of [
    (s: ReturnType<typeof setup>) => (s.workers.workers.get('cpu-1')!.task = 'PLATE_SMOOTH'),
    (s: ReturnType<typeof setup>) => s.queues[1]!.enqueue(),
    (s: ReturnType<typeof setup>) => (s.workers.workers.get('gpu-0')!.state = 'starting'),
  ]) {
    const s = setup();
    make(s);
    s.monitor.start();
    await s.clock.advance(10 * DEBOUNCE);
    assert.deepEqual(s.changes, []);
    s.monitor.stop();
  }
});

test('work that comes and goes between samples (seen only by enqueuedTotal) restarts the window', async () => {
  const { clock, queues, workers, monitor, changes } = setup();
  monitor.start();
  for (let i = 0; i < 20; i++) {
    await clock.advance(INTERVAL / 2);
    queues[i % 2]!.enqueue(); // enqueued, taken and finished between two samples
    queues[i % 2]!.take();
    workers.workers.get('cpu-0')!.task = null;
    await clock.advance(INTERVAL / 2);
  }
  assert.deepEqual(changes, []);
  await clock.advance(DEBOUNCE + INTERVAL);
  assert.deepEqual(changes, ['idle']);
  monitor.stop();
});

test('whenIdle resolves on idle, rejects on abort and when the monitor stops', async () => {
  const { clock, queues, monitor } = setup();
  queues[0]!.enqueue();
  monitor.start();
  const idle = monitor.whenIdle();
  const controller = new AbortController();
  const aborted = monitor.whenIdle(controller.signal);
  controller.abort();
  await assert.rejects(aborted, AbortError);
  await clock.advance(1000);
  queues[0]!.take();
  let resolved = false;
  void idle.then(() => (resolved = true));
  await clock.advance(DEBOUNCE); // the quiet window began at the first sample after take()
  assert.equal(resolved, false);
  await clock.advance(2 * INTERVAL);
  assert.equal(resolved, true);
  queues[0]!.enqueue();
  await clock.advance(INTERVAL);
  const pending = monitor.whenIdle();
  monitor.stop();
  await assert.rejects(pending, AbortError);
});

test('F2: 10,000 randomized trials, work injected at every point of the evaluation: false_idle = 0', async (t) => {
  const { clock, workers, queues, monitor } = setup();
  const names = [...workers.workers.keys()];
  let seed = 42;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  // Ground truth in "operations": every read the monitor makes and every action is one op.
  let op = 0;
  const reads = new Map<number, { op: number; list: boolean }[]>(); // by sample time
  const work: { start: number; end: number }[] = [];
  let falseIdle = 0;
  let idles = 0;
  monitor.on('idle', (e) => {
    idles++;
    // Double collect: the declaring sample read the same counters as the one before, so the
    // decision holds at the start of its collect (its list() call), L. It claims no work from the
    // end of the collect at `since` up to L.
    const linearization = reads.get(e.at)![0]!.op;
    const sinceReads = reads.get(e.since)!;
    const windowStart = sinceReads[sinceReads.length - 1]!.op;
    if (work.some((w) => w.start < linearization && w.end > windowStart)) falseIdle++;
  });
  const read = (list: boolean): void => {
    const at = clock.now();
    if (!reads.has(at)) reads.set(at, []);
    reads.get(at)!.push({ op: ++op, list });
  };
  workers.onList = () => read(true);
  for (const q of queues) {
    const total = q.enqueuedTotal.bind(q);
    q.enqueuedTotal = () => (read(false), total());
  }
  monitor.start();
  const TRIALS = Number(process.env.F2_TRIALS ?? 10_000);
  for (let trial = 0; trial < TRIALS; trial++) {
    const injectAt = random(16); // which read of this trial the work slips in at
    const kind = random(3); // 0: stays queued, 1: taken by a worker, 2: enqueued, taken and done at once
    const holdTicks = random(3);
    const queue = queues[random(queues.length)]!;
    const worker = workers.workers.get(names[random(names.length)]!)!;
    let trialReads = 0;
    let item: { start: number; end: number } | undefined;
    const maybeInject = (): void => {
      if (item !== undefined || trialReads++ !== injectAt) return;
      item = { start: ++op, end: Number.POSITIVE_INFINITY };
      work.push(item);
      queue.enqueue();
      if (kind >= 1) {
        queue.take();
        worker.task = 'JOB';
      }
      if (kind === 2) {
        worker.task = null;
        item.end = ++op;
      }
    };
    const previousList: () => void = workers.onList;
    workers.onList = () => {
      previousList();
      maybeInject();
    };
    for (const q of queues) q.onSize = () => (read(false), maybeInject());
    const advance = async (): Promise<void> => {
      // A monitor that stays idle through the work never declares a new idle: that is a false idle too.
      if (clock.now() - trialStart > 100 * INTERVAL) assert.fail(`trial ${trial}: no new idle after the work (idle now: ${monitor.snapshot().idle})`);
      await clock.advance(INTERVAL);
    };
    const trialStart = clock.now();
    while (item === undefined) await advance();
    for (let i = 0; i < holdTicks; i++) await advance();
    if (item.end === Number.POSITIVE_INFINITY) {
      if (kind === 0) queue.take();
      worker.task = null;
      item.end = ++op;
    }
    workers.onList = previousList;
    const idleBefore = idles;
    while (idles === idleBefore || !monitor.snapshot().idle) await advance();
    if (work.length > 64) work.splice(0, work.length - 64);
    for (const at of reads.keys()) if (at < clock.now() - 10 * DEBOUNCE) reads.delete(at);
  }
  t.diagnostic(`trials=${TRIALS} idle_declarations=${idles} false_idle=${falseIdle}`);
  assert.equal(falseIdle, 0);
  assert.ok(idles >= TRIALS, 'every trial ended in a true idle');
  monitor.stop();
});
