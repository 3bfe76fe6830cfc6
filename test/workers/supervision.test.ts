/**
 * The supervisor's rules under ManualClock, with hand-driven fake workers: backoff, budget,
 * degraded, watchdog verdicts, lag discount, generation fencing, stop/terminate, requests.
 * Each detection has a twin proving no false positive. Real threads and processes: integration.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/time/manual-clock.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { WorkerManager } from '../../src/workers/manager.js';
import { fakeLauncher } from './helpers/fake-launcher.js';
import { FAKE_MODULE, fakeManager } from './helpers/fake-manager.js';
import { collect } from './helpers/real.js';

const MODULE = FAKE_MODULE;
const setup = fakeManager;
const record = collect;

/** Advance `ms` while the current fake worker beats every 50 ms, as a healthy worker does. */
async function runHealthy(clock: ManualClock, fakes: ReturnType<typeof fakeLauncher>, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= 50) {
    fakes.last().beat();
    await clock.advance(Math.min(50, left));
  }
}

test('spawn -> starting -> running on ready; list() is a JSON snapshot', async () => {
  const { clock, fakes, manager } = setup();
  const changes = record(manager, 'state-change');
  const handle = manager.spawn({ name: 'cam', module: MODULE, category: 'camera' });
  assert.equal(handle.state, 'starting');
  const ready = handle.ready();
  fakes.last().ready([{ name: 'capture', periodMs: 33, deadlineMs: 33 }]);
  await ready;
  await clock.advance(10);
  assert.equal(handle.state, 'running');
  assert.deepEqual(changes.map((c) => `${c.from}->${c.to}`), ['starting->running']);
  const [snapshot] = manager.list();
  assert.deepEqual(JSON.parse(JSON.stringify(snapshot)), snapshot);
  assert.equal(snapshot?.category, 'camera');
  assert.equal(snapshot?.generation, 1);
  assert.equal(snapshot?.loops[0]?.name, 'capture');
  assert.equal(snapshot?.isolation, 'thread');
  const [init] = fakes.last().sentOf('init');
  assert.equal(init?.generation, 1);
});

test('crash-on-start loop: backoff 100, 200, 400, 800, 1600 ms, then degraded exactly once, no more spawns (A7)', async () => {
  const { clock, fakes, manager } = setup();
  const degraded = record(manager, 'degraded');
  const safety = record(manager, 'safety');
  const restarts = record(manager, 'restart');
  const handle = manager.spawn({ name: 'bad', module: MODULE });
  const spawnTimes: number[] = [];
  for (let i = 0; i < 6; i++) {
    assert.equal(fakes.workers.length, i + 1);
    spawnTimes.push(clock.now());
    fakes.last().exit(1);
    if (i < 5) await clock.advance(restarts.at(-1)!.delayMs);
  }
  assert.deepEqual(restarts.map((r) => r.delayMs), [100, 200, 400, 800, 1600]);
  assert.deepEqual(spawnTimes, [0, 100, 300, 700, 1500, 3100]);
  assert.equal(handle.state, 'degraded');
  assert.equal(degraded.length, 1);
  assert.equal(safety.length, 6);
  assert.equal(safety.at(-1)?.action, 'degraded');
  await clock.advance(120_000);
  assert.equal(fakes.workers.length, 6, 'spawns_after_degraded = 0');
  await assert.rejects(handle.request('anything'), { code: 'ERR_TACTUS_WORKER_UNAVAILABLE' });
  await assert.rejects(manager.restart('bad'), { code: 'ERR_TACTUS_WORKER_UNAVAILABLE' });
  manager.resetDegraded('bad');
  assert.equal(fakes.workers.length, 7);
  assert.equal(handle.state, 'starting');
  assert.equal(handle.generation, 7);
  assert.equal(manager.list()[0]?.restarts, 6);
});

test('the budget boundary: failures spaced period/intensity + 1 ms for 60 s never degrade; 6 quick ones degrade once (A8)', async () => {
  const { clock, fakes, manager } = setup({ backoff: { initialMs: 1, maxMs: 1 } });
  const degraded = record(manager, 'degraded');
  const handle = manager.spawn({ name: 'edge', module: MODULE });
  let crashes = 0;
  while (clock.now() < 60_000) {
    fakes.last().ready();
    await runHealthy(clock, fakes, 2001 - 1);
    fakes.last().exit(1);
    crashes++;
    await clock.advance(1);
  }
  assert.ok(crashes >= 29);
  assert.equal(degraded.length, 0, 'negative control: never degraded');
  assert.equal(handle.state, 'starting');
  for (let i = 0; i < 6; i++) {
    fakes.last().exit(1);
    await clock.advance(1);
  }
  assert.equal(degraded.length, 1);
  assert.equal(handle.state, 'degraded');
});

