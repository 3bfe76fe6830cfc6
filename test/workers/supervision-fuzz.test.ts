// Random supervision workloads under ManualClock with fake workers: random options (start gate,
// start timeout and heartbeat, some per worker, backoff, budget, thread and process isolation), a
// few workers spawned and respawned, their generations becoming ready or crashing while they boot
// or never answering, beating or going silent and resuming, exiting with various codes and
// signals, closing their channel, ignoring kills for a while (zombies), answering a stop or not,
// failing to launch at all; stop, terminate, restart, resetDegraded, requests and ready() at
// random; clock advances and parent stalls of random size. Checked whatever the mix:
// - never two live generations of one worker, never more booting than maxConcurrentStarts;
// - nothing launches for a worker asked to stop, nor once the manager stops; a launch happens
//   only in `starting` or `restarting`, with generation numbers 1, 2, 3, ...;
// - states move only along the documented transitions, and the handle, `list()` and the events agree;
// - an unasked exit is one `safety` event, restarted or degraded exactly as the policy says
//   (budget window, backoff attempt and delay within its jitter), and a backoff restart gets its
//   `init` only once the delay has elapsed; each generation's exit is reported at most once, and
//   exactly once when it was activated;
// - no kill without a cause (a stop, restart or shutdown asked, a closed channel, killAfterBeats
//   of silence, startTimeoutMs since `init`, stopTimeoutMs since `stop`), and none missed;
// - `restart()` and `ready()` resolve only once a generation is ready after the call (or, for
//   ready(), one was running), a request only with its own generation's answer;
// - after the final stop(), terminate(), or a stop cut short by terminate(): every generation
//   exited, every worker stopped, every promise settled, no alarm armed, and nothing more
//   launches or happens however long time runs.
// FUZZ_SEEDS=200 runs more seeds (12 by default); FUZZ_FROM=148 FUZZ_SEEDS=148 replays one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alarm } from '../../src/time/clock.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import type { WorkerState } from '../../src/workers/events.js';
import type { WorkerHandle } from '../../src/workers/handle.js';
import type { Launcher } from '../../src/workers/launch/connection.js';
import { WorkerManager } from '../../src/workers/manager.js';
import { HEARTBEAT_PARSE_SHARE } from '../../src/workers/inbox.js';
import { rng } from '../fixtures/rng.js';
import { fakeLauncher, type FakeWorker } from './helpers/fake-launcher.js';
import { FAKE_MODULE } from './helpers/fake-manager.js';

/** A ManualClock that can say whether anything is still armed on it. */
class AlarmCountingClock extends ManualClock {
  readonly #alarms: Alarm[] = [];

  override createAlarm(onWake: () => void): Alarm {
    const alarm = super.createAlarm(onWake);
    this.#alarms.push(alarm);
    return alarm;
  }

  get armed(): number {
    return this.#alarms.filter((alarm) => alarm.armed).length;
  }
}

const LIVE: WorkerState[] = ['starting', 'running', 'suspect', 'restarting', 'degraded'];
const TRANSITIONS = new Set([
  'starting->running',
  'running->suspect',
  'suspect->running',
  ...['starting', 'running', 'suspect'].flatMap((from) => [`${from}->restarting`, `${from}->degraded`]),
  'restarting->starting',
  'degraded->starting',
  // restart(): the fresh generation starts once the old one stopped
  'running->starting',
  'suspect->starting',
  ...LIVE.flatMap((from) => [`${from}->stopping`, `${from}->stopped`]),
  'stopping->stopped',
]);
const NAMES = ['w0', 'w1', 'w2', 'w3'];
const EPS = 1e-6;

interface Life {
  fake: FakeWorker;
  initAt: number | undefined;
  /** When its ready was accepted (the state went to running for this generation). */
  readyAt: number | undefined;
  lastBeatAt: number;
  lastStopAt: number | undefined;
  /** The first kill, and the last beat before it (a zombie beats on). */
  killedAt: number | undefined;
  beatBeforeKill: number;
  disconnected: boolean;
  /** After init: ready after this long, or crash then, or never a word. */
  boot: { ms: number; ends: 'ready' | 'crash' | 'silent' };
  healthy: boolean;
  answersStopAfter: number | undefined;
  zombieFor: number;
  zombieExitAt: number | undefined;
  exitEvents: number;
  /** The test asked this generation to stop or restart. */
  asked: boolean;
}

