/**
 * A worker over its heap limit (reliability plan A15): `resourceLimits` caps a thread's V8 heap;
 * a leak past it kills that thread alone (ERR_WORKER_OUT_OF_MEMORY, exit reason 'out-of-memory'),
 * the supervisor restarts it per policy, and the parent's own memory hardly moves. A process gets
 * `--max-old-space-size`: V8 aborts it, a crash like any other (its "FATAL ERROR ... heap out of
 * memory" report lands in the test output). Twins: the same worker allocating within its limit
 * keeps running.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collect, FAULT_WORKER, nextEvent, realManager, type FaultWorker } from './helpers/real.js';

const MB = 2 ** 20;

test('a thread leaking past its heap limit dies out-of-memory alone, is restarted, and the parent RSS barely moves (A15)', async (t) => {
  const manager = realManager(t);
  const restarts = collect(manager, 'restart');
  // slow beats: a heap at its limit collects garbage back to back for a while before V8 gives up,
  // and this test is about the out-of-memory exit, not about that being seen as a hang first
  const handle = manager.spawn<FaultWorker>({ name: 'hog', module: FAULT_WORKER, heartbeatMs: 1000, resourceLimits: { maxOldGenerationSizeMb: 48 } });
  await handle.ready();
  // twin: allocating within the limit, and keeping it, is no fault
  await handle.request('allocate', { mb: 8 });
  await handle.request('allocate', { mb: 8, release: true });
  assert.equal(handle.generation, 1);
  assert.equal(handle.state, 'running');
  const rssBefore = process.memoryUsage().rss;
  const exited = nextEvent(manager, 'exit');
  const outcome = handle.request('allocate', { mb: 4096 }, { timeoutMs: 60_000 }).then(
    () => 'completed',
    (error: { reason?: string }) => error.reason ?? 'error',
  );
  const exit = await exited;
  assert.equal(exit.reason, 'out-of-memory');
  assert.equal(exit.expected, false);
  assert.match(exit.error ?? '', /memory limit/);
  assert.equal(await outcome, 'aborted', 'the request in flight is rejected, never left hanging');
  await handle.ready();
  assert.equal(handle.generation, 2);
  assert.equal(restarts[0]?.reason, 'out-of-memory');
  await handle.request('allocate', { mb: 8 }); // the new generation is as it was before the leak
  const rssDeltaMb = (process.memoryUsage().rss - rssBefore) / MB;
  t.diagnostic(`rss_delta_mb=${rssDeltaMb.toFixed(1)} exit_error=${JSON.stringify(exit.error)}`);
  assert.ok(rssDeltaMb < 5, `the parent's RSS grew ${rssDeltaMb.toFixed(1)} MB`);
  await manager.stop();
});

test('a process worker over --max-old-space-size is aborted by V8 and restarted like any crash (A15, processes)', async (t) => {
  const manager = realManager(t);
  const handle = manager.spawn<FaultWorker>({ name: 'hogp', module: FAULT_WORKER, isolation: 'process', heartbeatMs: 1000, resourceLimits: { maxOldGenerationSizeMb: 48 } });
  await handle.ready();
  await handle.request('allocate', { mb: 8 });
  assert.equal(handle.generation, 1, 'twin: within the limit');
  const exited = nextEvent(manager, 'exit');
  const outcome = handle.request('allocate', { mb: 4096 }, { timeoutMs: 60_000 }).then(
    () => 'completed',
    (error: { reason?: string }) => error.reason ?? 'error',
  );
  const exit = await exited;
  assert.equal(exit.reason, 'crashed');
  assert.equal(exit.signal, 'SIGABRT');
  assert.equal(await outcome, 'aborted');
  await handle.ready();
  assert.equal(handle.generation, 2);
  await manager.stop();
});

test('resourceLimits are validated: a process takes the old generation only', (t) => {
  const manager = realManager(t);
  assert.throws(() => manager.spawn({ name: 'x', module: FAULT_WORKER, isolation: 'process', resourceLimits: { stackSizeMb: 4 } }), /maxOldGenerationSizeMb only/);
  assert.throws(() => manager.spawn({ name: 'y', module: FAULT_WORKER, resourceLimits: { maxOldGenerationSizeMb: 1 } }), /maxOldGenerationSizeMb/);
});