test('backoff resets after 60 s running: the next restart waits 100 ms again (A9)', async () => {
  const { clock, fakes, manager } = setup();
  const restarts = record(manager, 'restart');
  manager.spawn({ name: 'w', module: MODULE });
  fakes.last().exit(1);
  await clock.advance(100);
  fakes.last().exit(1);
  await clock.advance(200);
  fakes.last().ready();
  await runHealthy(clock, fakes, 61_000);
  fakes.last().exit(1);
  assert.deepEqual(restarts.map((r) => r.delayMs), [100, 200, 100]);
});

test('stop during backoff: no spawn after stop (A10)', async () => {
  const { clock, fakes, manager } = setup();
  const handle = manager.spawn({ name: 'w', module: MODULE });
  fakes.last().exit(1);
  assert.equal(handle.state, 'restarting');
  await manager.stop();
  await clock.advance(60_000);
  assert.equal(fakes.workers.length, 2, 'the next generation had been pre-launched during the backoff');
  assert.equal(fakes.workers[1]!.sentOf('init').length, 0, 'spawns_after_stop = 0: it never got init');
  assert.equal(fakes.workers[1]!.exited, true, 'and it was killed');
  assert.equal(handle.state, 'stopped');
  assert.throws(() => manager.spawn({ name: 'late', module: MODULE }), { code: 'ERR_TACTUS_MANAGER_STOPPED' });
});

test('the next generation boots during the backoff and gets init only when the backoff ends', async () => {
  const { clock, fakes, manager } = setup();
  const handle = manager.spawn({ name: 'w', module: MODULE });
  fakes.last().ready();
  fakes.last().exit(1);
  assert.equal(handle.state, 'restarting');
  assert.equal(fakes.workers.length, 2, 'pre-launched at once');
  assert.equal(fakes.last().sentOf('init').length, 0);
  await clock.advance(99);
  assert.equal(fakes.last().sentOf('init').length, 0);
  await clock.advance(1);
  assert.equal(fakes.last().sentOf('init').length, 1);
  assert.equal(handle.state, 'starting');
  fakes.last().ready();
  assert.equal(handle.state, 'running');
  assert.equal(manager.list()[0]?.restarts, 1);
});

test('a pre-launched generation that dies while booting is replaced when the backoff ends, counted once', async () => {
  const { clock, fakes, manager } = setup();
  const exits = record(manager, 'exit');
  const handle = manager.spawn({ name: 'w', module: MODULE });
  fakes.last().ready();
  fakes.last().exit(1);
  fakes.last().exit(1); // the pre-launched one dies before init
  assert.equal(exits.length, 1, 'not a second failure');
  assert.equal(handle.state, 'restarting');
  await clock.advance(100);
  assert.equal(fakes.workers.length, 3);
  assert.equal(fakes.last().sentOf('init').length, 1);
  fakes.last().ready();
  assert.equal(handle.state, 'running');
});

for (const isolation of ['thread', 'process'] as const) {
  test(`${isolation}: a silent worker is suspect at 300 ms and killed at 500 ms, then restarted (A3/A4)`, async () => {
    const { clock, fakes, manager } = setup();
    const suspects = record(manager, 'suspect');
    const exits = record(manager, 'exit');
    const safety = record(manager, 'safety');
    manager.spawn({ name: 'hang', module: MODULE, isolation });
    fakes.last().ready();
    fakes.last().beat();
    await clock.advance(25);
    fakes.last().beat(); // last sign of life, seen at 50
    await clock.advance(25);
    await clock.advance(275);
    assert.equal(suspects.length, 0);
    await clock.advance(25);
    assert.equal(suspects.length, 1, 'suspect after 3 missed beats');
    assert.equal(suspects[0]?.missedBeats, 3);
    assert.equal(manager.list()[0]?.state, 'suspect');
    await clock.advance(175);
    assert.equal(exits.length, 0);
    await clock.advance(25);
    assert.equal(exits.length, 1, 'killed after 5 missed beats');
    assert.equal(exits[0]?.reason, 'hung');
    assert.equal(exits[0]?.expected, false);
    assert.equal(fakes.workers[0]?.kills, 1);
    assert.equal(safety[0]?.reason, 'hung');
    await clock.advance(100);
    assert.equal(fakes.workers.length, 2, 'restarted after the backoff');
  });

  test(`${isolation}: a beating worker is never suspect (negative control)`, async () => {
    const { clock, fakes, manager } = setup();
    const suspects = record(manager, 'suspect');
    manager.spawn({ name: 'ok', module: MODULE, isolation });
    fakes.last().ready();
    for (let t = 0; t < 10_000; t += 100) {
      fakes.last().beat();
      await clock.advance(100);
    }
    assert.equal(suspects.length, 0);
    assert.equal(fakes.workers.length, 1);
    assert.ok(manager.list()[0]!.heartbeatAgeMs! <= 100);
  });
}

