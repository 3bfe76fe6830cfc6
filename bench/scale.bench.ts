/**
 * Scale (issue 2; reliability plan G1): does the scheduler's cost per release stay flat from 100
 * to 10,000 registered periodic tasks?
 *
 * N tasks with trivial bodies and periods spread over 100 ms-1 s (the same spread for every N: a
 * golden-ratio sequence) are registered at once and started. Two measures:
 * 1. The scheduler's own cost per release: the same Scheduler on a stepped clock that jumps to the
 *    next armed alarm instead of waiting, so the driver loop is pure scheduler work (timer heap,
 *    release, ready queue, dispatch, accounting, the trivial body). The sizes take turns for 8
 *    rounds, each on a fresh scheduler after a warm-up; the median round's CPU per release is
 *    reported with the spread, for a window right after the warm-up and for one after 30 releases
 *    per task (settled: the GC has promoted and marked the freshly registered tasks, a one-off
 *    cost of registration that the first window at 10,000 tasks still pays). Hot code at every N,
 *    no timer wait, no event loop in the figure.
 *    Beside it, in the same rounds, a minimal heap loop (bench/lib/minimal-periodic-loop.ts: heap,
 *    task object, body; nothing else): its ratio is what the caches alone make of 100x more tasks.
 *    `bench/scale-misses.ts` counts the cache misses per release of this loop (cachegrind): the
 *    same question without the machine's timing noise.
 * 2. Real timers, side by side with the peers (one `setInterval` per task; toad-scheduler, a
 *    `SimpleIntervalJob` per task), one contender at a time: after a settle that absorbs the first
 *    burst and lasts until 3,000 releases (steady state: optimised code, at most 12 s), process CPU over a window / releases in it (includes Node's timers, libuv and the
 *    event-loop-delay sampler, the same for every row), event-loop lag p99 (`monitorEventLoopDelay`
 *    samples every 10 ms; lag = sampled interval - 10 ms) and heap used. A first row with nothing
 *    scheduled gives the machine's noise floor. For tactus also the wall time inside its wake-ups per release
 *    (a clock wrapper times each alarm callback): its own cost on real timers, caches as they are
 *    after sleeping, without the wait.
 *
 * Run: node --expose-gc --import tsx bench/scale.bench.ts  [BENCH_SCALE_MS=3000] [BENCH_SCALE_PARTS=1]
 * (BENCH_SCALE_PARTS: which measures to run, e.g. `1` for the stepped clock only; both by default)
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SimpleIntervalJob, Task, ToadScheduler } from 'toad-scheduler';
import { Scheduler, SystemClock, type Alarm, type Clock } from '../src/index.js';
import { startCpuMeter } from './lib/cpu.js';
import { collectGarbage, machineLine, sleep } from './lib/machine.js';
import { minimalLoopCost } from './lib/minimal-periodic-loop.js';
import { periodOf, steppedLoad } from './lib/stepped-clock.js';
import { markdownTable, ms, ratio } from './lib/table.js';
import { warmUpScheduler } from './lib/warm-up.js';

const WINDOW_MS = Number(process.env.BENCH_SCALE_MS ?? 2500);
const PARTS = process.env.BENCH_SCALE_PARTS ?? '12';
/** A real-timer row opens its window after this many releases (or SETTLE_MAX_MS), every contender alike. */
const SETTLE_RELEASES = 3000;
const SETTLE_MAX_MS = 12_000;
const LAG_RESOLUTION_MS = 10;
const SIZES = [100, 10_000];
const STEPPED_WARMUP = 50_000;
const STEPPED_RELEASES = 600_000;
const STEPPED_ROUNDS = 8;
/** The settled window opens once the scheduler has made this many releases per task. */
const SETTLE_RELEASES_PER_TASK = 30;

