// F3 on the real clock: a real worker thread beats through postMessage; the main event loop (which
// records the beats and runs the monitor) is really blocked for 2 s. No worker may turn stale on
// resume; the twin mutes the worker and must be flagged. No timing is asserted: the waits are
// bounded by generous time-outs that only turn a hang into a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { SystemClock } from '../../src/time/system-clock.js';
import { Monitor, type StaleEvent } from '../../src/monitor/monitor.js';
import type { WorkerSnapshot, WorkerSource } from '../../src/monitor/sources.js';

const BEATER = `
const { parentPort } = require('node:worker_threads');
let beating = true;
parentPort.on('message', (m) => { if (m === 'mute') beating = false; });
setInterval(() => { if (beating) parentPort.postMessage('beat'); }, 20);
parentPort.postMessage('beat');
`;

function threadSource(worker: Worker, clock: SystemClock): WorkerSource {
  let lastHeartbeatAt = clock.now();
  worker.on('message', () => {
    lastHeartbeatAt = clock.now();
  });
  return {
    list: (): WorkerSnapshot[] => [
      {
        name: 'beater', isolation: 'thread', pid: process.pid, threadId: worker.threadId, category: 'cpu', state: 'running',
        task: null, lastHeartbeatAt, heartbeatAgeMs: clock.now() - lastHeartbeatAt, generation: 1, restarts: 0, loops: [],
        data: { delivered: 0, dropped: 0, depth: 0, latencyMs: { p50: 0, p95: 0, p99: 0, max: 0 } },
      },
    ],
  };
}

async function snapshots(monitor: Monitor, count: number): Promise<void> {
  const signal = AbortSignal.timeout(10_000);
  for (let i = 0; i < count; i++) await once(monitor, 'snapshot', { signal });
}

test('real 2 s block of the main loop: no false stale on resume; a muted worker is flagged (F3)', async (t) => {
  const worker = new Worker(BEATER, { eval: true });
  await once(worker, 'message'); // handshake: the worker is beating
  const clock = new SystemClock();
  const monitor = new Monitor({ clock, workers: [threadSource(worker, clock)], intervalMs: 50, staleAfterMs: 300 });
  const events: StaleEvent[] = [];
  monitor.on('stale', (e) => events.push(e));
  try {
    monitor.start();
    await snapshots(monitor, 3);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000); // the block
    await snapshots(monitor, 10);
    t.diagnostic(`false_stale=${events.length} blind_ms=${JSON.stringify(monitor.timeline({ kinds: ['monitor-lag'] }).map((e) => e.detail.blindMs))}`);
    assert.equal(events.length, 0);
    assert.ok(monitor.timeline({ kinds: ['monitor-lag'] }).length >= 1, 'the block was seen as monitor lag');

    worker.postMessage('mute');
    const [stale] = (await once(monitor, 'stale', { signal: AbortSignal.timeout(10_000) })) as [StaleEvent];
    assert.equal(stale.worker, 'beater');
  } finally {
    monitor.stop();
    await worker.terminate();
  }
});
