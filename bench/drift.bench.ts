/**
 * Drift (issue 2): does a periodic loop keep its period over 5 s?
 *
 * For each period (1 ms, 10 ms) three loops run side by side in this process for the same window:
 * tactus `schedulePeriodic` (coarse, the default), `setInterval`, and toad-scheduler's
 * `SimpleIntervalJob` (which wraps setInterval). Each body records `performance.now()` into a
 * preallocated buffer; mean period = (last start - first start) / (runs - 1). Running them
 * together means they share the same load from the rest of the machine; their bodies take
 * microseconds, so they barely delay each other. A 1 s tactus loop runs first, unmeasured (JIT).
 *
 * Run: node --expose-gc --import tsx bench/drift.bench.ts  [BENCH_DRIFT_MS=5000]
 */
import { SimpleIntervalJob, Task, ToadScheduler } from 'toad-scheduler';
import { Scheduler } from '../src/index.js';
import { collectGarbage, machineLine, sleep } from './lib/machine.js';
import { SampleBuffer } from './lib/stats.js';
import { markdownTable, ms, ratio, signedPct } from './lib/table.js';
import { warmUpScheduler } from './lib/warm-up.js';

const WINDOW_MS = Number(process.env.BENCH_DRIFT_MS ?? 5000);
const PERIODS_MS = [1, 10];

interface Loop {
  readonly name: string;
  readonly starts: SampleBuffer;
  start(periodMs: number): void;
  stop(): Promise<void>;
  /** Releases the loop itself reports as skipped, when it counts them. */
  skipped(): number | undefined;
}

function tactusLoop(capacity: number): Loop {
  const starts = new SampleBuffer(capacity);
  const scheduler = new Scheduler();
  let skipped = (): number | undefined => undefined;
  return {
    name: 'tactus schedulePeriodic',
    starts,
    start(periodMs) {
      const handle = scheduler.schedulePeriodic({ name: 'drift', periodMs }, () => starts.push(performance.now()));
      skipped = () => handle.stats.skipped;
      scheduler.start();
    },
    stop: () => scheduler.stop(),
    skipped: () => skipped(),
  };
}

function setIntervalLoop(capacity: number): Loop {
  const starts = new SampleBuffer(capacity);
  let timer: NodeJS.Timeout | undefined;
  return {
    name: 'setInterval',
    starts,
    start(periodMs) {
      timer = setInterval(() => starts.push(performance.now()), periodMs);
    },
    async stop() {
      clearInterval(timer);
    },
    skipped: () => undefined,
  };
}

function toadLoop(capacity: number): Loop {
  const starts = new SampleBuffer(capacity);
  const scheduler = new ToadScheduler();
  return {
    name: 'toad-scheduler SimpleIntervalJob',
    starts,
    start(periodMs) {
      const task = new Task('drift', () => starts.push(performance.now()));
      scheduler.addSimpleIntervalJob(new SimpleIntervalJob({ milliseconds: periodMs }, task));
    },
    async stop() {
      scheduler.stop();
    },
    skipped: () => undefined,
  };
}

function meanPeriod(starts: SampleBuffer): number {
  return starts.count < 2 ? Number.NaN : (starts.at(starts.count - 1) - starts.at(0)) / (starts.count - 1);
}

async function measure(periodMs: number): Promise<string> {
  const capacity = Math.ceil(WINDOW_MS / periodMs) * 2 + 16;
  const loops = [tactusLoop(capacity), setIntervalLoop(capacity), toadLoop(capacity)];
  collectGarbage();
  for (const loop of loops) loop.start(periodMs);
  await sleep(WINDOW_MS);
  await Promise.all(loops.map((loop) => loop.stop()));
  const expected = Math.floor(WINDOW_MS / periodMs);
  const tactusMean = meanPeriod(loops[0]!.starts);
  const rows = loops.map((loop) => {
    const mean = meanPeriod(loop.starts);
    return [
      loop.name,
      `${loop.starts.count} / ${expected}`,
      loop.skipped() ?? '—',
      ms(mean, 4),
      signedPct(mean / periodMs - 1),
      ratio(mean, tactusMean, 3),
    ];
  });
  return `### Period ${periodMs} ms, ${WINDOW_MS / 1000} s, side by side\n\n${markdownTable(
    ['loop', 'runs / expected', 'skipped', 'mean period (ms)', 'period error', 'mean period vs tactus'],
    rows,
  )}`;
}

console.log(`## Drift: mean period over ${WINDOW_MS / 1000} s\n\n${machineLine()}\n`);
await warmUpScheduler();
for (const periodMs of PERIODS_MS) console.log(`${await measure(periodMs)}\n`);
console.log(`after: ${machineLine()}`);