interface SteppedRow {
  count: number;
  releases: number;
  /** The window right after the warm-up: median over the rounds, and the spread. */
  cpuPerReleaseUs: number;
  minUs: number;
  maxUs: number;
  /** The window after SETTLE_RELEASES_PER_TASK releases per task: median over the rounds, and the spread. */
  settledUs: number;
  settledMinUs: number;
  settledMaxUs: number;
  /** The minimal reference loop (bench/lib/minimal-periodic-loop.ts), median over the same rounds. */
  referenceUs: number;
}

/**
 * CPU per release (us) of `releases` releases with `count` tasks, on a fresh stepped-clock
 * scheduler: right after the warm-up (`first`), and again once every task has been released
 * SETTLE_RELEASES_PER_TASK times (`settled`), when the GC has dealt with the freshly registered
 * tasks (promotion, marking: at 10,000 tasks the first windows after registration cost up to 2x
 * the later ones).
 */
function steppedCost(count: number, releases: number): { first: number; settled: number } {
  const { clock, scheduler, released } = steppedLoad(count);
  clock.drive(() => released() >= STEPPED_WARMUP); // JIT warm-up, and the burst of every release 0
  const window = (): number => {
    const released0 = released();
    const cpu = startCpuMeter();
    clock.drive(() => released() - released0 >= releases);
    return (cpu().cpuMs / (released() - released0)) * 1000;
  };
  const first = window();
  clock.drive(() => released() >= SETTLE_RELEASES_PER_TASK * count);
  const settled = window();
  void scheduler.terminate();
  return { first, settled };
}

/**
 * The scheduler's own cost per release at each size, on a stepped clock. The sizes take turns,
 * each round on a fresh scheduler with only that size loaded (STEPPED_ROUNDS rounds of
 * STEPPED_RELEASES / STEPPED_ROUNDS releases), so a burst of load from elsewhere on the machine
 * lands on both rather than on whichever ran at that moment; the median round is reported with
 * the spread.
 */
async function steppedCosts(counts: number[]): Promise<SteppedRow[]> {
  const samples = counts.map((): number[] => []);
  const settledSamples = counts.map((): number[] => []);
  const references = counts.map((): number[] => []);
  const perRound = Math.ceil(STEPPED_RELEASES / STEPPED_ROUNDS);
  for (let round = 0; round < STEPPED_ROUNDS; round++) {
    for (const [i, count] of counts.entries()) {
      collectGarbage();
      await sleep(10); // finalizers run: the last round's histograms go back to the arena
      const { first, settled } = steppedCost(count, perRound);
      samples[i]!.push(first);
      settledSamples[i]!.push(settled);
      references[i]!.push(minimalLoopCost(count, perRound, STEPPED_WARMUP, periodOf));
    }
  }
  const median = (values: number[]): number => values.sort((a, b) => a - b)[values.length >> 1]!;
  return counts.map((count, i) => {
    const sorted = samples[i]!.sort((a, b) => a - b);
    const settled = settledSamples[i]!.sort((a, b) => a - b);
    return {
      count,
      releases: perRound * STEPPED_ROUNDS,
      cpuPerReleaseUs: median(sorted),
      minUs: sorted[0]!,
      maxUs: sorted.at(-1)!,
      settledUs: median(settled),
      settledMinUs: settled[0]!,
      settledMaxUs: settled.at(-1)!,
      referenceUs: median(references[i]!),
    };
  });
}

/** The real clock, with the time spent inside its alarm callbacks (the scheduler's wake-ups) summed. */
class TimedClock implements Clock {
  readonly #inner = new SystemClock();
  busyMs = 0;

  now(): number {
    return this.#inner.now();
  }

  wallNow(): number {
    return this.#inner.wallNow();
  }

  createAlarm(onWake: () => void): Alarm {
    return this.#inner.createAlarm(() => {
      const start = performance.now();
      onWake();
      this.busyMs += performance.now() - start;
    });
  }
}

interface Contender {
  readonly name: string;
  /** Register `count` tasks whose body is `body` and start them; returns a stop function. */
  start(count: number, body: () => void): Started;
}

