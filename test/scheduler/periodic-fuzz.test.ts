// Random periodic workloads under ManualClock, every policy: periodic loops (random periods,
// deadlines, overrun policies, bodies that sleep, throw or report non-fatal errors, onError
// 'stop'), recurring, one-shot and cron tasks, submitted jobs sharing the dispatcher, and, over
// time, pause / resume / setPeriod / cancel / runImmediately, new tasks, clock advances (big
// jumps too) and stalls. Checked against what must hold whatever the mix:
// - a periodic release lies on its grid (t0 + k * period, re-anchored at the last release by
//   setPeriod); a recurring one comes delayMs after a run ended (or at arm / resume); a cron one
//   on an occurrence; no release is due inside a pause (no catch-up);
// - a task never has two runs at once unless its overrun is 'parallel' (overrides included);
// - no run starts once its task is cancelled, failed with onError 'stop', or the scheduler
//   stopping; none but an override while it is paused;
// - the dispatcher's running count is the bodies running; beyond maxConcurrency only overrides;
// - stats add up with what the bodies did (runs, completed, failed, overruns and their events,
//   deadline misses, exact sums and maxima, ordered percentiles) and freeze at cancel;
// - at the end, after stop() or terminate(), nothing runs, is queued or armed, and describe()
//   is JSON and agrees with the handles.
// FUZZ_SEEDS=150 runs more seeds per policy (12 by default), FUZZ_POLICY=fifo one policy only,
// FUZZ_SEED=7919 runs that seed only, FUZZ_DEBUG=1 prints each step (time, action, task).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskNonFatalError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import type { OverrunPolicy } from '../../src/scheduler/config.js';
import type { RealtimeTaskHandle } from '../../src/scheduler/handle.js';
import type { SchedulingPolicy } from '../../src/scheduler/policies/index.js';
import type { Run, TaskContext } from '../../src/scheduler/run.js';
import type { TaskStats } from '../../src/scheduler/task-stats.js';
import { rng } from '../fixtures/rng.js';
import { manualScheduler } from './helpers.js';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const POLICIES: SchedulingPolicy[] = ['priority', 'edf', 'fair', 'realtime', 'fifo'];
const OVERRUNS: OverrunPolicy[] = ['skip', 'queue-one', 'parallel'];

type Kind = 'periodic' | 'recurring' | 'once' | 'cron';

interface RunLog {
  scheduledAt: number;
  startedAt: number;
  deadline: number;
  override: boolean;
  endedAt: number | undefined;
}

interface Tracked {
  name: string;
  kind: Kind;
  handle: RealtimeTaskHandle;
  overrun: OverrunPolicy;
  /** Explicit deadlineMs, if any. */
  deadlineMs: number | undefined;
  onErrorStop: boolean;
  backpressureAfter: number;
  maxJitterMs: number | undefined;
  initialDelayMs: number;
  /** Periodic and recurring: the first release; once: when it is due (set when armed). */
  t0: number;
  /** Periodic: the periods it has had (setPeriod calls at `at`). */
  periods: { at: number; periodMs: number }[];
  /** Recurring: the delay; once: the delay; cron: the step in seconds. */
  param: number;
  runs: RunLog[];
  running: number;
  throws: number;
  fatalThrows: number;
  /** Release times seen on overrun events, by action. */
  overrunEvents: { releaseAt: number; action: string }[];
  misses: number;
  taskErrors: number;
  backpressure: number[];
  paused: boolean;
  pauses: { from: number; to: number }[];
  /** Times the task was armed or resumed (recurring releases may come then). */
  rearms: number[];
  cancelled: TaskStats | undefined;
  /** When an accepted override not yet answered by an override run was asked for. */
  overrideOwed: number | undefined;
  /** Failed with onError 'stop' (the task-error event said so). */
  stopped: boolean;
  completed: boolean;
}

