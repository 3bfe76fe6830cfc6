/**
 * Supervision on real threads and processes (reliability plan A1, A2, A5-A7, A11-A14, A17). Faults
 * strike after a handshake (the arming command's response); figures go to the test diagnostics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { launchThread } from '../../src/workers/launch/thread-launcher.js';
import type { WorkerConnection } from '../../src/workers/launch/connection.js';
import { collect, FAULT_WORKER, nextEvent, realManager, until, type FaultWorker } from './helpers/real.js';

for (const isolation of ['thread', 'process'] as const) {
  test(`${isolation}: spawn, request, loop stats, graceful stop`, async (t) => {
    const manager = realManager(t);
    const handle = manager.spawn<FaultWorker>({ name: 'w', module: FAULT_WORKER, isolation, category: 'test' });
    await handle.ready();
    const status = await handle.request('status');
    assert.equal(status.generation, 1);
    assert.equal(status.pid, isolation === 'process' ? handle.pid : process.pid);
    await assert.rejects(manager.get(handle.name)!.request('nope'), { code: 'ERR_TACTUS_UNKNOWN_COMMAND' });
    await assert.rejects(handle.request('fault', { kind: 'sideways' } as never), { code: 'ERR_TACTUS_INVALID_PAYLOAD' });
    const [snapshot] = manager.list();
    assert.equal(snapshot?.state, 'running');
    assert.equal(snapshot?.loops[0]?.name, 'tick');
    const started = performance.now();
    await manager.stop();
    t.diagnostic(`stop_ms=${(performance.now() - started).toFixed(1)}`);
    assert.equal(handle.state, 'stopped');
    assert.equal(manager.list()[0]?.pid, null);
  });
}

test('process SIGKILLed mid-run: exit seen at once, restarted, beating again (A1)', async (t) => {
  const manager = realManager(t);
  const handle = manager.spawn<FaultWorker>({ name: 'p', module: FAULT_WORKER, isolation: 'process' });
  await handle.ready();
  assert.equal(await handle.request('fault', { kind: 'block', ms: 10_000 }), 'armed');
  const exited = nextEvent(manager, 'exit');
  const killedAt = performance.now();
  process.kill(handle.pid!, 'SIGKILL');
  const exit = await exited;
  const detectMs = performance.now() - killedAt;
  assert.equal(exit.reason, 'crashed');
  assert.equal(exit.signal, 'SIGKILL');
  assert.equal(exit.expected, false);
  await handle.ready();
  const restartMs = performance.now() - killedAt;
  assert.equal((await handle.request('status')).generation, 2);
  t.diagnostic(`detect_ms=${detectMs.toFixed(1)} restart_ms=${restartMs.toFixed(1)}`);
  await manager.stop();
});

test('a process worker leaves shutdown to its parent: the SIGINT and SIGTERM of a Ctrl-C or of systemd do not kill it, the drain stops it (twin of A1)', async (t) => {
  const manager = realManager(t);
  const exits = collect(manager, 'exit');
  const handle = manager.spawn<FaultWorker>({ name: 'p', module: FAULT_WORKER, isolation: 'process' });
  await handle.ready();
  const pid = handle.pid!;
  process.kill(pid, 'SIGINT');
  process.kill(pid, 'SIGTERM');
  // the signals were delivered when kill() returned; the worker answering afterwards, as the same
  // generation, shows they did not end it
  const status = await handle.request('status');
  assert.deepEqual([status.generation, status.pid], [1, pid]);
  assert.equal(exits.length, 0);
  await manager.stop();
  assert.deepEqual(exits.map((e) => [e.reason, e.expected]), [['stopped', true]]);
});

test('thread terminated from outside the supervisor: a crash, restarted, no unhandled rejection (A2)', async (t) => {
  let unhandled = 0;
  const onUnhandled = (): void => {
    unhandled++;
  };
  process.on('unhandledRejection', onUnhandled);
  const connections: WorkerConnection[] = [];
  const manager = realManager(t, {
    launcher: (request, events) => {
      const connection = launchThread(request, events);
      connections.push(connection);
      return connection;
    },
  });
  const handle = manager.spawn<FaultWorker>({ name: 't', module: FAULT_WORKER });
  await handle.ready();
  assert.equal(await handle.request('fault', { kind: 'block', ms: 10_000 }), 'armed');
  const inflight = handle.request('status').then(() => 'answered before the kill', (error: { reason?: string }) => error.reason ?? 'no reason');
  const exited = nextEvent(manager, 'exit');
  connections[0]!.kill(); // worker.terminate() mid-run, as if someone else did it
  const exit = await exited;
  assert.equal(exit.reason, 'crashed');
  assert.equal(exit.code, 1);
  assert.match(await inflight, /^(aborted|answered before the kill)$/, 'settled either way, never left hanging');
  await handle.ready();
  assert.equal(handle.generation, 2);
  await manager.stop();
  process.off('unhandledRejection', onUnhandled);
  assert.equal(unhandled, 0);
});

test('an uncaught exception after a command resolved: result delivered, worker replaced, next request served (A5)', async (t) => {
  const manager = realManager(t);
  const handle = manager.spawn<FaultWorker>({ name: 'late', module: FAULT_WORKER });
  await handle.ready();
  const exited = nextEvent(manager, 'exit');
  assert.equal(await handle.request('throwLater'), 'resolved');
  const exit = await exited;
  assert.equal(exit.reason, 'crashed');
  assert.match(exit.error ?? '', /uncaught, after the command resolved/);
  await handle.ready();
  assert.equal((await handle.request('status')).generation, 2, 'tasks_lost = 0');
  await manager.stop();
});

test('a clean exit(0) of a long-lived worker is a failure and is restarted (A6)', async (t) => {
  const manager = realManager(t);
  const safety = collect(manager, 'safety');
  const handle = manager.spawn<FaultWorker>({ name: 'quitter', module: FAULT_WORKER, isolation: 'process' });
  await handle.ready();
  const exited = nextEvent(manager, 'exit');
  await handle.request('exit', { code: 0 });
  const exit = await exited;
  assert.equal(exit.reason, 'exited');
  assert.equal(exit.expected, false, 'classified_as = failure');
  assert.equal(safety[0]?.action, 'restart');
  await handle.ready();
  assert.equal(handle.generation, 2);
  await manager.stop();
});

test('crash-on-start loop reaches degraded exactly once, reporting the cause (A7)', async (t) => {
  const manager = realManager(t, { backoff: { initialMs: 10, maxMs: 80 } });
  const degraded = collect(manager, 'degraded');
  const exits = collect(manager, 'exit');
  const restarts = collect(manager, 'restart');
  const handle = manager.spawn({ name: 'broken', module: FAULT_WORKER, config: { mode: 'crash-on-start' } });
  await assert.rejects(handle.ready(), { code: 'ERR_TACTUS_WORKER_UNAVAILABLE', reason: 'degraded' });
  assert.equal(handle.state, 'degraded');
  assert.equal(degraded.length, 1);
  assert.equal(exits.length, 6);
  assert.equal(handle.generation, 6);
  assert.match(exits[0]?.error ?? '', /E_NO_DEVICE: the device did not answer/);
  t.diagnostic(`restart_delays_ms=${restarts.map((r) => r.delayMs.toFixed(0)).join(',')}`);
  await manager.stop();
  assert.equal(handle.generation, 6, 'spawns_after_degraded = 0');
});

test('stop drains in reverse start order: slow and stubborn workers, killed only at the timeout (A11, A13)', async (t) => {
  const manager = realManager(t, { stopTimeoutMs: 400 });
  const exits = collect(manager, 'exit');
  const specs = [
    { name: 'first', config: { mode: 'slow-stop', teardownMs: 100 } },
    { name: 'stubborn', config: { mode: 'stubborn-stop' } },
    { name: 'last', config: {} },
  ];
  const handles = specs.map((spec, i) => manager.spawn({ ...spec, module: FAULT_WORKER, isolation: i === 1 ? 'process' : 'thread' }));
  await Promise.all(handles.map((h) => h.ready()));
  const started = performance.now();
  const stopped = manager.stop();
  assert.throws(() => manager.spawn({ name: 'late', module: FAULT_WORKER }), { code: 'ERR_TACTUS_MANAGER_STOPPED' });
  await stopped;
  const stopMs = performance.now() - started;
  assert.deepEqual(exits.map((e) => `${e.name}:${e.reason}`), ['last:stopped', 'stubborn:killed', 'first:stopped']);
  assert.ok(exits.every((e) => e.expected));
  assert.ok(stopMs >= 400 + 100, `stop took ${stopMs} ms: the stubborn worker got its full timeout, the slow one its teardown`);
  t.diagnostic(`stop_ms=${stopMs.toFixed(1)} exit_reasons=${exits.map((e) => e.reason).join(',')}`);
});

test('terminate kills busy workers at once; requests in flight are aborted (A12)', async (t) => {
  const manager = realManager(t);
  const handles = ['a', 'b', 'c', 'd'].map((name, i) => manager.spawn<FaultWorker>({ name, module: FAULT_WORKER, isolation: i % 2 === 0 ? 'thread' : 'process' }));
  await Promise.all(handles.map((h) => h.ready()));
  // each worker is wedged inside the command: it can never answer, only be killed
  const outcomes = handles.map((h) => h.request('wedge').then(() => 'completed', (e: { reason?: string }) => e.reason ?? 'error'));
  const started = performance.now();
  await manager.terminate();
  const killMs = performance.now() - started;
  assert.deepEqual(await Promise.all(outcomes), ['aborted', 'aborted', 'aborted', 'aborted']);
  assert.ok(manager.list().every((w) => w.state === 'stopped'));
  t.diagnostic(`kill_ms_max=${killMs.toFixed(1)}`);
});

test('stop and terminate racing on real workers: idempotent, no orphan, no unhandled rejection (A14)', async (t) => {
  let unhandled = 0;
  const onUnhandled = (): void => {
    unhandled++;
  };
  process.on('unhandledRejection', onUnhandled);
  const pids: number[] = [];
  for (let i = 0; i < 6; i++) {
    const manager = realManager(t);
    const handle = manager.spawn({ name: 'r', module: FAULT_WORKER, isolation: i % 2 === 0 ? 'thread' : 'process' });
    if (i % 3 !== 2) await handle.ready();
    if (handle.isolation === 'process' && handle.pid !== null) pids.push(handle.pid);
    await Promise.all([manager.stop(), manager.terminate(), manager.stop(), manager.terminate()]);
    assert.equal(handle.state, 'stopped');
  }
  process.off('unhandledRejection', onUnhandled);
  assert.equal(unhandled, 0);
  for (const pid of pids) assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `process ${pid} is gone`);
});

test('a SIGKILLed supervisor leaves no orphan: its process worker exits when the control pipe closes (A17)', async (t) => {
  const parent = spawn(process.execPath, [...process.execArgv, new URL('./fixtures/orphan-parent.ts', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => parent.kill('SIGKILL'));
  const pid = await new Promise<number>((resolve, reject) => {
    parent.stdout.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim())));
    parent.once('exit', () => reject(new Error('the supervisor exited early')));
  });
  assert.doesNotThrow(() => process.kill(pid, 0), 'the worker runs');
  parent.kill('SIGKILL');
  const killedAt = performance.now();
  // exited = gone, or a zombie waiting for init (its new parent) to reap it: no longer running
  const exited = (): boolean => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
    } catch {
      return true;
    }
  };
  await until(exited, 'the orphaned worker to exit', 5000);
  const goneMs = performance.now() - killedAt;
  assert.ok(exited(), 'orphans_after_1s = 0');
  t.diagnostic(`orphan_gone_ms=${goneMs.toFixed(1)}`);
});
