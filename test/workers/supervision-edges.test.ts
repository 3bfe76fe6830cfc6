/**
 * Supervision edge cases found by the random-workload test (supervision-fuzz.test.ts), each reduced
 * to a hand-checked scenario under ManualClock with fake workers, with a twin showing the
 * neighbouring case that always worked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '../../src/time/clock.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { WorkerManager } from '../../src/workers/manager.js';
import { fakeLauncher } from './helpers/fake-launcher.js';
import { FAKE_MODULE, fakeManager } from './helpers/fake-manager.js';
import { collect } from './helpers/real.js';

test('a pre-launched generation that dies during the backoff leaves no pid behind in list()', async () => {
  const { fakes, manager } = fakeManager();
  manager.spawn({ name: 'w', module: FAKE_MODULE, isolation: 'process' });
  fakes.last().ready();
  fakes.last().exit(1);
  const preLaunched = fakes.last();
  assert.equal(manager.list()[0]?.pid, preLaunched.pid, 'twin: a live pre-launched generation shows its pid');
  preLaunched.exit(1);
  assert.deepEqual([manager.list()[0]?.state, manager.list()[0]?.pid, manager.list()[0]?.threadId], ['restarting', null, null]);
});

test('restart() from running resolves once the fresh generation runs, not while the old one is still stopping', async () => {
  const { clock, fakes, manager } = fakeManager();
  const handle = manager.spawn({ name: 'w', module: FAKE_MODULE });
  fakes.last().ready();
  let resolved = false;
  const done = handle.restart().then(() => (resolved = true));
  await clock.flush();
  assert.equal(resolved, false, 'generation 1 has only been asked to stop');
  fakes.last().exit(0);
  await clock.flush();
  assert.equal(resolved, false, 'generation 2 is starting');
  fakes.last().ready();
  await done;
  assert.equal(handle.generation, 2);
});

test('twin: ready() on a running worker resolves at once', async () => {
  const { fakes, manager } = fakeManager();
  const handle = manager.spawn({ name: 'w', module: FAKE_MODULE });
  fakes.last().ready();
  await handle.ready();
  assert.equal(handle.generation, 1);
});

test('manager.stop(): a restart waiting for a start-gate slot does not launch when a draining worker gives one back', async () => {
  const { clock, fakes, manager } = fakeManager({ maxConcurrentStarts: 1 });
  const first = manager.spawn({ name: 'first', module: FAKE_MODULE });
  fakes.last().ready();
  manager.spawn({ name: 'second', module: FAKE_MODULE }); // boots, holding the only slot
  fakes.workers[0]!.exit(1);
  await clock.advance(100); // first's backoff is over: it waits for the slot
  assert.equal(first.state, 'starting');
  const stopped = manager.stop(); // reverse order: second (booting) first
  await clock.flush();
  fakes.workers[1]!.exit(0); // second drains and gives the slot back
  assert.deepEqual(fakes.workers.map((w) => w.request.name), ['first', 'second'], 'nothing launched during the stop');
  await clock.flush();
  await stopped;
  assert.equal(first.state, 'stopped');
});

test('twin: while the manager runs, the slot a worker gives back goes to the restart waiting for it', async () => {
  const { clock, fakes, manager } = fakeManager({ maxConcurrentStarts: 1 });
  const first = manager.spawn({ name: 'first', module: FAKE_MODULE });
  fakes.last().ready();
  manager.spawn({ name: 'second', module: FAKE_MODULE });
  fakes.workers[0]!.exit(1);
  await clock.advance(100);
  fakes.workers[1]!.exit(1);
  assert.deepEqual(fakes.workers.map((w) => w.request.name), ['first', 'second', 'first']);
  fakes.last().ready();
  assert.equal(first.state, 'running');
});

test("a pre-launched generation's closed channel does not kill its successor: the disconnect grace ends with it", async () => {
  const { clock, fakes, manager } = fakeManager();
  const exits = collect(manager, 'exit');
  const handle = manager.spawn({ name: 'w', module: FAKE_MODULE, isolation: 'process' });
  fakes.last().ready();
  fakes.last().exit(1);
  const preLaunched = fakes.last();
  preLaunched.events.disconnect(); // it dies while booting: channel first, exit a moment later
  preLaunched.exit(1);
  const restarted = manager.restart('w'); // activated at once: generation 3 boots
  const fresh = fakes.last();
  assert.equal(fresh.generation, 3);
  await clock.advance(50);
  assert.deepEqual([fresh.kills, exits.length, handle.state], [0, 1, 'starting']);
  fresh.ready();
  await restarted;
  assert.equal(handle.state, 'running');
});

test('twin: a pre-launched generation whose channel closes and that lingers is still killed after the grace', async () => {
  const { clock, fakes, manager } = fakeManager();
  const exits = collect(manager, 'exit');
  manager.spawn({ name: 'w', module: FAKE_MODULE, isolation: 'process' });
  fakes.last().ready();
  fakes.last().exit(1);
  const preLaunched = fakes.last();
  preLaunched.events.disconnect();
  await clock.advance(10);
  assert.equal(preLaunched.kills, 1);
  assert.equal(exits.length, 1, 'a pre-launched generation dying is not a second failure');
});

/**
 * A manager whose clock runs `afterTimers` right after each timer wake, before any immediate: what a
 * poll phase delivers after an event loop that stalled has run its overdue timers.
 */