async function fuzz(seed: number, policy: SchedulingPolicy): Promise<void> {
  const random = rng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const maxConcurrency = random() < 0.25 ? Number.POSITIVE_INFINITY : int(1, 4);
  const loggedErrors: string[] = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (fields, message) => {
      if (message !== 'task failed' && message !== 'onBackpressure callback threw') loggedErrors.push(`${message ?? ''} ${String((fields as { err?: unknown }).err)}`);
    },
  };
  const { clock, scheduler } = manualScheduler({ policy, maxConcurrency, logger, agingStepMs: pick([100, 1000, Number.POSITIVE_INFINITY]) });
  const tasks: Tracked[] = [];
  const byName = new Map<string, Tracked>();
  let stopping = false;
  let jobsRunning = 0;
  let overridesRunning = 0;
  let started = false;
  const violations: string[] = [];

  const trackedOf = (name: string): Tracked => byName.get(name)!;
  scheduler.on('overrun', (e) => trackedOf(e.name).overrunEvents.push({ releaseAt: e.releaseAt, action: e.action }));
  scheduler.on('deadline-miss', (e) => trackedOf(e.name).misses++);
  scheduler.on('backpressure', (e) => trackedOf(e.name).backpressure.push(e.consecutive));
  scheduler.on('task-error', (e) => {
    const me = trackedOf(e.name);
    me.taskErrors++;
    if (e.stopped) me.stopped = true;
  });

  const body = (me: Tracked) => (ctx: TaskContext): unknown => {
    const override = (ctx as Run).override;
    const now = clock.now();
    const where = `${me.name} run at ${now} (scheduledAt ${ctx.scheduledAt}${override ? ', override' : ''})`;
    // a throw here would only count as the run's failure: note what is wrong, checkAll reports it
    const expect = (ok: boolean, what: string): void => {
      if (!ok) violations.push(`${where}: ${what}`);
    };
    expect(me.cancelled === undefined, 'started after cancel');
    expect(!me.stopped, "started after onError 'stop' stopped it");
    expect(!stopping, 'started while the scheduler stops');
    expect(!me.paused || override, 'started while paused');
    expect(me.running === 0 || me.overrun === 'parallel', `a second run at once (overrun ${me.overrun})`);
    expect(ctx.startedAt === now, `startedAt ${ctx.startedAt}`);
    expect(ctx.scheduledAt <= now, 'started before it was due');
    const log: RunLog = { scheduledAt: ctx.scheduledAt, startedAt: now, deadline: ctx.deadline, override, endedAt: undefined };
    me.runs.push(log);
    if (override) me.overrideOwed = undefined;
    me.running++;
    if (override) overridesRunning++;
    const failure = random() < 0.12 ? (random() < 0.4 ? new TaskNonFatalError('soft') : new Error('boom')) : undefined;
    const end = (): void => {
      log.endedAt = clock.now();
      me.running--;
      if (override) overridesRunning--;
    };
    const fail = (error: unknown): never => {
      me.throws++;
      if (!(error instanceof TaskNonFatalError)) me.fatalThrows++;
      throw error;
    };
    const steps = random() < 0.25 ? 0 : int(1, 3);
    const hang = random() < (override ? 0.15 : 0.03); // until its signal aborts (cancel, deadline, terminate)
    if (steps === 0 && !hang) {
      end();
      return failure === undefined ? undefined : fail(failure);
    }
    const period = me.kind === 'periodic' ? me.periods.at(-1)!.periodMs : 20;
    return (async () => {
      try {
        for (let step = 0; step < steps; step++) await ctx.sleep(Math.floor((random() * 1.6 * period) / steps));
        // (aborted already if the deadline passed as the last sleep ended)
        if (hang && !ctx.signal.aborted) await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
        if (ctx.signal.aborted) throw ctx.signal.reason;
        if (failure !== undefined) throw failure;
      } catch (error) {
        end();
        fail(error);
      }
      end();
    })();
  };

  let count = 0;
  const add = (): void => {
    const kind: Kind = pick(['periodic', 'periodic', 'periodic', 'recurring', 'once', 'cron']);
    const name = `${kind}${count++}`;
    const priority = int(0, 6);
    const overrun = pick(OVERRUNS);
    const onErrorStop = random() < 0.15;
    const backpressureAfter = int(1, 4);
    const periodMs = int(1, 40);
    const maxJitterMs = random() < 0.3 ? int(0, kind === 'periodic' ? periodMs : 40) : undefined;
    const common = {
      name,
      priority,
      overrun,
      backpressureAfter,
      ...(onErrorStop ? { onError: 'stop' as const } : {}),
      ...(random() < 0.1 ? { abortOnDeadline: true } : {}),
      ...(maxJitterMs === undefined ? {} : { maxJitterMs }),
    };
    const deadlineMs = random() < 0.5 ? int(1, periodMs) : undefined;
    const explicit = kind === 'periodic' ? deadlineMs : random() < 0.3 ? int(1, 50) : undefined;
    const initialDelayMs = random() < 0.3 ? int(0, 30) : 0;
    const param = kind === 'recurring' ? int(0, 30) : kind === 'once' ? int(0, 100) : kind === 'cron' ? pick([1, 2, 5]) : periodMs;
    const now = clock.now();
    const me: Tracked = {
      name,
      kind,
      handle: undefined as unknown as RealtimeTaskHandle,
      overrun,
      deadlineMs: explicit,
      onErrorStop,
      backpressureAfter,
      maxJitterMs,
      initialDelayMs: kind === 'once' ? param : initialDelayMs,
      t0: now + (kind === 'once' ? param : initialDelayMs),
      periods: [{ at: now, periodMs }],
      param,
      runs: [],
      running: 0,
      throws: 0,
      fatalThrows: 0,
      overrunEvents: [],
      misses: 0,
      taskErrors: 0,
      backpressure: [],
      paused: false,
      pauses: [],
      rearms: [],
      cancelled: undefined,
      overrideOwed: undefined,
      stopped: false,
      completed: false,
    };
    byName.set(name, me);
    const withDeadline = explicit === undefined ? common : { ...common, deadlineMs: explicit };
    const fn = body(me);
    me.handle =
      kind === 'periodic'
        ? scheduler.schedulePeriodic({ ...withDeadline, periodMs, initialDelayMs }, fn)
        : kind === 'recurring'
          ? scheduler.scheduleRecurring({ ...withDeadline, delayMs: param, initialDelayMs }, fn)
          : kind === 'once'
            ? scheduler.scheduleOnce({ ...withDeadline, delayMs: param }, fn)
            : scheduler.scheduleCron({ ...withDeadline, cron: `*/${param} * * * * *` }, fn);
    tasks.push(me);
    if (started) me.rearms.push(me.t0);
  };

  const submitJob = (): void => {
    const handle = scheduler.submit({
      name: `job${count++}`,
      priority: int(0, 6),
      fn: async (ctx) => {
        jobsRunning++;
        try {
          await ctx.sleep(int(0, 30));
        } finally {
          jobsRunning--;
        }
      },
    });
    handle.result.catch(() => undefined);
  };

  /** Live as far as the model knows: not cancelled, stopped by an error or completed. */
  const live = (me: Tracked): boolean => me.cancelled === undefined && !me.stopped && !(me.kind === 'once' && me.runs.some((r) => r.endedAt !== undefined));

  const checkStats = (me: Tracked): void => {
    const stats = me.handle.stats;
    if (me.cancelled !== undefined) {
      assert.deepEqual(stats, me.cancelled, `${me.name}: stats changed after cancel`);
      return;
    }
    const now = clock.now();
    // messages are built only on failure: this runs for every task after every step
    const check = (ok: boolean, what: () => string): void => {
      if (!ok) assert.fail(`${me.name} at ${now}: ${what()}`);
    };
    // one pass over the runs: sums, maxima, late starts and the deadline misses they imply (a
    // run still going is flagged by its deadline watch, armed at its start: one that started at
    // or past its deadline is flagged on the timeline's next wake, and one that ends exactly at
    // its deadline may be flagged or not)
    let totalJitter = 0;
    let totalExec = 0;
    let maxJitter = 0;
    let maxExec = 0;
    let late = 0;
    let sure = 0;
    let edge = 0;
    let runningDeadline = Number.POSITIVE_INFINITY;
    for (const r of me.runs) {
      const jitter = r.startedAt - r.scheduledAt;
      totalJitter += jitter;
      maxJitter = Math.max(maxJitter, jitter);
      if (me.maxJitterMs !== undefined && jitter > me.maxJitterMs) late++;
      if (r.endedAt !== undefined) {
        totalExec += r.endedAt - r.startedAt;
        maxExec = Math.max(maxExec, r.endedAt - r.startedAt);
        if (r.endedAt > r.deadline) sure++;
        else if (r.endedAt === r.deadline) edge++;
      } else {
        runningDeadline = Math.min(runningDeadline, r.deadline);
        if (now >= r.deadline && r.startedAt < r.deadline) sure++;
        else if (now >= r.deadline) edge++;
      }
    }
    check(stats.runs === me.runs.length, () => `runs ${stats.runs}, bodies started ${me.runs.length}`);
    check(stats.failed === me.throws, () => `failed ${stats.failed}, bodies threw ${me.throws}`);
    check(stats.completed + stats.failed + me.running === stats.runs, () => `completed ${stats.completed} + failed ${stats.failed} + running ${me.running} != runs ${stats.runs}`);
    check(stats.overruns === me.overrunEvents.length, () => `overruns ${stats.overruns}, overrun events ${me.overrunEvents.length}`);
    const allowed = me.overrun === 'parallel' ? ['parallel'] : me.overrun === 'queue-one' ? ['queued', 'skipped'] : ['skipped'];
    let skippedEvents = 0;
    for (const e of me.overrunEvents) {
      if (e.action === 'skipped') skippedEvents++;
      check(allowed.includes(e.action), () => `overrun action ${e.action} under ${me.overrun}`);
    }
    check(stats.skipped >= skippedEvents, () => `skipped ${stats.skipped} < skipped events ${skippedEvents}`);
    check(me.kind === 'periodic' || stats.skipped === skippedEvents, () => `skipped ${stats.skipped}, events ${skippedEvents}: only a periodic grid coalesces slots`);
    check(stats.deadlineMisses === me.misses, () => `misses ${stats.deadlineMisses}, deadline-miss events ${me.misses}`);
    check(stats.deadlineMisses >= sure && stats.deadlineMisses <= sure + edge, () => `${stats.deadlineMisses} misses, expected ${sure} (+ ${edge} at the deadline)`);
    check(me.taskErrors === me.fatalThrows, () => `task-error events ${me.taskErrors}, fatal throws ${me.fatalThrows}`);
    check(stats.consecutiveMisses >= 0, () => `consecutive misses ${stats.consecutiveMisses}`);
    check(stats.jitterWarnings === late, () => `jitter warnings ${stats.jitterWarnings}, late starts ${late}`);
    // raised when the streak reaches the threshold, once per streak
    check(me.backpressure.every((c) => c === me.backpressureAfter), () => `backpressure at ${me.backpressure.join()}, threshold ${me.backpressureAfter}`);
    const next = me.handle.nextRunAt;
    check(next === undefined || !(me.paused || !live(me)), () => `armed at ${next} while ${me.handle.state}`);
    check(next === undefined || next >= now, () => `next release ${next} is past`);
    // the deadline of the oldest run in flight, else of the next release
    const nextDeadline = me.handle.nextDeadline ?? Number.POSITIVE_INFINITY;
    check(nextDeadline <= runningDeadline, () => `nextDeadline ${nextDeadline}, a run in flight is due by ${runningDeadline}`);
    check(!me.paused || !live(me) || stopping || me.handle.state === 'paused', () => `${me.handle.state}, paused`);
    for (const [label, summary] of [['jitter', stats.jitterMs], ['exec', stats.execMs]] as const) {
      const { p50, p95, p99, max } = summary;
      check([p50, p95, p99, max].every((v) => Number.isFinite(v) && v >= 0) && p50 <= p95 && p95 <= p99 && p99 <= max, () => `${label} percentiles ${JSON.stringify(summary)}`);
    }
    check(stats.totalJitterMs === totalJitter && stats.jitterMs.max === maxJitter, () => `jitter total/max ${stats.totalJitterMs}/${stats.jitterMs.max}, bodies saw ${totalJitter}/${maxJitter}`);
    check(stats.totalExecMs === totalExec && stats.execMs.max === maxExec, () => `exec total/max ${stats.totalExecMs}/${stats.execMs.max}, bodies saw ${totalExec}/${maxExec}`);
  };

  const checkAll = (): void => {
    assert.deepEqual(violations, []);
    assert.deepEqual(loggedErrors, []);
    const description = scheduler.describe();
    assert.deepEqual(JSON.parse(JSON.stringify(description)), description, 'describe() is JSON');
    const running = tasks.reduce((sum, me) => sum + me.running, 0);
    assert.equal(description.running, running + jobsRunning, `at ${clock.now()}: dispatcher running vs bodies running (jobs ${jobsRunning})`);
    assert.ok(description.running - overridesRunning <= maxConcurrency, `at ${clock.now()}: ${description.running} running (${overridesRunning} overrides), maxConcurrency ${maxConcurrency}`);
    for (const me of tasks) {
      checkStats(me);
      // an accepted override runs now, or right after the run in flight: a run of at most 1.6 periods
      const ended = me.cancelled !== undefined || me.stopped || stopping;
      const owedFor = me.overrideOwed === undefined ? 0 : clock.now() - me.overrideOwed;
      assert.ok(ended || me.overrun === 'parallel' ? true : me.running > 0 || owedFor === 0, `${me.name}: an override asked for at ${me.overrideOwed} has not run by ${clock.now()}`);
    }
  };

  /** Where releases may lie, from what the model saw; called at the end. */
  const checkReleases = (me: Tracked): void => {
    const releases = [...new Set([...me.runs.filter((r) => !r.override).map((r) => r.scheduledAt), ...me.overrunEvents.map((e) => e.releaseAt)])].sort((a, b) => a - b);
    const where = (r: number): string => `${me.name} (${me.kind}): release at ${r}`;
    for (const r of releases) {
      for (const pause of me.pauses) assert.ok(r <= pause.from || r >= pause.to, `${where(r)} inside the pause ${pause.from}..${pause.to}`);
    }
    if (me.kind === 'periodic') {
      // The grid's segments. setPeriod at T re-anchors at the last release: the last one seen, or
      // a slot after it that a late release skipped (skipped releases count); never a slot the
      // task was paused over, which was not released at all. The segment's releases pin it down.
      const inPause = (t: number): boolean => me.pauses.some((pause) => t > pause.from && t < pause.to);
      let anchors = [me.t0];
      let from = Number.NEGATIVE_INFINITY;
      const changes = [...me.periods.slice(1), { at: Number.POSITIVE_INFINITY, periodMs: 0 }];
      let periodMs = me.periods[0]!.periodMs;
      for (const change of changes) {
        const own = releases.filter((r) => r >= from && r < change.at);
        const first = own[0];
        const fits = first === undefined ? anchors : anchors.filter((a) => a <= first && (first - a) % periodMs === 0);
        const offGrid = first === undefined ? undefined : own.find((r) => (r - first) % periodMs !== 0);
        assert.ok(fits.length > 0 && offGrid === undefined, `${me.name}: periods ${JSON.stringify(me.periods)}, pauses ${JSON.stringify(me.pauses)}, releases ${own.slice(0, 30).join()} (${from}..${change.at}) fit no grid of period ${periodMs} from ${anchors.slice(0, 20).join()}`);
        if (change.at === Number.POSITIVE_INFINITY) break;
        const last = own.at(-1);
        const next = new Set<number>();
        for (const base of last === undefined ? fits : [last]) {
          next.add(base);
          for (let slot = base + periodMs; slot <= change.at && next.size < 20_000; slot += periodMs) if (!inPause(slot)) next.add(slot);
        }
        anchors = [...next];
        from = change.at;
        periodMs = change.periodMs;
      }
      for (const run of me.runs) {
        const deadlineMs = run.deadline - run.scheduledAt;
        assert.ok(deadlineMs === me.deadlineMs || me.periods.some((p) => p.periodMs === deadlineMs), `${me.name}: deadline ${deadlineMs} after the release`);
      }
    } else {
      for (const run of me.runs) assert.equal(run.deadline - run.scheduledAt, me.deadlineMs ?? Number.POSITIVE_INFINITY, `${me.name}: deadline`);
    }
    if (me.kind === 'recurring') {
      const ends = new Set(me.runs.map((r) => r.endedAt));
      for (const r of releases) {
        assert.ok(ends.has(r - me.param) || me.rearms.includes(r), `${where(r)}: not ${me.param} ms after a run ended, nor an arm or resume`);
      }
    }
    if (me.kind === 'once') {
      // due once; a release dropped by pause() comes again at resume()
      assert.ok(releases.every((r) => me.rearms.includes(r)), `${me.name}: releases ${releases.join()}, due ${me.rearms.join()}`);
      assert.ok(me.runs.filter((r) => !r.override).length <= 1, `${me.name}: ran its release twice`);
    }
    if (me.kind === 'cron') {
      const wallOffset = clock.wallNow() - clock.now();
      for (const r of releases) assert.equal((r + wallOffset) % (me.param * 1000), 0, `${where(r)}: not a cron occurrence`);
    }
  };

  const pause = (me: Tracked): void => {
    if (live(me) && !me.paused) {
      me.paused = true;
      me.pauses.push({ from: clock.now(), to: Number.POSITIVE_INFINITY });
    }
    me.handle.pause();
  };

  const setPeriod = (me: Tracked): void => {
    if (me.kind !== 'periodic') {
      assert.throws(() => me.handle.setPeriod(10), { code: 'ERR_TACTUS_INVALID_CONFIG' });
      return;
    }
    const periodMs = int(1, 40);
    if ((me.deadlineMs !== undefined && me.deadlineMs > periodMs) || (me.maxJitterMs !== undefined && me.maxJitterMs > periodMs)) {
      assert.throws(() => me.handle.setPeriod(periodMs), { code: 'ERR_TACTUS_INVALID_CONFIG' });
      return;
    }
    me.handle.setPeriod(periodMs);
    me.periods.push({ at: clock.now(), periodMs });
  };

  const operate = async (): Promise<void> => {
    const action = random();
    const me = tasks.length > 0 ? pick(tasks) : undefined;
    if (process.env.FUZZ_DEBUG !== undefined) console.log(`${clock.now()}: ${action.toFixed(2)} ${me?.name ?? ''}`); // the trace of a failing seed
    if (action < 0.4) {
      const big = random() < 0.08;
      await clock.advance(big ? int(100, 1000) : int(0, 25));
    } else if (action < 0.45) {
      clock.stall(random() < 0.3 ? int(200, 6000) : int(1, 200)); // moves time at no cost: big ones too
      await clock.advance(0);
    } else if (action < 0.52) {
      add();
    } else if (action < 0.6) {
      submitJob();
    } else if (me === undefined) {
      return;
    } else if (action < 0.68) {
      pause(me);
    } else if (action < 0.76) {
      me.handle.resume();
      if (live(me) && me.paused) {
        me.paused = false;
        me.pauses.at(-1)!.to = clock.now();
        me.rearms.push(clock.now());
      }
      if (me.kind === 'periodic' && random() < 0.3) setPeriod(me); // before the next release
    } else if (action < 0.84) {
      setPeriod(me);
    } else if (action < 0.9) {
      checkAll(); // the last look before the stats freeze
      me.handle.cancel();
      // a no-op on a completed one-shot (its override may still be running and counted)
      const completed = me.kind === 'once' && !me.stopped && me.runs.some((r) => r.endedAt !== undefined);
      if (!completed) me.cancelled ??= me.handle.stats;
      me.paused = false;
    } else {
      const modelLive = live(me) && started;
      try {
        const owed = me.overrideOwed;
        me.overrideOwed ??= clock.now(); // before: the override may start at once
        try {
          scheduler.runImmediately(me.name, { reason: 'fuzz' });
          if (random() < 0.3 && live(me)) scheduler.runImmediately(me.name, { reason: 'fuzz, again' }); // coalesced behind the first
        } catch (error) {
          me.overrideOwed = owed;
          throw error;
        }
        assert.ok(modelLive, `${me.name}: an override accepted for a task the model thinks is gone`);
      } catch (error) {
        if (modelLive) throw error;
      }
      if (random() < 0.25) pause(me); // before the override ran, maybe
    }
  };

  const initial = int(1, 6);
  for (let i = 0; i < initial; i++) add();
  if (random() < 0.5) submitJob();
  scheduler.start();
  started = true;
  for (const me of tasks) {
    me.t0 = clock.now() + me.initialDelayMs;
    me.rearms.push(me.t0);
  }
  for (let step = 0; step < 100; step++) {
    await operate();
    await settle(); // an aborted body ends a few microtasks before its run is accounted
    checkAll();
  }
  for (const me of tasks) checkReleases(me);

  stopping = true;
  let done = false;
  const end = async (how: 'stop' | 'terminate'): Promise<void> => {
    void (how === 'terminate' ? scheduler.terminate() : scheduler.stop()).then(() => (done = true));
    for (let i = 0; i < 50 && !done; i++) await clock.advance(i === 0 ? 0 : 100);
  };
  // stop drains: what was in flight runs to its end, but a hung run never ends by itself;
  // terminate aborts them all, and must resolve
  if (random() < 0.6) await end('stop');
  if (!done) await end('terminate');
  assert.ok(done, 'terminate() did not resolve');
  assert.equal(scheduler.state, 'stopped');
  checkAll();
  await clock.advance(5000);
  checkAll();
  const description = scheduler.describe();
  assert.deepEqual(JSON.parse(JSON.stringify(description)), description, 'describe() is JSON');
  assert.deepEqual([description.running, description.queued], [0, 0]);
  for (const task of description.tasks) {
    const me = trackedOf(task.name);
    assert.equal(me.running, 0, `${me.name} still running`);
    assert.equal(task.nextRunAt, null, `${me.name} still armed`);
    assert.ok(['stopped', 'failed', 'completed'].includes(task.state), `${me.name} ends ${task.state}`);
    assert.equal(task.state, me.handle.state);
    assert.deepEqual(task.stats, me.handle.stats);
    assert.equal(me.cancelled, undefined, `${me.name} cancelled but still described`);
  }
  for (const me of tasks) {
    if (me.cancelled !== undefined || (me.kind === 'once' && me.handle.state === 'completed')) assert.equal(scheduler.has(me.name), false);
  }
}

for (const policy of POLICIES.filter((p) => process.env.FUZZ_POLICY === undefined || p === process.env.FUZZ_POLICY)) {
  test(`random periodic workloads under ${policy}: releases on their grids, no stacking, stats add up, nothing left at the end`, async () => {
    const seeds = process.env.FUZZ_SEED === undefined ? Array.from({ length: Number(process.env.FUZZ_SEEDS ?? 12) }, (_, i) => (i + 1) * 7919) : [Number(process.env.FUZZ_SEED)];
    for (const seed of seeds) {
      try {
        await fuzz(seed, policy);
      } catch (error) {
        assert.fail(`seed ${seed}: ${(error as Error).stack ?? String(error)}`);
      }
    }
  });
}