test("a blocked parent event loop causes no false kill: the stalled tick is discounted (B4)", async () => {
  const { clock, fakes, manager } = setup();
  const exits = record(manager, 'exit');
  const suspects = record(manager, 'suspect');
  manager.spawn({ name: 'p', module: MODULE, isolation: 'process' });
  fakes.last().ready();
  fakes.last().beat();
  await clock.advance(100);
  clock.stall(1000); // the parent's loop is blocked for 1 s; the worker keeps beating meanwhile
  await clock.advance(0); // overdue ticks fire before the queued heartbeats are read
  for (let i = 0; i < 10; i++) fakes.last().beat();
  await clock.advance(100);
  fakes.last().beat();
  await clock.advance(100);
  assert.equal(exits.length, 0, 'false_kills = 0');
  assert.equal(suspects.length, 0);
});

test('a real hang is still killed after a parent stall (twin of the lag discount)', async () => {
  const { clock, fakes, manager } = setup();
  const exits = record(manager, 'exit');
  manager.spawn({ name: 'p', module: MODULE, isolation: 'process' });
  fakes.last().ready();
  fakes.last().beat();
  await clock.advance(100);
  clock.stall(1000);
  await clock.advance(600);
  assert.equal(exits[0]?.reason, 'hung');
});

test("a dead generation's late messages and exit are fenced off (A18)", async () => {
  const { clock, fakes, manager } = setup();
  const exits = record(manager, 'exit');
  const handle = manager.spawn({ name: 'w', module: MODULE, isolation: 'process' });
  const old = fakes.last();
  old.ready();
  old.exit(1);
  await clock.advance(100);
  const fresh = fakes.last();
  assert.equal(fresh.generation, 2);
  old.events.message(JSON.stringify({ type: 'ready', gen: 1, pid: 1, loops: [], commands: [] }));
  old.events.message(JSON.stringify({ type: 'heartbeat', gen: 1, beat: 99, task: 'stale' }));
  old.events.exit({ code: 1, signal: null, error: undefined });
  assert.equal(handle.state, 'starting', 'the old ready did not make generation 2 running');
  assert.equal(exits.length, 1, 'the old exit was not counted twice');
  assert.equal(manager.list()[0]?.ipc.rejected['stale-generation'], 2, 'stale_msgs_accepted = 0');
  fresh.ready();
  assert.equal(handle.state, 'running');
});

test('a heartbeat carrying another generation on the current channel is refused and proves nothing (D2)', async () => {
  const { clock, fakes, manager } = setup({ killAfterBeats: 5 });
  const exits = record(manager, 'exit');
  manager.spawn({ name: 'w', module: MODULE, isolation: 'process' });
  const worker = fakes.last();
  worker.ready();
  for (let t = 0; t < 600; t += 25) {
    worker.message({ type: 'heartbeat', gen: 2, beat: t + 1, task: null } as never);
    await clock.advance(25);
  }
  assert.equal(exits[0]?.reason, 'hung', 'spoofed beats did not keep it alive');
  assert.ok((manager.list()[0]?.ipc.rejected['stale-generation'] ?? 0) > 0);
  assert.equal(manager.list()[0]?.ipc.heartbeats.processed, 0, 'accepted = 0');
});

test('a heartbeat flood is coalesced before parsing (D1); a non-monotonic beat is refused', async () => {
  const { clock, fakes, manager } = setup();
  manager.spawn({ name: 'flood', module: MODULE, isolation: 'process' });
  const worker = fakes.last();
  worker.ready();
  for (let i = 1; i <= 10_000; i++) {
    worker.events.message(`{"type":"heartbeat","gen":1,"beat":${i},"task":null}`);
    if (i % 1000 === 0) await clock.advance(100);
  }
  const { heartbeats } = manager.list()[0]!.ipc;
  assert.equal(heartbeats.received, 10_000);
  assert.ok(heartbeats.processed <= 10, `processed ${heartbeats.processed}`);
  await clock.advance(100);
  worker.events.message('{"type":"heartbeat","gen":1,"beat":3,"task":null}');
  assert.equal(manager.list()[0]?.ipc.rejected['non-monotonic'], 1);
  assert.equal(manager.list()[0]?.state, 'running');
});