interface Started {
  stop(): Promise<void>;
  /** Wall ms spent inside the scheduler's wake-ups so far (tactus only). */
  busyMs?(): number;
}

/** Nothing scheduled: the lag and CPU of an idle process on this machine, right now. */
const idle: Contender = {
  name: 'nothing scheduled (noise floor)',
  start: () => ({ stop: async () => {} }),
};

const contenders: Contender[] = [
  {
    name: 'tactus schedulePeriodic',
    start(count, body) {
      const clock = new TimedClock();
      const scheduler = new Scheduler({ clock });
      for (let i = 0; i < count; i++) scheduler.schedulePeriodic({ name: `task-${i}`, periodMs: periodOf(i) }, body);
      scheduler.start();
      return { stop: () => scheduler.stop(), busyMs: () => clock.busyMs };
    },
  },
  {
    name: 'setInterval per task',
    start(count, body) {
      const timers: NodeJS.Timeout[] = [];
      for (let i = 0; i < count; i++) timers.push(setInterval(body, periodOf(i)));
      return { stop: async () => timers.forEach(clearInterval) };
    },
  },
  {
    name: 'toad-scheduler SimpleIntervalJob',
    start(count, body) {
      const scheduler = new ToadScheduler();
      for (let i = 0; i < count; i++) {
        scheduler.addSimpleIntervalJob(new SimpleIntervalJob({ milliseconds: periodOf(i) }, new Task(`task-${i}`, body)));
      }
      return { stop: async () => scheduler.stop() };
    },
  },
];

interface RealRow {
  name: string;
  count: number;
  registerMs: number;
  releasesPerS: number;
  core: number;
  cpuPerReleaseUs: number;
  inWakeUs: number;
  lagP99Ms: number;
  heapMb: number;
}

async function realTimers(contender: Contender, count: number): Promise<RealRow> {
  collectGarbage();
  let releases = 0;
  const body = (): void => {
    releases++;
  };
  const t0 = performance.now();
  const started = contender.start(count, body);
  const registerMs = performance.now() - t0;
  await sleep(count >= 1000 ? 800 : 300); // settle: the burst of every task's first release
  // then until the JIT has seen enough releases to optimise the path (at 100 tasks, ~270/s, a short
  // settle measured baseline-tier code: 2x the steady-state CPU per release)
  const settleEnd = performance.now() + SETTLE_MAX_MS;
  while (count > 0 && releases < SETTLE_RELEASES && performance.now() < settleEnd) await sleep(100);
  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  const releases0 = releases;
  const busy0 = started.busyMs?.() ?? Number.NaN;
  lag.enable();
  const cpu = startCpuMeter();
  await sleep(WINDOW_MS);
  const { cpuMs, wallMs, core } = cpu();
  lag.disable();
  const inWindow = releases - releases0;
  const busyMs = (started.busyMs?.() ?? Number.NaN) - busy0;
  const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
  await started.stop();
  return {
    name: contender.name,
    count,
    registerMs,
    releasesPerS: (inWindow / wallMs) * 1000,
    core,
    cpuPerReleaseUs: inWindow === 0 ? Number.NaN : (cpuMs / inWindow) * 1000,
    inWakeUs: inWindow === 0 ? Number.NaN : (busyMs / inWindow) * 1000,
    lagP99Ms: Math.max(0, lag.percentile(99) / 1e6 - LAG_RESOLUTION_MS),
    heapMb,
  };
}

const label = (count: number): string => count.toLocaleString('en-US');
const small = SIZES[0]!;
const large = SIZES[SIZES.length - 1]!;
console.log(`## Scale: periodic tasks with periods spread 100 ms-1 s, trivial bodies\n\n${machineLine()}\n`);

if (PARTS.includes('1')) await reportStepped();
if (PARTS.includes('2')) await reportRealTimers();
console.log(`\nafter: ${machineLine()}`);

