/**
 * A dead generation's late messages on real workers (reliability plan A18). A process worker
 * leaves a straggler behind that shares its control pipe: the worker crashes, its replacement
 * starts and runs, and only then does the straggler write the old generation's last words onto
 * the old pipe (a heartbeat far ahead, a task, a ready, a response), as itself and posing as the
 * replacement. Every one must be refused as a stale generation: none may touch the running
 * generation's state. The twin: the running
 * generation's own messages go on being accepted. (A thread's channel is a MessagePort the parent
 * closes at the thread's exit, and its heartbeat cell is new per generation: no late path exists.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FAULT_WORKER, nextEvent, realManager, until, type FaultWorker } from './helpers/real.js';

test("a dead process generation's messages arriving after its replacement started are all fenced off (A18, real)", async (t) => {
  const manager = realManager(t);
  const handle = manager.spawn<FaultWorker>({ name: 'ghost', module: FAULT_WORKER, isolation: 'process' });
  await handle.ready();
  // its own generation's words, and the same claiming to come from the replacement (generation
  // 2): the old pipe is fenced whatever a message says about itself
  const stale = [1, 2].flatMap((gen) =>
    [
      { type: 'heartbeat', gen, beat: 1_000_000, task: 'stale' },
      { type: 'task', gen, task: 'stale' },
      { type: 'ready', gen, pid: 1, loops: [], commands: [] },
      { type: 'response', gen, id: 1, ok: true, result: 'stale' },
    ].map((message) => JSON.stringify(message)),
  );
  const straggler = await handle.request('straggler', { lines: stale });
  t.after(() => {
    try {
      process.kill(straggler, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  const exited = nextEvent(manager, 'exit');
  await handle.request('exit', { code: 1 });
  assert.equal((await exited).reason, 'crashed');
  await handle.ready();
  assert.equal(handle.generation, 2);
  const stale0 = manager.list()[0]?.ipc.rejected['stale-generation'] ?? 0;
  process.kill(straggler, 'SIGUSR2');
  await until(() => (manager.list()[0]?.ipc.rejected['stale-generation'] ?? 0) - stale0 >= stale.length, 'the stale lines to arrive');
  const beatsAtArrival = manager.list()[0]!.ipc.heartbeats.processed;
  // twin: the live generation's messages are still accepted, its beats included (a stale beat of
  // 1,000,000 accepted would have made every real one after it non-monotonic)
  assert.equal((await handle.request('status')).generation, 2);
  await handle.request('setTask', { task: 'live' });
  assert.notEqual(manager.list()[0]?.task, 'stale');
  await until(() => manager.list()[0]?.task === 'live', 'the live task');
  await until(() => manager.list()[0]!.ipc.heartbeats.processed > beatsAtArrival + 2, 'live beats after the stale ones');
  const snapshot = manager.list()[0]!;
  assert.equal(snapshot.ipc.rejected['stale-generation'], stale0 + stale.length, 'stale_msgs_accepted = 0');
  assert.equal(snapshot.ipc.rejected['non-monotonic'] ?? 0, 0);
  assert.equal(snapshot.state, 'running');
  assert.equal(snapshot.generation, 2);
  t.diagnostic(`stale_msgs_rejected=${stale.length} stale_msgs_accepted=0`);
  await manager.stop();
});