interface Tracked {
  name: string;
  handle: WorkerHandle;
  /** Its own heartbeat and start timeout (the spec's, or the manager's). */
  heartbeatMs: number;
  startTimeoutMs: number;
  lives: Life[];
  state: WorkerState;
  stopAsked: boolean;
  failures: number[];
  attempt: number;
  runningSince: number | undefined;
  backoffUntil: number | undefined;
  expectSafety: number | undefined;
  /** Generations that reported ready so far. */
  readies: number;
}

async function fuzz(seed: number): Promise<void> {
  const random = rng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const heartbeatMs = pick([10, 20, 50, 100]);
  const suspectAfterBeats = int(1, 4);
  const killAfterBeats = suspectAfterBeats + int(0, 3);
  const maxConcurrentStarts = int(1, 3);
  const startTimeoutMs = int(20, 1000);
  const stopTimeoutMs = int(10, 1000);
  const backoff = { initialMs: pick([1, 5, 20, 100]), maxMs: pick([50, 500, 3000]), factor: pick([1, 1.5, 2, 3]), jitter: pick([0, 0.2, 0.5]), resetAfterMs: pick([100, 1000, 10_000]) };
  const budget = { maxRestarts: int(0, 5), windowMs: pick([100, 1000, 5000]) };
  const clock = new AlarmCountingClock();
  const fakes = fakeLauncher();
  const violations: string[] = [];
  const fail = (message: string): void => {
    violations.push(`t=${clock.now()}: ${message}`);
  };
  const tracked = new Map<string, Tracked>();
  let spawning: Tracked | undefined;
  const trackedFor = (name: string): Tracked => (spawning?.name === name ? spawning : tracked.get(name)!);
  let lastStallAt = Number.NEGATIVE_INFINITY;
  let events = 0;

  /** A kill needs a cause: a stop or restart asked, shutdown, a closed channel, or a timeout that ran out. */
  const killExplained = (t: Tracked, life: Life): boolean => {
    const now = clock.now();
    const slack = t.handle.isolation === 'process' ? t.heartbeatMs * HEARTBEAT_PARSE_SHARE : 0;
    return (
      manager.state !== 'running' ||
      t.stopAsked ||
      life.asked ||
      life.disconnected ||
      ((t.state === 'running' || t.state === 'suspect') && life.readyAt !== undefined && now - Math.max(life.lastBeatAt, life.readyAt) >= killAfterBeats * t.heartbeatMs - slack - EPS) ||
      (t.state === 'starting' && life.initAt !== undefined && now - life.initAt >= t.startTimeoutMs - EPS) ||
      (life.lastStopAt !== undefined && now - life.lastStopAt >= stopTimeoutMs - EPS)
    );
  };

  const launcher: Launcher = (request, connectionEvents) => {
    const fake = fakes.launcher(request, connectionEvents) as FakeWorker;
    const t = trackedFor(request.name);
    const live = fakes.workers.filter((w) => w.request.name === request.name && !w.exited && w !== fake).length;
    if (manager.state !== 'running') fail(`${request.name} launched generation ${request.generation} while the manager is ${manager.state}`);
    if (t.stopAsked) fail(`${request.name} launched generation ${request.generation} after it was asked to stop`);
    if (t.state !== 'starting' && t.state !== 'restarting') fail(`${request.name} launched in state ${t.state}`);
    if (live > 0) fail(`${request.name} launched generation ${request.generation} while ${live} other is live`);
    if (request.generation !== t.lives.length + 1) fail(`${request.name} launched generation ${request.generation} after ${t.lives.length}`);
    const life: Life = {
      fake,
      initAt: undefined,
      readyAt: undefined,
      lastBeatAt: Number.NEGATIVE_INFINITY,
      lastStopAt: undefined,
      killedAt: undefined,
      beatBeforeKill: Number.NEGATIVE_INFINITY,
      disconnected: false,
      boot: { ms: random() * t.startTimeoutMs * 1.1, ends: pick(['ready', 'ready', 'ready', 'ready', 'ready', 'ready', 'crash', 'silent']) },
      healthy: random() < 0.8,
      answersStopAfter: random() < 0.7 ? random() * stopTimeoutMs * 1.5 : undefined,
      zombieFor: random() < 0.15 ? random() * 3 * stopTimeoutMs : 0,
      zombieExitAt: undefined,
      exitEvents: 0,
      asked: false,
    };
    if (life.zombieFor > 0) fake.onKill = 'ignore';
    const send = fake.send.bind(fake);
    fake.send = (text: string): boolean => {
      const type = (JSON.parse(text) as { type: string }).type;
      if (type === 'init') {
        if (life.initAt !== undefined) fail(`${request.name} generation ${request.generation} got init twice`);
        life.initAt = clock.now();
        if (t.backoffUntil !== undefined && clock.now() < t.backoffUntil - EPS) fail(`${request.name} generation ${request.generation} got init before its backoff ended at ${t.backoffUntil}`);
        t.backoffUntil = undefined;
      }
      if (type === 'stop') life.lastStopAt = clock.now();
      return send(text);
    };
    const kill = fake.kill.bind(fake);
    fake.kill = (): void => {
      if (life.killedAt === undefined && !killExplained(t, life)) fail(`${request.name}: generation ${request.generation} killed in state ${t.state} for no reason`);
      if (life.killedAt === undefined) {
        life.killedAt = clock.now();
        life.beatBeforeKill = life.lastBeatAt;
      }
      kill();
    };
    t.lives.push(life);
    if (random() < 0.03) {
      fake.exited = true; // the launcher throws: the supervisor reports the generation's exit itself
      throw new Error('spawn failed');
    }
    return fake;
  };

  const manager = new WorkerManager({
    clock,
    launcher,
    random,
    heartbeatMs,
    suspectAfterBeats,
    killAfterBeats,
    maxConcurrentStarts,
    startTimeoutMs,
    stopTimeoutMs,
    backoff,
    restartBudget: budget,
  });

  manager.on('state-change', (e) => {
    events++;
    const t = trackedFor(e.name);
    if (!TRANSITIONS.has(`${e.from}->${e.to}`)) fail(`${e.name}: undocumented transition ${e.from}->${e.to} (${e.reason})`);
    if (e.from !== t.state) fail(`${e.name}: transition from ${e.from}, but it was ${t.state}`);
    t.state = e.to;
    if (e.to === 'running' && e.reason === 'ready') {
      const life = t.lives[e.generation - 1];
      if (life === undefined || life.fake.exited || life.initAt === undefined) fail(`${e.name}: generation ${e.generation} ready while not live or not initialised`);
      else life.readyAt = clock.now();
      t.runningSince = clock.now();
      t.readies++;
    }
  });
  manager.on('exit', (e) => {
    events++;
    const t = trackedFor(e.name);
    const life = t.lives[e.generation - 1];
    if (life === undefined || !life.fake.exited) {
      fail(`${e.name}: exit of generation ${e.generation}, which has not exited`);
      return;
    }
    if (++life.exitEvents > 1) fail(`${e.name}: exit of generation ${e.generation} reported ${life.exitEvents} times`);
    const now = clock.now();
    const processSlack = t.handle.isolation === 'process' ? t.heartbeatMs * HEARTBEAT_PARSE_SHARE : 0;
    const killedAt = life.killedAt ?? now;
    if (e.reason === 'hung' && killedAt - Math.max(life.beatBeforeKill, life.readyAt ?? killedAt) < killAfterBeats * t.heartbeatMs - processSlack - EPS) {
      fail(`${e.name}: generation ${e.generation} killed as hung ${killedAt - life.beatBeforeKill} ms after its last beat`);
    }
    if (e.reason === 'disconnected' && !life.disconnected) fail(`${e.name}: generation ${e.generation} exited as disconnected, but its channel never closed`);
    if (e.reason === 'start-timeout' && (life.initAt === undefined || killedAt - life.initAt < t.startTimeoutMs - EPS)) {
      fail(`${e.name}: generation ${e.generation} start-timeout though init came at ${life.initAt}`);
    }
    if (!e.expected && t.state !== 'stopping' && manager.state === 'running') t.expectSafety = e.generation;
  });
  manager.on('safety', (e) => {
    events++;
    const t = trackedFor(e.name);
    if (t.expectSafety !== e.generation) fail(`${e.name}: safety for generation ${e.generation}, expected one for ${t.expectSafety}`);
    t.expectSafety = undefined;
    const now = clock.now();
    if (t.runningSince !== undefined && now - t.runningSince >= backoff.resetAfterMs) t.attempt = 0;
    t.runningSince = undefined;
    t.failures = t.failures.filter((at) => now - at < budget.windowMs);
    t.failures.push(now);
    const action = t.failures.length > budget.maxRestarts ? 'degraded' : 'restart';
    if (e.action !== action) fail(`${e.name}: ${e.action} after ${t.failures.length} failures within ${budget.windowMs} ms (maxRestarts ${budget.maxRestarts})`);
  });
  manager.on('restart', (e) => {
    events++;
    const t = trackedFor(e.name);
    const base = Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** t.attempt);
    const low = Math.min(backoff.maxMs, base * (1 - backoff.jitter / 2));
    const high = Math.min(backoff.maxMs, base * (1 + backoff.jitter / 2));
    t.attempt++;
    if (e.attempt !== t.attempt) fail(`${e.name}: restart attempt ${e.attempt}, expected ${t.attempt}`);
    if (e.delayMs < low - EPS || e.delayMs > high + EPS) fail(`${e.name}: backoff ${e.delayMs} ms outside [${low}, ${high}]`);
    t.backoffUntil = clock.now() + e.delayMs;
  });
  manager.on('degraded', (e) => {
    events++;
    if (trackedFor(e.name).state !== 'degraded') fail(`${e.name}: degraded event in state ${trackedFor(e.name).state}`);
  });
  manager.on('suspect', () => events++);

  const settledFlags: { settled: boolean; what: string }[] = [];
  const watch = (promise: Promise<unknown>, what: string, onResolve?: (value: unknown) => void): void => {
    const flag = { settled: false, what };
    settledFlags.push(flag);
    promise.then(
      (value) => {
        flag.settled = true;
        onResolve?.(value);
      },
      () => {
        flag.settled = true;
      },
    );
  };

  const current = (t: Tracked): Life | undefined => {
    const life = t.lives.at(-1);
    return life !== undefined && !life.fake.exited ? life : undefined;
  };

  /** What the fakes do on their own as time passes: beat, answer a stop, end a zombie's life. */
  const act = (): void => {
    const now = clock.now();
    for (const t of tracked.values()) {
      for (const life of t.lives) {
        const fake = life.fake;
        if (fake.exited) continue;
        if (!life.healthy && random() < 0.03) life.healthy = true; // a blocked worker resumes
        if (life.healthy) {
          fake.beat();
          life.lastBeatAt = now;
        }
        if (fake.exited) continue;
        if (life.initAt !== undefined && life.readyAt === undefined && life.boot.ends !== 'silent' && now >= life.initAt + life.boot.ms) {
          if (life.boot.ends === 'crash') fake.exit(pick([1, null]), pick([null, 'SIGSEGV']));
          else fake.ready();
          life.boot.ends = 'silent'; // once
          continue;
        }
        if (life.lastStopAt !== undefined && life.answersStopAfter !== undefined && now >= life.lastStopAt + life.answersStopAfter) {
          fake.exit(0);
          continue;
        }
        if (fake.kills > 0 && fake.onKill === 'ignore') {
          life.zombieExitAt ??= now + life.zombieFor;
          if (now >= life.zombieExitAt) fake.exit(null, 'SIGKILL');
        }
      }
    }
  };

  const advance = async (ms: number): Promise<void> => {
    const chunk = heartbeatMs / 2;
    for (let left = ms; left > 0; left -= chunk) {
      act();
      await clock.advance(Math.min(chunk, left));
    }
    act();
    await clock.flush();
  };

  const check = (): void => {
    for (const t of tracked.values()) {
      if (t.expectSafety !== undefined) fail(`${t.name}: generation ${t.expectSafety} failed with no safety event`);
      t.expectSafety = undefined;
      const row = manager.list().find((w) => w.name === t.name);
      if (row?.state !== t.handle.state || t.handle.state !== t.state) fail(`${t.name}: list() says ${row?.state}, the handle ${t.handle.state}, the events ${t.state}`);
      if (row?.generation !== t.lives.length || t.handle.generation !== t.lives.length) fail(`${t.name}: generation ${row?.generation} / ${t.handle.generation}, ${t.lives.length} launched`);
      const life = current(t);
      if (life === undefined && (row?.pid !== null || row?.threadId !== null)) fail(`${t.name}: pid ${row?.pid} thread ${row?.threadId} with nothing running`);
      if (life === undefined || life.fake.kills > 0) continue;
      const now = clock.now();
      if ((t.state === 'running' || t.state === 'suspect') && life.readyAt !== undefined) {
        const since = Math.max(life.lastBeatAt, life.readyAt);
        if (since > lastStallAt && now - since > (killAfterBeats + 1) * t.heartbeatMs) fail(`${t.name}: generation ${life.fake.generation} silent for ${now - since} ms and not killed`);
      }
      if (t.state === 'starting' && life.initAt !== undefined && life.readyAt === undefined && life.initAt > lastStallAt && now - life.initAt > t.startTimeoutMs + EPS) {
        fail(`${t.name}: generation ${life.fake.generation} not ready ${now - life.initAt} ms after init and not killed`);
      }
      if (t.state === 'stopping' && life.lastStopAt !== undefined && life.lastStopAt > lastStallAt && now - life.lastStopAt > stopTimeoutMs + EPS) {
        fail(`${t.name}: generation ${life.fake.generation} asked to stop ${now - life.lastStopAt} ms ago and not killed`);
      }
    }
    const live = fakes.workers.filter((w) => !w.exited);
    for (const name of NAMES) {
      const count = live.filter((w) => w.request.name === name).length;
      if (count > 1) fail(`${name}: ${count} live generations`);
    }
    const booting = [...tracked.values()].flatMap((t) => t.lives).filter((l) => !l.fake.exited && l.readyAt === undefined).length;
    if (booting > maxConcurrentStarts) fail(`${booting} booting, maxConcurrentStarts ${maxConcurrentStarts}`);
    assert.deepEqual(violations, []);
  };

  const spawn = (name: string): void => {
    const isolation = random() < 0.5 ? 'thread' : 'process';
    const own = { heartbeatMs: random() < 0.3 ? heartbeatMs * 2 : undefined, startTimeoutMs: random() < 0.3 ? int(20, 1000) : undefined };
    spawning = {
      name,
      handle: undefined as unknown as WorkerHandle,
      heartbeatMs: own.heartbeatMs ?? heartbeatMs,
      startTimeoutMs: own.startTimeoutMs ?? startTimeoutMs,
      lives: [],
      state: 'starting',
      stopAsked: false,
      failures: [],
      attempt: 0,
      runningSince: undefined,
      backoffUntil: undefined,
      expectSafety: undefined,
      readies: 0,
    };
    const t = spawning;
    t.handle = manager.spawn({
      name,
      module: FAKE_MODULE,
      isolation,
      ...(own.heartbeatMs === undefined ? {} : { heartbeatMs: own.heartbeatMs }),
      ...(own.startTimeoutMs === undefined ? {} : { startTimeoutMs: own.startTimeoutMs }),
    });
    spawning = undefined;
    tracked.set(name, t);
  };

  const operate = (t: Tracked): void => {
    const r = random();
    const life = current(t);
    if (r < 0.03) {
      t.stopAsked = true;
      if (life !== undefined) life.asked = true;
      watch(random() < 0.8 ? t.handle.stop() : t.handle.terminate(), `${t.name} stop`);
    } else if (r < 0.1) {
      const state = t.handle.state;
      const readies = t.readies;
      if (state === 'restarting') t.backoffUntil = undefined; // activated at once
      if (life !== undefined && state !== 'stopping' && state !== 'stopped') life.asked = true;
      const restarted = random() < 0.5 ? t.handle.restart() : manager.restart(t.name);
      watch(restarted, `${t.name} restart`, () => {
        if (t.readies === readies) fail(`${t.name}: restart() from ${state} resolved with no generation ready since`);
      });
    } else if (r < 0.14) {
      const runs = t.handle.state === 'running' || t.handle.state === 'suspect';
      const readies = t.readies;
      watch(t.handle.ready(), `${t.name} ready`, () => {
        if (!runs && t.readies === readies) fail(`${t.name}: ready() resolved with no generation ready since`);
      });
    } else if (r < 0.22) {
      // a request goes to the generation current now, and only its answer settles it
      const generation = t.handle.generation;
      watch(t.handle.request('work', undefined, { timeoutMs: 1 + random() * 5 * heartbeatMs }), `${t.name} request`, (value) => {
        const answeredBy = (value as { gen: number }).gen;
        if (answeredBy !== generation) fail(`${t.name}: a request sent to generation ${generation} answered by ${answeredBy}`);
      });
    } else if (r < 0.3 && t.handle.state === 'degraded') {
      t.failures = [];
      t.attempt = 0;
      t.runningSince = undefined;
      manager.resetDegraded(t.name);
    }
  };

  const drive = (life: Life): void => {
    const fake = life.fake;
    const r = random();
    if (life.initAt !== undefined && life.readyAt === undefined && r < 0.5) fake.ready();
    else if (r < 0.55 && fake.sentOf('request').length > 0) {
      const request = pick(fake.sentOf('request'));
      fake.message({ type: 'response', id: request.id, ok: true, result: { gen: fake.generation } } as never);
    } else if (r < 0.6) fake.exit(pick([0, 1, 2, 70, null]), pick([null, null, 'SIGKILL', 'SIGSEGV']));
    else if (r < 0.68) life.healthy = !life.healthy;
    else if (r < 0.72) {
      life.disconnected = true;
      fake.events.disconnect(); // the channel closes: the worker may die a moment later, or linger
      if (random() < 0.5) fake.exit(1);
    }
    else if (r < 0.75) fake.ready(); // unexpected: pre-launched, or already running
    else if (r < 0.8) {
      // a dead generation's late words (a process straggler)
      const dead = fakes.workers.filter((w) => w.exited && w.request.name === fake.request.name);
      if (dead.length > 0) {
        const ghost = pick(dead);
        const words = random() < 0.5 ? { type: 'ready', gen: ghost.generation, pid: 1, loops: [], commands: [] } : { type: 'heartbeat', gen: ghost.generation, beat: 1e9, task: null };
        ghost.events.message(JSON.stringify(words));
      }
    }
  };

  for (let step = 0; step < 300; step++) {
    const r = random();
    const all = [...tracked.values()];
    const lives = all.flatMap((t) => t.lives.filter((l) => !l.fake.exited));
    if (r < 0.1) {
      const free = NAMES.filter((name) => tracked.get(name) === undefined || tracked.get(name)!.handle.state === 'stopped');
      if (free.length > 0) spawn(pick(free));
    } else if (r < 0.45 && lives.length > 0) {
      drive(pick(lives));
    } else if (r < 0.6 && all.length > 0) {
      operate(pick(all));
    } else if (r < 0.62) {
      const ms = random() * 5 * heartbeatMs;
      clock.stall(ms);
      lastStallAt = clock.now();
    } else {
      await advance(random() < 0.9 ? random() * 3 * heartbeatMs : random() * 2 * Math.max(stopTimeoutMs, startTimeoutMs, backoff.maxMs));
    }
    check();
  }

  // the end: drain with stop(), or kill everything with terminate(), or a drain cut short by terminate()
  const ending = pick(['stop', 'stop', 'terminate', 'stop then terminate'] as const);
  watch(ending === 'terminate' ? manager.terminate() : manager.stop(), 'the end');
  const end = settledFlags.at(-1)!;
  const terminateAt = ending === 'stop then terminate' ? int(0, 20) : -1;
  for (let i = 0; i < 10_000 && !end.settled; i++) {
    if (i === terminateAt) watch(manager.terminate(), 'terminate during the drain');
    await advance(heartbeatMs);
    check();
  }
  assert.ok(end.settled, 'the manager stopped');
  await clock.flush();
  for (const t of tracked.values()) {
    assert.equal(t.handle.state, 'stopped', `${t.name} stopped`);
    for (const life of t.lives) {
      assert.ok(life.fake.exited, `${t.name} generation ${life.fake.generation} exited`);
      if (life.initAt !== undefined) assert.equal(life.exitEvents, 1, `${t.name} generation ${life.fake.generation}: its exit reported once`);
    }
  }
  assert.ok(manager.list().every((w) => w.state === 'stopped'));
  assert.equal(manager.state, 'stopped');
  assert.deepEqual(settledFlags.filter((f) => !f.settled).map((f) => f.what), [], 'every promise settled');
  assert.equal(clock.armed, 0, 'no alarm left armed');
  const launched = fakes.workers.length;
  const seen = events;
  await clock.advance(1_000_000);
  assert.deepEqual([fakes.workers.length, events], [launched, seen], 'nothing launches or happens after the end');
  check();
}

test('random supervision workloads: bounds and rules hold throughout, and everything ends stopped and quiet', async () => {
  for (let seed = Number(process.env.FUZZ_FROM ?? 1); seed <= Number(process.env.FUZZ_SEEDS ?? 12); seed++) {
    try {
      await fuzz(seed * 7919);
    } catch (error) {
      assert.fail(`seed ${seed * 7919}: ${(error as Error).stack ?? String(error)}`);
    }
  }
});
