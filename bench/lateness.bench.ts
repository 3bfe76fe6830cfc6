/**
 * Lateness (issue 2): how late does a periodic run start, on an idle event loop, and what does it
 * cost in CPU?
 *
 * At 1 ms and 10 ms periods, one loop at a time (precise mode spins, so loops cannot share the
 * process): tactus coarse (default), tactus precise, a hand-rolled drift-corrected `setTimeout`
 * chain (the Node twin of the asyncio loop), and the seeds' own stack, Python asyncio with
 * `loop.call_at` (bench/asyncio_reference.py, when python3 is present). All four use the same grid
 * (release k at t0 + k * period) and the same rule when far behind (late by two periods or more:
 * run once, count the slots in between as skipped).
 *
 * Lateness = actual start - scheduled start: tactus' `ctx.startedAt - ctx.scheduledAt`, cross-checked
 * by `performance.now()` read first thing in the body, and by tactus' own per-task p99. Every
 * `ctx.scheduledAt` is also checked to lie on the grid. CPU = process.cpuUsage over the window /
 * wall time (1.0 = one core); GC = collections seen by a `gc` PerformanceObserver in the window.
 * A 1 s tactus loop runs first, unmeasured, so the windows show the steady state, not the JIT; each
 * coarse loop also runs 4 s unmeasured before its window, until the JIT has optimised its path
 * (precise mode's CPU is its spin).
 *
 * Run: node --expose-gc --import tsx bench/lateness.bench.ts  [BENCH_LATENESS_MS=3000]
 */
import { spawnSync } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Scheduler, type TimerPrecision } from '../src/index.js';
import { startCpuMeter } from './lib/cpu.js';
import { collectGarbage, machineLine, sleep } from './lib/machine.js';
import { SampleBuffer, summarize, type Summary } from './lib/stats.js';
import { markdownTable, ms, pct, ratio } from './lib/table.js';
import { warmUpScheduler } from './lib/warm-up.js';

const WINDOW_MS = Number(process.env.BENCH_LATENESS_MS ?? 3000);
const PERIODS_MS = [1, 10];
const COALESCE_AFTER_PERIODS = 2;
/** Coarse loops settle this long, unmeasured: at 1 kHz the first ~3,000 releases still run partly baseline-tier code (CPU 6.5 % after 1 s, 4.9 % after 3 s). */
const COARSE_SETTLE_MS = 4000;

interface Result {
  name: string;
  runs: number;
  expected: number;
  skipped: number;
  lateness: Summary;
  /** Cross-check: performance.now() in the body - ctx.scheduledAt (tactus only). */
  bodyP99?: number;
  /** Cross-check: the task's own jitter p99 over its whole run, settle included (tactus only). */
  statsP99?: number;
  /** Largest distance of a ctx.scheduledAt from the grid, in ms (tactus only). */
  gridErrorMs?: number;
  core: number;
  gcCount?: number;
  gcPauseMs?: number;
}

/** Counts GC pauses while a window is open. */
function gcWatch(): () => { count: number; pauseMs: number } {
  let count = 0;
  let pauseMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      count++;
      pauseMs += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    observer.disconnect();
    return { count, pauseMs };
  };
}

/**
 * One tactus loop. `settleMs` runs the loop unmeasured first: a new Scheduler costs about 2 s of
 * background JIT work (measured per thread), which would otherwise land in a 3 s CPU window.
 */
async function tactusWindow(periodMs: number, precision: TimerPrecision, settleMs: number): Promise<Result> {
  const capacity = Math.ceil((WINDOW_MS + settleMs) / periodMs) + 16;
  const lateness = new SampleBuffer(capacity);
  const bodyLateness = new SampleBuffer(capacity);
  const scheduled = new SampleBuffer(capacity);
  const scheduler = new Scheduler({ precision });
  const handle = scheduler.schedulePeriodic({ name: `lateness-${precision}`, periodMs }, (ctx) => {
    bodyLateness.push(performance.now() - ctx.scheduledAt);
    lateness.push(ctx.startedAt - ctx.scheduledAt);
    scheduled.push(ctx.scheduledAt);
  });
  collectGarbage();
  scheduler.start();
  await sleep(settleMs);
  for (const buffer of [lateness, bodyLateness, scheduled]) buffer.clear();
  const { runs: runs0, skipped: skipped0 } = handle.stats;
  const gc = gcWatch();
  const cpu = startCpuMeter();
  await sleep(WINDOW_MS);
  const { core } = cpu();
  const { count, pauseMs } = gc();
  await scheduler.stop();
  let gridErrorMs = 0;
  const first = scheduled.at(0);
  for (const at of scheduled.values()) {
    const slots = (at - first) / periodMs;
    gridErrorMs = Math.max(gridErrorMs, Math.abs(slots - Math.round(slots)) * periodMs);
  }
  const stats = handle.stats;
  return {
    name: `tactus ${precision}`,
    runs: stats.runs - runs0,
    expected: Math.floor(WINDOW_MS / periodMs),
    skipped: stats.skipped - skipped0,
    lateness: summarize(lateness.values()),
    bodyP99: summarize(bodyLateness.values()).p99,
    statsP99: stats.jitterMs.p99,
    gridErrorMs,
    core,
    gcCount: count,
    gcPauseMs: pauseMs,
  };
}