test('malformed messages are counted by reason and never disturb the worker (D4)', async () => {
  const { fakes, manager } = setup();
  manager.spawn({ name: 'w', module: MODULE, isolation: 'process' });
  const worker = fakes.last();
  worker.ready();
  for (const raw of ['garbage', '{"type":"nope","gen":1}', '{"type":"heartbeat","gen":1,"beat":1,"task":null,"__proto__":{"x":1}}', 17, '{"type":"stats","gen":1}']) {
    worker.events.message(raw);
  }
  worker.events.tooLarge();
  const { rejected } = manager.list()[0]!.ipc;
  assert.deepEqual(rejected, { 'invalid-json': 1, 'unknown-type': 1, 'forbidden-key': 1, 'not-text': 1, 'invalid-message': 1, 'too-large': 1 });
  assert.equal(manager.list()[0]?.state, 'running');
  assert.equal(({} as { x?: unknown }).x, undefined);
});

test('a closed control channel is a failure, detected at once (D5); a clean exit 0 is a failure too (A6)', async () => {
  const { clock, fakes, manager } = setup();
  const exits = record(manager, 'exit');
  manager.spawn({ name: 'w', module: MODULE, isolation: 'process' });
  fakes.last().ready();
  fakes.last().events.disconnect();
  assert.equal(exits.length, 0, 'the exit may still follow');
  await clock.advance(10);
  assert.equal(exits[0]?.reason, 'disconnected');
  assert.equal(manager.list()[0]?.state, 'restarting');
  await clock.advance(100);
  fakes.last().ready();
  fakes.last().exit(0);
  assert.equal(exits[1]?.reason, 'exited');
  assert.equal(exits[1]?.expected, false, 'classified_as = failure');
  assert.equal(manager.list()[0]?.state, 'restarting');
});

test('an exit that outlasts the disconnect grace still says how the worker died: its own code is a crash, the kill is a disconnect (twin)', async () => {
  const { clock, fakes, manager } = setup();
  const exits = record(manager, 'exit');
  manager.spawn({ name: 'w', module: MODULE, isolation: 'thread' });
  const worker = fakes.last();
  worker.onKill = 'ignore'; // a busy machine: the thread's exit comes after the grace
  worker.ready();
  worker.events.disconnect();
  await clock.advance(10);
  assert.equal(worker.kills, 1);
  worker.exit(70); // what the worker itself exited with (process.exit(70))
  assert.deepEqual([exits[0]?.reason, exits[0]?.code], ['crashed', 70]);
  await clock.advance(100);
  const next = fakes.last();
  next.onKill = 'ignore';
  next.ready();
  next.events.disconnect();
  await clock.advance(10);
  next.exit(1); // a terminated thread exits with code 1: the kill's doing
  assert.equal(exits[1]?.reason, 'disconnected');
});

test('a worker that never reports ready is killed at startTimeoutMs', async () => {
  const { clock, fakes, manager } = setup({ startTimeoutMs: 2000 });
  const exits = record(manager, 'exit');
  manager.spawn({ name: 'slow', module: MODULE });
  await clock.advance(1999);
  assert.equal(exits.length, 0);
  await clock.advance(1);
  assert.equal(exits[0]?.reason, 'start-timeout');
  assert.equal(fakes.workers[0]?.kills, 1);
});

