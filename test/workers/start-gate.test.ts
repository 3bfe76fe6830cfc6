/**
 * The start gate under ManualClock with fake workers: at most `maxConcurrentStarts` workers boot at
 * once; the rest wait in `starting`, without a start timeout running, and launch in spawn order as
 * slots come back (on ready or on exit). A stop while waiting never launches. A restart is
 * pre-launched during its backoff only when a slot is free. The unit itself: StartGate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StartGate } from '../../src/workers/start-gate.js';
import { FAKE_MODULE, fakeManager } from './helpers/fake-manager.js';
import { collect } from './helpers/real.js';

test('StartGate: slots up to the limit, then FIFO waiters; a withdrawn waiter is skipped', () => {
  const gate = new StartGate(2);
  const order: string[] = [];
  gate.acquire(() => order.push('a'));
  gate.acquire(() => order.push('b'));
  gate.acquire(() => order.push('c'));
  const withdrawD = gate.acquire(() => order.push('d'));
  gate.acquire(() => order.push('e'));
  assert.deepEqual([order, gate.booting, gate.waiting], [['a', 'b'], 2, 3]);
  withdrawD();
  gate.release();
  gate.release();
  assert.deepEqual([order, gate.booting, gate.waiting], [['a', 'b', 'c', 'e'], 2, 0]);
  gate.release();
  gate.release();
  assert.equal(gate.booting, 0);
  assert.equal(gate.tryAcquire(), true);
});

test('StartGate.close: a released slot passes to no waiter, and no slot is taken any more', () => {
  const gate = new StartGate(1);
  const order: string[] = [];
  gate.acquire(() => order.push('a'));
  gate.acquire(() => order.push('b'));
  gate.close();
  gate.release();
  assert.deepEqual([order, gate.booting, gate.tryAcquire()], [['a'], 0, false]);
});

test('spawning more workers than maxConcurrentStarts: the rest wait in starting, with no start timeout running, and launch in order as slots return', async () => {
  const { clock, fakes, manager } = fakeManager({ maxConcurrentStarts: 2, startTimeoutMs: 1000, heartbeatMs: 60_000 });
  const exits = collect(manager, 'exit');
  const handles = ['w0', 'w1', 'w2', 'w3', 'w4'].map((name) => manager.spawn({ name, module: FAKE_MODULE }));
  assert.equal(fakes.workers.length, 2, 'two boot');
  assert.deepEqual(handles.map((h) => h.state), ['starting', 'starting', 'starting', 'starting', 'starting']);
  fakes.workers[0]!.ready(); // w0 ready: its slot goes to w2
  assert.deepEqual(fakes.workers.map((w) => w.request.name), ['w0', 'w1', 'w2']);
  await clock.advance(999);
  fakes.workers[1]!.ready();
  fakes.workers[2]!.exit(1); // a boot that crashes gives its slot back too
  assert.deepEqual(fakes.workers.map((w) => w.request.name), ['w0', 'w1', 'w2', 'w3', 'w4']);
  await clock.advance(999); // w3 and w4 waited ~1000 ms before they launched: their timeout runs from the launch
  assert.equal(exits.filter((e) => e.reason === 'start-timeout').length, 0);
  // w2's restart (backoff over) waits for a slot: w3 and w4 hold both
  assert.deepEqual(handles.map((h) => h.state), ['running', 'running', 'starting', 'starting', 'starting']);
  assert.equal(fakes.workers.length, 5);
  fakes.workers[3]!.ready();
  fakes.workers[4]!.ready();
  assert.equal(fakes.workers.length, 6);
  fakes.last().ready();
  assert.deepEqual(handles.map((h) => h.state), ['running', 'running', 'running', 'running', 'running']);
});

test('no limit reached (twin): every spawn launches at once', () => {
  const { fakes, manager } = fakeManager({ maxConcurrentStarts: 5 });
  for (const name of ['w0', 'w1', 'w2', 'w3', 'w4']) manager.spawn({ name, module: FAKE_MODULE });
  assert.equal(fakes.workers.length, 5);
});

test('a worker stopped while waiting for a slot stops without ever launching; the others go on', async () => {
  const { fakes, manager } = fakeManager({ maxConcurrentStarts: 1 });
  manager.spawn({ name: 'first', module: FAKE_MODULE });
  const waiting = manager.spawn({ name: 'waiting', module: FAKE_MODULE });
  const third = manager.spawn({ name: 'third', module: FAKE_MODULE });
  await waiting.stop();
  assert.equal(waiting.state, 'stopped');
  fakes.workers[0]!.ready();
  assert.deepEqual(fakes.workers.map((w) => w.request.name), ['first', 'third']);
  fakes.last().ready();
  assert.equal(third.state, 'running');
});

test('a restart is pre-launched during its backoff only when a slot is free, else it launches through the gate when the backoff ends', async () => {
  const { clock, fakes, manager } = fakeManager({ maxConcurrentStarts: 1 });
  const crashy = manager.spawn({ name: 'crashy', module: FAKE_MODULE });
  fakes.last().ready();
  const slow = manager.spawn({ name: 'slow', module: FAKE_MODULE }); // holds the only slot while it boots
  assert.equal(fakes.workers.length, 2);
  fakes.workers[0]!.exit(1); // crashy fails: no slot for a pre-launch
  assert.equal(crashy.state, 'restarting');
  assert.equal(fakes.workers.length, 2, 'not pre-launched');
  await clock.advance(200); // backoff (100 ms) over: crashy waits for the slot
  assert.equal(crashy.state, 'starting');
  assert.equal(fakes.workers.length, 2);
  fakes.workers[1]!.ready();
  assert.equal(slow.state, 'running');
  assert.deepEqual(fakes.workers.map((w) => w.request.name), ['crashy', 'slow', 'crashy']);
  fakes.last().ready();
  assert.equal(crashy.state, 'running');
  assert.equal(crashy.snapshot().restarts, 1);
});

test('a restart withdrawn by a stop while it waits for the gate is not counted (twin: the restart above counts once it launches)', async () => {
  const { clock, fakes, manager } = fakeManager({ maxConcurrentStarts: 1 });
  const crashy = manager.spawn({ name: 'crashy', module: FAKE_MODULE });
  fakes.last().ready();
  manager.spawn({ name: 'slow', module: FAKE_MODULE }); // holds the only slot while it boots
  fakes.workers[0]!.exit(1);
  await clock.advance(200); // backoff over: crashy waits for the slot
  assert.equal(crashy.state, 'starting');
  await crashy.stop();
  assert.equal(crashy.state, 'stopped');
  assert.equal(crashy.snapshot().restarts, 0);
  assert.equal(fakes.workers.length, 2, 'never launched');
});

test('maxConcurrentStarts is validated, naming the value', () => {
  assert.throws(() => fakeManager({ maxConcurrentStarts: 0 }), /maxConcurrentStarts/);
  assert.throws(() => fakeManager({ maxConcurrentStarts: 1.5 }), /maxConcurrentStarts/);
});
