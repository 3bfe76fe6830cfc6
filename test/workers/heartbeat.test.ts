/**
 * Hang detection on real threads and processes (reliability plan A3, A4, B4, B5, D3), each with a
 * twin proving no false positive. Beats every 50 ms: suspect after 3 missed, killed after 5.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockParent, collect, FAULT_WORKER, holdFiles, nextEvent, realManager, until, type FaultWorker } from './helpers/real.js';

test('a process stopped with SIGSTOP is suspect, then killed with SIGKILL and restarted (A3)', async (t) => {
  const manager = realManager(t);
  const handle = manager.spawn<FaultWorker>({ name: 'frozen', module: FAULT_WORKER, isolation: 'process' });
  await handle.ready();
  const pid = handle.pid!;
  const suspect = nextEvent(manager, 'suspect');
  const exited = nextEvent(manager, 'exit');
  const stoppedAt = performance.now();
  process.kill(pid, 'SIGSTOP');
  await suspect;
  const suspectMs = performance.now() - stoppedAt;
  const exit = await exited;
  const killMs = performance.now() - stoppedAt;
  assert.equal(exit.reason, 'hung');
  assert.equal(exit.signal, 'SIGKILL', 'a stopped process only yields to SIGKILL');
  await handle.ready();
  assert.equal(handle.generation, 2);
  t.diagnostic(`suspect_ms=${suspectMs.toFixed(1)} kill_ms=${killMs.toFixed(1)} signal_used=${exit.signal}`);
});

for (const isolation of ['thread', 'process'] as const) {
  test(`${isolation}: an endless loop in the worker is killed after 5 missed beats and restarted (A4)`, async (t) => {
    const manager = realManager(t);
    const safety = collect(manager, 'safety');
    const handle = manager.spawn<FaultWorker>({ name: 'spin', module: FAULT_WORKER, isolation });
    await handle.ready();
    const exited = nextEvent(manager, 'exit');
    assert.equal(await handle.request('fault', { kind: 'hang' }), 'armed');
    const armedAt = performance.now();
    const exit = await exited;
    const hangToExitMs = performance.now() - armedAt;
    assert.equal(exit.reason, 'hung');
    assert.equal(safety[0]?.reason, 'hung');
    await handle.ready();
    assert.equal((await handle.request('status')).generation, 2);
    t.diagnostic(`hang_to_exit_ms=${hangToExitMs.toFixed(1)} (beats every 50 ms, kill after 5 missed)`);
  });

  test(`${isolation}: a healthy worker over the same span is never suspect (A3/A4 twin)`, async (t) => {
    const manager = realManager(t);
    const suspects = collect(manager, 'suspect');
    const handle = manager.spawn<FaultWorker>({ name: 'fine', module: FAULT_WORKER, isolation });
    await handle.ready();
    const first = (await handle.request('status')).ticks;
    await until(() => manager.list()[0]!.loops[0]!.stats.runs > first + 60, 'sixty more loop runs (600 ms)');
    assert.equal(suspects.length, 0);
    assert.equal(handle.generation, 1);
  });
}

test('a loop wedged on a promise that never settles is hung even though its event loop is free (D3)', async (t) => {
  const manager = realManager(t);
  const handle = manager.spawn<FaultWorker>({ name: 'wedged', module: FAULT_WORKER, isolation: 'process' });
  await handle.ready();
  const exited = nextEvent(manager, 'exit');
  await handle.request('fault', { kind: 'wedge' });
  const exit = await exited;
  assert.equal(exit.reason, 'hung', 'progress, not liveness: the worker still answered its event loop');
});

test('a worker blocking its own loop past 3 beats but under 5 is suspect, recovers, and is not killed (B5)', async (t) => {
  // The block lasts until the test has seen `suspect` (a release file, not a fixed 180 ms): on a
  // loaded machine the parent's late ticks are charged at most two tick periods each, so a fixed
  // short block can end before 3 beats' worth of silence is charged.
  const hold = holdFiles(t);
  const manager = realManager(t);
  const exits = collect(manager, 'exit');
  const handle = manager.spawn<FaultWorker>({ name: 'hiccup', module: FAULT_WORKER });
  const neighbour = manager.spawn<FaultWorker>({ name: 'neighbour', module: FAULT_WORKER });
  await Promise.all([handle.ready(), neighbour.ready()]);
  const suspect = nextEvent(manager, 'suspect');
  const recovered = nextEvent(manager, 'state-change', (e) => e.name === 'hiccup' && e.from === 'suspect' && e.to === 'running');
  await handle.request('fault', { kind: 'hold', ms: 10_000, until: hold.release });
  assert.equal((await suspect).name, 'hiccup');
  hold.letGo();
  await recovered;
  assert.equal(exits.length, 0, 'the policy: suspect at 3 missed beats, kill only at 5');
  assert.equal(neighbour.state, 'running', 'the neighbour never noticed');
});

test('a parent event loop blocked for 1 s kills nobody (B4)', async (t) => {
  const manager = realManager(t);
  const exits = collect(manager, 'exit');
  const handles = (['thread', 'process'] as const).map((isolation) => manager.spawn<FaultWorker>({ name: isolation, module: FAULT_WORKER, isolation }));
  await Promise.all(handles.map((h) => h.ready()));
  blockParent(1000);
  // let the overdue watchdog ticks and the queued heartbeats play out
  await until(() => manager.list().every((w) => w.heartbeatAgeMs !== null && w.heartbeatAgeMs < 50), 'fresh heartbeats from both workers');
  await Promise.all(handles.map((h) => h.request('status')));
  assert.equal(exits.length, 0, 'false_kills = 0');
  assert.ok(handles.every((h) => h.generation === 1));
});