test('requests: correlation, typed timeout, late response counted, in-flight rejected as aborted on exit', async () => {
  const { clock, fakes, manager } = setup({ requestTimeoutMs: 1000 });
  const handle = manager.spawn({ name: 'w', module: MODULE, isolation: 'process' });
  const worker = fakes.last();
  worker.ready();
  const first = handle.request('setFrameRate', { fps: 60 });
  const second = assert.rejects(handle.request('status', undefined, { timeoutMs: 50 }), { code: 'ERR_TACTUS_WORKER_TIMEOUT' });
  const [a, b] = worker.sentOf('request');
  assert.deepEqual(a, { type: 'request', id: 1, command: 'setFrameRate', payload: { fps: 60 } });
  worker.message({ type: 'response', id: a!.id, ok: true, result: { fps: 60 } } as never);
  assert.deepEqual(await first, { fps: 60 });
  await clock.advance(50);
  await second;
  worker.message({ type: 'response', id: b!.id, ok: true, result: null } as never);
  assert.equal(manager.list()[0]?.ipc.rejected.unexpected, 1);
  const third = handle.request('x');
  worker.message({ type: 'response', id: 3, ok: false, error: { code: 'ERR_TACTUS_UNKNOWN_COMMAND', message: 'no x' } } as never);
  await assert.rejects(third, { code: 'ERR_TACTUS_UNKNOWN_COMMAND', name: 'UnknownCommandError' });
  const inflight = assert.rejects(handle.request('slow'), { code: 'ERR_TACTUS_WORKER_UNAVAILABLE', reason: 'aborted' });
  worker.exit(null, 'SIGKILL');
  await inflight;
  await assert.rejects(handle.request('during-backoff'), { code: 'ERR_TACTUS_WORKER_UNAVAILABLE', reason: 'restarting' });
  await assert.rejects(handle.request('' as never), { code: 'ERR_TACTUS_INVALID_CONFIG' });
  await assert.rejects(handle.request('x', undefined, { timeoutMs: -1 }), { code: 'ERR_TACTUS_INVALID_CONFIG' });
});

test('stop drains in reverse start order: a cooperative worker exits, an uncooperative one is killed at stopTimeoutMs (A11, A13)', async () => {
  const { clock, fakes, manager } = setup({ stopTimeoutMs: 5000 });
  const exits = record(manager, 'exit');
  const names = ['a', 'b', 'c', 'd', 'e'];
  for (const name of names) {
    manager.spawn({ name, module: MODULE });
    fakes.last().ready();
  }
  const stopped = manager.stop();
  assert.throws(() => manager.spawn({ name: 'new', module: MODULE }), { code: 'ERR_TACTUS_MANAGER_STOPPED' });
  const order: string[] = [];
  const healthy = async (ms: number): Promise<void> => {
    for (let left = ms; left > 0; left -= 50) {
      for (const worker of fakes.workers) worker.beat();
      await clock.advance(Math.min(50, left));
    }
  };
  for (let i = names.length - 1; i >= 0; i--) {
    const worker = fakes.workers[i]!;
    await clock.advance(0);
    assert.equal(worker.sentOf('stop').length, 1, `${names[i]} got its stop command`);
    assert.ok(fakes.workers.slice(0, i).every((w) => w.sentOf('stop').length === 0), 'one at a time');
    order.push(worker.request.name);
    if (worker.request.name === 'c') {
      await healthy(5000); // ignores the stop: killed at the timeout
    } else {
      await healthy(200);
      worker.exit(0);
    }
  }
  await stopped;
  assert.deepEqual(order, ['e', 'd', 'c', 'b', 'a']);
  assert.deepEqual(exits.map((e) => `${e.name}:${e.reason}`), ['e:stopped', 'd:stopped', 'c:killed', 'b:stopped', 'a:stopped']);
  assert.ok(exits.every((e) => e.expected));
  assert.equal(clock.now(), 4 * 200 + 5000);
  assert.ok(manager.list().every((w) => w.state === 'stopped'));
  assert.equal(fakes.workers.length, 5, 'nothing restarted during the stop');
});

test('a worker failing while it waits for its turn to stop is not restarted (no restarts during shutdown)', async () => {
  const { clock, fakes, manager } = setup();
  manager.spawn({ name: 'first', module: MODULE });
  fakes.last().ready();
  manager.spawn({ name: 'second', module: MODULE });
  fakes.last().ready();
  const stopped = manager.stop();
  await clock.advance(0);
  fakes.workers[0]!.exit(1); // 'first' crashes while 'second' drains
  await clock.advance(1000);
  fakes.workers[1]!.exit(0);
  await stopped;
  assert.equal(fakes.workers.length, 2);
  assert.ok(manager.list().every((w) => w.state === 'stopped'));
});

test('terminate kills every worker at once; in-flight requests are aborted (A12)', async () => {
  const { fakes, manager } = setup();
  const handles = Array.from({ length: 10 }, (_, i) => {
    const handle = manager.spawn({ name: `w${i}`, module: MODULE });
    fakes.last().ready();
    return handle;
  });
  const inflight = handles.map((h) => h.request('work').then(() => 'completed', (e: { reason?: string }) => e.reason));
  await manager.terminate();
  assert.deepEqual(await Promise.all(inflight), Array(10).fill('aborted'));
  assert.ok(fakes.workers.every((w) => w.kills === 1));
  assert.ok(manager.list().every((w) => w.state === 'stopped'));
});