/** What a careful user writes without a library: setTimeout to the next grid slot, rounded up. */
async function setTimeoutChainWindow(periodMs: number): Promise<Result> {
  const lateness = new SampleBuffer(Math.ceil(WINDOW_MS / periodMs) + 16);
  const t0 = performance.now() + periodMs;
  const end = t0 + WINDOW_MS;
  let index = 0;
  let skipped = 0;
  collectGarbage();
  const gc = gcWatch();
  const cpu = startCpuMeter();
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      const due = t0 + index * periodMs;
      lateness.push(now - due);
      let next = index + 1;
      if (now - due >= COALESCE_AFTER_PERIODS * periodMs) {
        const latestDue = Math.floor((now - t0) / periodMs);
        next = latestDue + 1;
        skipped += latestDue - index;
      }
      index = next;
      const nextDue = t0 + next * periodMs;
      if (nextDue >= end) resolve();
      else setTimeout(tick, Math.max(0, Math.ceil(nextDue - performance.now())));
    };
    setTimeout(tick, periodMs);
  });
  const { core } = cpu();
  const { count, pauseMs } = gc();
  return {
    name: 'setTimeout chain (drift-corrected)',
    runs: lateness.count,
    expected: Math.floor(WINDOW_MS / periodMs),
    skipped,
    lateness: summarize(lateness.values()),
    core,
    gcCount: count,
    gcPauseMs: pauseMs,
  };
}

interface AsyncioOutput {
  runs: number;
  expected: number;
  skipped: number;
  latenessMs: { p50: number; p99: number; max: number };
  core: number;
  python: string;
}

/** bench/asyncio_reference.py in a child process, or undefined without python3. */
function asyncioWindow(periodMs: number): Result | undefined {
  const script = fileURLToPath(new URL('asyncio_reference.py', import.meta.url));
  const child = spawnSync('python3', [script, '--period-ms', String(periodMs), '--duration-s', String(WINDOW_MS / 1000)], {
    encoding: 'utf8',
    timeout: WINDOW_MS + 10_000,
  });
  if (child.error !== undefined || child.status !== 0) return undefined;
  const out = JSON.parse(child.stdout) as AsyncioOutput;
  return {
    name: `python ${out.python} asyncio call_at`,
    runs: out.runs,
    expected: out.expected,
    skipped: out.skipped,
    lateness: { count: out.runs, mean: Number.NaN, ...out.latenessMs },
    core: out.core,
  };
}

function table(periodMs: number, results: readonly Result[]): string {
  const reference = results.find((r) => r.name.startsWith('python'));
  const rows = results.map((r) => [
    r.name,
    `${r.runs} / ${r.expected}`,
    r.skipped,
    ms(r.lateness.p50),
    ms(r.lateness.p99),
    ms(r.lateness.max),
    r.bodyP99 === undefined ? '—' : ms(r.bodyP99),
    r.statsP99 === undefined ? '—' : ms(r.statsP99),
    r.gridErrorMs === undefined ? '—' : r.gridErrorMs.toExponential(1),
    pct(r.core),
    r.gcCount === undefined ? '—' : `${r.gcCount} (${ms(r.gcPauseMs ?? 0, 1)} ms)`,
    reference === undefined ? '—' : ratio(r.lateness.p99, reference.lateness.p99),
  ]);
  return `### Period ${periodMs} ms, ${WINDOW_MS / 1000} s per loop, one loop at a time\n\n${markdownTable(
    [
      'loop',
      'runs / expected',
      'skipped',
      'lateness p50 (ms)',
      'p99 (ms)',
      'max (ms)',
      'p99 via performance.now()',
      'p99 tactus stats (whole run)',
      'grid error (ms)',
      'CPU (of a core)',
      'GCs (pause)',
      'p99 vs asyncio',
    ],
    rows,
  )}`;
}

const loops: { name: string; run(periodMs: number): Promise<Result | undefined> | Result | undefined }[] = [
  { name: 'tactus coarse', run: (periodMs) => tactusWindow(periodMs, 'coarse', COARSE_SETTLE_MS) },
  { name: 'tactus precise', run: (periodMs) => tactusWindow(periodMs, 'precise', 0) }, // CPU is the spin's
  { name: 'setTimeout chain', run: setTimeoutChainWindow },
  { name: 'python asyncio', run: asyncioWindow },
];
// Optional filters, e.g. to trace one loop: BENCH_LATENESS_PERIODS=1 BENCH_LATENESS_LOOPS=precise
const periodFilter = process.env.BENCH_LATENESS_PERIODS?.split(',').map(Number);
const loopFilter = process.env.BENCH_LATENESS_LOOPS;

console.log(`## Lateness: actual start - scheduled start, idle loop\n\n${machineLine()}\n`);
await warmUpScheduler();
for (const periodMs of PERIODS_MS.filter((p) => periodFilter === undefined || periodFilter.includes(p))) {
  const results: Result[] = [];
  for (const loop of loops.filter((l) => loopFilter === undefined || l.name.includes(loopFilter))) {
    const result = await loop.run(periodMs);
    if (result !== undefined) results.push(result);
    else console.log(`(${loop.name}: skipped, python3 not found)\n`);
  }
  console.log(`${table(periodMs, results)}\n`);
}
console.log(`after: ${machineLine()}`);