function managerWithPollPhase() {
  const clock = new ManualClock();
  const phase: { afterTimers: (() => void) | undefined } = { afterTimers: undefined };
  const pollingClock: Clock = {
    now: () => clock.now(),
    wallNow: () => clock.wallNow(),
    createAlarm: (onWake) =>
      clock.createAlarm(() => {
        onWake();
        const poll = phase.afterTimers;
        phase.afterTimers = undefined;
        poll?.();
      }),
  };
  const fakes = fakeLauncher();
  const manager = new WorkerManager({ clock: pollingClock, launcher: fakes.launcher, random: () => 0.5 });
  return { clock, phase, fakes, manager };
}

test('an exit waiting behind the disconnect grace (a stalled loop) still says how the worker died: killed from outside is a crash', async () => {
  const { clock, phase, fakes, manager } = managerWithPollPhase();
  const exits = collect(manager, 'exit');
  manager.spawn({ name: 'w', module: FAKE_MODULE, isolation: 'process' });
  const worker = fakes.last();
  worker.ready();
  worker.events.disconnect(); // SIGKILLed from outside: its channel closes...
  clock.stall(50); // ...the loop stalls past the grace, and the exit is pending when it turns again
  phase.afterTimers = () => worker.exit(null, 'SIGKILL');
  await clock.advance(0);
  assert.deepEqual([worker.kills, exits[0]?.reason], [0, 'crashed']);
});

test('twin: a process whose channel closes and that lingers after a stalled loop is still killed as disconnected', async () => {
  const { clock, fakes, manager } = managerWithPollPhase();
  const exits = collect(manager, 'exit');
  manager.spawn({ name: 'w', module: FAKE_MODULE, isolation: 'process' });
  const worker = fakes.last();
  worker.ready();
  worker.events.disconnect();
  clock.stall(50);
  await clock.advance(0);
  assert.deepEqual([worker.kills, exits[0]?.reason], [1, 'disconnected']);
});

/** `w` ignores the stop it is asked for; stop() comes `stopAfterMs` after restart() (or alone when undefined). */
async function killedAtWhenStopFollowsRestart(stopAfterMs: number | undefined): Promise<number | undefined> {
  const { clock, fakes, manager } = fakeManager({ stopTimeoutMs: 1000, heartbeatMs: 10_000 });
  const handle = manager.spawn({ name: 'w', module: FAKE_MODULE });
  const worker = fakes.last();
  worker.ready();
  let killedAt: number | undefined;
  worker.onKill = 'ignore';
  const kill = worker.kill.bind(worker);
  worker.kill = () => {
    killedAt ??= clock.now();
    kill();
    worker.exit(null, 'SIGKILL');
  };
  if (stopAfterMs !== undefined) {
    handle.restart().catch(() => undefined);
    await clock.advance(stopAfterMs);
  }
  const stopped = handle.stop();
  await clock.advance(3000);
  await stopped;
  return killedAt;
}

test('stop() during a restart keeps the stop timeout the restart started: the old generation is killed stopTimeoutMs after it was first asked', async () => {
  assert.equal(await killedAtWhenStopFollowsRestart(600), 1000);
});

test('twin: stop() alone kills an uncooperative worker stopTimeoutMs after it asked', async () => {
  assert.equal(await killedAtWhenStopFollowsRestart(undefined), 1000);
});