test('stop and terminate racing, many times: idempotent, no unhandled rejection, nothing left running (A14)', async () => {
  let unhandled = 0;
  const onUnhandled = (): void => {
    unhandled++;
  };
  process.on('unhandledRejection', onUnhandled);
  try {
    for (let i = 0; i < 200; i++) {
      const { clock, fakes, manager } = setup({ stopTimeoutMs: 100 });
      manager.spawn({ name: 'a', module: MODULE });
      fakes.last().ready();
      manager.spawn({ name: 'b', module: MODULE });
      if (i % 2 === 0) fakes.last().exit(1);
      const calls = [manager.stop(), manager.terminate(), manager.stop(), manager.terminate()];
      await clock.advance(200);
      await Promise.all(calls);
      assert.ok(manager.list().every((w) => w.state === 'stopped'));
      assert.ok(fakes.workers.every((w) => w.exited || w.generation === 0));
    }
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  assert.equal(unhandled, 0);
});

test('restart(name): graceful stop, then a fresh generation at once, not counted against the budget', async () => {
  const { clock, fakes, manager } = setup();
  const restarts = record(manager, 'restart');
  const handle = manager.spawn({ name: 'w', module: MODULE });
  fakes.last().ready();
  const done = manager.restart('w');
  assert.equal(fakes.last().sentOf('stop').length, 1);
  fakes.last().exit(0);
  assert.equal(fakes.workers.length, 2);
  fakes.last().ready();
  await done;
  await clock.advance(1);
  assert.equal(handle.generation, 2);
  assert.equal(restarts.length, 0, 'no backoff restart');
  assert.equal(manager.list()[0]?.restarts, 1);
});

test('worker loops appear in scheduler.describe() marked isolated; a hung worker never blocks local tasks (seed 000)', async () => {
  const { clock, fakes, manager } = setup();
  const scheduler = new Scheduler({ clock });
  const detach = manager.attachTo(scheduler);
  let localRuns = 0;
  scheduler.schedulePeriodic({ name: 'local', periodMs: 10 }, () => {
    localRuns++;
  });
  scheduler.start();
  manager.spawn({ name: 'cam', module: MODULE });
  fakes.last().ready([{ name: 'capture', periodMs: 33, deadlineMs: 30 }]);
  const suspects = record(manager, 'suspect');
  await clock.advance(400); // the worker never beats: suspect, and local work goes on
  const described = scheduler.describe().tasks;
  const isolated = described.find((t) => t.name === 'cam/capture');
  assert.equal(isolated?.isolated, true);
  assert.equal(isolated?.periodMs, 33);
  assert.equal(isolated?.deadlineMs, 30);
  assert.equal(suspects.length, 1);
  assert.ok(localRuns >= 40, `local runs ${localRuns}`);
  detach();
  assert.equal(scheduler.describe().tasks.some((t) => t.isolated), false);
  await scheduler.stop();
});

test('options and specs are validated eagerly, naming the field and the value', () => {
  assert.throws(() => new WorkerManager({ heartbeatMs: 0 }), /heartbeatMs.*\(got 0\)/);
  assert.throws(() => new WorkerManager({ suspectAfterBeats: 6 }), /suspectAfterBeats/);
  const { manager } = setup();
  assert.throws(() => manager.spawn({ name: '__proto__', module: MODULE }), { code: 'ERR_TACTUS_INVALID_CONFIG' });
  assert.throws(() => manager.spawn({ name: 'rel', module: './worker.js' }), /module/);
  assert.throws(() => manager.spawn({ name: 'cfg', module: MODULE, config: { f: () => 1 } as never }), /config/);
  assert.throws(() => manager.spawn({ name: 'x', module: MODULE, isolation: 'vm' as never }), /isolation/);
  assert.throws(() => manager.spawn({ name: 'big', module: MODULE, config: { blob: 'x'.repeat(2 * 1024 * 1024) } }), /config is \d+ bytes/);
  manager.spawn({ name: 'dup', module: MODULE });
  assert.throws(() => manager.spawn({ name: 'dup', module: MODULE }), { code: 'ERR_TACTUS_DUPLICATE_WORKER' });
  assert.throws(() => manager.resetDegraded('nobody'), { code: 'ERR_TACTUS_UNKNOWN_WORKER' });
});