async function reportStepped(): Promise<void> {
  const stepped = await steppedCosts(SIZES);
  const steppedRatio = stepped[stepped.length - 1]!.cpuPerReleaseUs / stepped[0]!.cpuPerReleaseUs;
  console.log(`### Scheduler cost per release (stepped clock: no waiting)\n`);
  console.log(
    markdownTable(
      [
        'tasks',
        'releases measured',
        `CPU per release (us), median of ${STEPPED_ROUNDS} rounds`,
        'min - max',
        `vs ${label(small)} tasks`,
        `settled: after ${SETTLE_RELEASES_PER_TASK} releases per task (us)`,
        'min - max',
        `vs ${label(small)} tasks`,
        'minimal heap loop (us)',
        `its vs ${label(small)} tasks`,
      ],
      stepped.map((r) => [
        label(r.count),
        label(r.releases),
        r.cpuPerReleaseUs.toFixed(2),
        `${r.minUs.toFixed(2)} - ${r.maxUs.toFixed(2)}`,
        ratio(r.cpuPerReleaseUs, stepped[0]!.cpuPerReleaseUs),
        r.settledUs.toFixed(2),
        `${r.settledMinUs.toFixed(2)} - ${r.settledMaxUs.toFixed(2)}`,
        ratio(r.settledUs, stepped[0]!.settledUs),
        r.referenceUs.toFixed(3),
        ratio(r.referenceUs, stepped[0]!.referenceUs),
      ]),
    ),
  );
  const referenceRatio = stepped[stepped.length - 1]!.referenceUs / stepped[0]!.referenceUs;
  const settledRatio = stepped[stepped.length - 1]!.settledUs / stepped[0]!.settledUs;
  console.log(
    `\n${label(large)} vs ${label(small)} tasks: ${steppedRatio.toFixed(2)}x right after the warm-up, ${settledRatio.toFixed(2)}x settled (target <= 1.5x); ` +
      `the minimal heap loop (no stats, no dispatcher: the machine's cache floor) ${referenceRatio.toFixed(2)}x\n`,
  );
}

async function reportRealTimers(): Promise<void> {
  await warmUpScheduler(1000, { clock: new TimedClock() }); // the stepped clock compiled the engine for another clock
  const rows: RealRow[] = [await realTimers(idle, 0)];
  for (const count of SIZES) for (const contender of contenders) rows.push(await realTimers(contender, count));
  const setIntervalAt = (count: number): RealRow | undefined => rows.find((r) => r.count === count && r.name === 'setInterval per task');
  console.log(`### Real timers, side by side (${WINDOW_MS / 1000} s window per row)\n`);
  console.log(
    markdownTable(
      ['tasks', 'loop', 'register (ms)', 'releases/s', 'CPU (of a core)', 'CPU per release (us)', 'vs setInterval', 'in-wake time per release (us)', 'event-loop lag p99 (ms)', 'heap used (MB)'],
      rows.map((r) => [
        label(r.count),
        r.name,
        ms(r.registerMs, 1),
        r.releasesPerS.toFixed(0),
        `${(r.core * 100).toFixed(2)} %`,
        Number.isNaN(r.cpuPerReleaseUs) ? '—' : r.cpuPerReleaseUs.toFixed(2),
        ratio(r.cpuPerReleaseUs, setIntervalAt(r.count)?.cpuPerReleaseUs ?? Number.NaN),
        Number.isNaN(r.inWakeUs) ? '—' : r.inWakeUs.toFixed(2),
        ms(r.lagP99Ms, 2),
        r.heapMb.toFixed(1),
      ]),
    ),
  );
  const tactusAt = (count: number): RealRow => rows.find((r) => r.count === count && r.name === contenders[0]!.name)!;
  console.log(
    `\n${label(large)} vs ${label(small)} tasks, tactus with real timers: in-wake time per release ${ratio(tactusAt(large).inWakeUs, tactusAt(small).inWakeUs)}, ` +
      `CPU per release ${ratio(tactusAt(large).cpuPerReleaseUs, tactusAt(small).cpuPerReleaseUs)}`,
  );
}
