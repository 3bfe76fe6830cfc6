// The monitor over a real WorkerManager with real worker threads: what a worker is busy on reaches
// the snapshot and the HUD, idleness follows it, a wedged worker (no loop progress, so no beats)
// is flagged stale while its healthy twin is not, and the supervisor's restart clears the mark.
// Waits are handshakes on reported state, bounded by generous time-outs; no timing is asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Monitor, type StaleEvent } from '../../src/monitor/monitor.js';
import { FAULT_WORKER, realManager, until, type FaultWorker } from '../workers/helpers/real.js';
import { FakeQueue } from './fakes.js';

const wait = { signal: AbortSignal.timeout(20_000) };

test('busy and idle from ctx.setTask on a real worker thread, through the snapshot, the HUD and whenIdle', async (t) => {
  const manager = realManager(t);
  const handle = manager.spawn<FaultWorker>({ name: 'ocr-0', module: FAULT_WORKER, category: 'gpu' });
  await handle.ready();
  const queue = new FakeQueue('frames', 'gpu');
  const monitor = new Monitor({ workers: [manager], queues: [queue], intervalMs: 50, staleAfterMs: 5000, idleDebounceMs: 100 });
  t.after(() => monitor.stop());
  monitor.start();
  await handle.request('setTask', { task: 'OCR' });
  await until(() => monitor.snapshot().workers[0]?.task === 'OCR', 'the task in the monitor snapshot');
  assert.match(monitor.hudLine(), /^1 GPU worker busy: \{OCR:1\} \| backlog gpu=0 \| stale: none$/);
  assert.equal(monitor.snapshot().idle, false);
  const idle = monitor.whenIdle(AbortSignal.timeout(20_000));
  await handle.request('setTask', { task: null });
  await idle;
  assert.equal(monitor.snapshot().workers[0]!.busy, false);
  assert.match(monitor.hudLine(), /\| idle$/);
});

test('a wedged real worker is flagged stale once, its healthy twin never; the restart clears the mark', async (t) => {
  // Beats every 50 ms; the supervisor kills only after 40 missed beats, so the monitor (stale
  // after 200 ms of silence) sees the wedge first.
  const manager = realManager(t, { suspectAfterBeats: 3, killAfterBeats: 40 });
  const wedged = manager.spawn<FaultWorker>({ name: 'wedged', module: FAULT_WORKER });
  const healthy = manager.spawn<FaultWorker>({ name: 'healthy', module: FAULT_WORKER });
  await Promise.all([wedged.ready(), healthy.ready()]);
  const monitor = new Monitor({ workers: [manager], intervalMs: 50, staleAfterMs: 200 });
  t.after(() => monitor.stop());
  const events: StaleEvent[] = [];
  monitor.on('stale', (e) => events.push(e));
  monitor.on('stale-cleared', (e) => events.push(e));
  monitor.start();
  await until(() => monitor.snapshot().seq >= 5, 'a few samples of healthy workers');
  assert.equal(events.length, 0);

  await wedged.request('fault', { kind: 'wedge' }); // handshake: armed; the next loop run never settles
  const [stale] = (await once(monitor, 'stale', wait)) as [StaleEvent];
  assert.equal(stale.worker, 'wedged');
  assert.deepEqual(monitor.snapshot().stale, ['wedged']);
  assert.deepEqual(monitor.timeline({ kinds: ['stale'] }).map((e) => e.name), ['wedged']);

  // The supervisor (not the monitor) kills and restarts it: the mark clears with the new generation.
  const [cleared] = (await once(monitor, 'stale-cleared', wait)) as [StaleEvent];
  assert.equal(cleared.worker, 'wedged');
  assert.ok(cleared.reason === 'restarted' || cleared.reason === 'not-running', cleared.reason);
  assert.ok(monitor.timeline({ kinds: ['worker-state'] }).some((e) => e.name === 'wedged'), 'the state changes are on the timeline');
  assert.deepEqual(events.filter((e) => e.worker === 'healthy'), [], 'the twin never went stale');
  assert.equal(events.filter((e) => e.kind === 'stale').length, 1, 'the new generation is not judged by its predecessor\'s last beat');
});
