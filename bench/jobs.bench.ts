/**
 * Job throughput (issue 3): 200,000 trivial async jobs with random priorities through tactus'
 * scheduler (per-run stats always on: latency histograms, summary counters), side by side with
 * p-queue (priorities, sorted-array insert) and fastq (FIFO, no priorities) in the same process.
 *
 * - all queued at once: submit everything, then drain (`scheduler.stop()` / `onIdle()` / `drained`);
 * - streamed: 1,000 queued up front, each finishing job submits the next (backlog stays <= 1,000);
 * - depth scaling: cost per submit+dispatch with 100 vs 100,000 jobs queued (single slot, each
 *   finishing job submits one more, so the depth stays constant).
 *
 * Each throughput figure is the median of three runs after a warm-up run; each depth figure the
 * median of three runs, the two depths alternating.
 *
 * Beside the all-at-once rows, the memory floor: heap bytes a queued job holds, times what fresh
 * memory costs on this machine (`lib/fresh-memory.ts`), against the time per job the target allows.
 *
 * Run: node --expose-gc --import tsx bench/jobs.bench.ts   [BENCH_JOBS=200000]
 */
import fastq from 'fastq';
import PQueue from 'p-queue';
import { Scheduler } from '../src/index.js';
import { freshMemoryNsPerByte } from './lib/fresh-memory.js';
import { collectGarbage, machineLine } from './lib/machine.js';
import { markdownTable, ratio } from './lib/table.js';

const N = Number(process.env.BENCH_JOBS ?? 200_000);
const BACKLOG = 1000;

function priorities(count: number): Uint8Array {
  const out = new Uint8Array(count);
  let s = 99;
  for (let i = 0; i < count; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    out[i] = s % 7;
  }
  return out;
}

const PRIORITIES = priorities(N);
const trivial = async (): Promise<void> => {};

/** Jobs per second of `run`, the median of three after one warm-up (JIT) round. */
async function timed(run: () => Promise<void>): Promise<number> {
  const rates: number[] = [];
  for (let round = 0; round < 4; round++) {
    collectGarbage();
    const start = performance.now();
    await run();
    if (round > 0) rates.push(N / ((performance.now() - start) / 1000));
  }
  return rates.sort((a, b) => a - b)[1]!;
}

// ---- all queued at once ----

function tactusAllAtOnce(concurrency: number): Promise<number> {
  return timed(async () => {
    const scheduler = new Scheduler({ maxConcurrency: concurrency });
    scheduler.start();
    for (let i = 0; i < N; i++) scheduler.submit({ name: 'job', fn: trivial, priority: PRIORITIES[i]! });
    await scheduler.stop();
    if (scheduler.summary().completed !== N) throw new Error('tactus lost jobs');
  });
}

function pQueueAllAtOnce(concurrency: number): Promise<number> {
  return timed(async () => {
    const queue = new PQueue({ concurrency });
    // p-queue runs higher numbers first; tactus runs lower numbers first
    for (let i = 0; i < N; i++) void queue.add(trivial, { priority: 6 - PRIORITIES[i]! });
    await queue.onIdle();
  });
}

function fastqAllAtOnce(concurrency: number): Promise<number> {
  return timed(
    () =>
      new Promise<void>((resolve) => {
        const queue = fastq((_: number, cb: (err: Error | null) => void) => {
          trivial().then(() => cb(null), cb);
        }, concurrency);
        queue.drain = resolve;
        for (let i = 0; i < N; i++) queue.push(i);
      }),
  );
}

/** Heap bytes per queued (not yet started) job, with N queued. */
async function bytesPerQueuedJob(): Promise<number> {
  collectGarbage();
  const before = process.memoryUsage();
  const scheduler = new Scheduler({ maxConcurrency: 1 });
  for (let i = 0; i < N; i++) scheduler.submit({ name: 'job', fn: trivial, priority: PRIORITIES[i]! });
  collectGarbage();
  const after = process.memoryUsage();
  await scheduler.terminate();
  return (after.heapUsed - before.heapUsed + after.arrayBuffers - before.arrayBuffers) / N;
}

// ---- streamed: backlog <= 1000 ----

function tactusStreamed(concurrency: number): Promise<number> {
  return timed(async () => {
    const scheduler = new Scheduler({ maxConcurrency: concurrency });
    scheduler.start();
    let submitted = 0;
    const submitNext = (): void => {
      if (submitted >= N) return;
      const priority = PRIORITIES[submitted++]!;
      scheduler.submit({ name: 'job', fn: job, priority });
    };
    const job = async (): Promise<void> => {
      submitNext();
    };
    for (let i = 0; i < BACKLOG; i++) submitNext();
    while (submitted < N) await new Promise((resolve) => setImmediate(resolve));
    await scheduler.stop();
    if (scheduler.summary().completed !== N) throw new Error('tactus lost jobs');
  });
}

function pQueueStreamed(concurrency: number): Promise<number> {
  return timed(async () => {
    const queue = new PQueue({ concurrency });
    let submitted = 0;
    const submitNext = (): void => {
      if (submitted >= N) return;
      void queue.add(job, { priority: 6 - PRIORITIES[submitted++]! });
    };
    const job = async (): Promise<void> => {
      submitNext();
    };
    for (let i = 0; i < BACKLOG; i++) submitNext();
    while (submitted < N) await queue.onIdle();
    await queue.onIdle();
  });
}

function fastqStreamed(concurrency: number): Promise<number> {
  return timed(
    () =>
      new Promise<void>((resolve) => {
        let submitted = 0;
        const submitNext = (): void => {
          if (submitted >= N) return;
          submitted++;
          queue.push(submitted);
        };
        const queue = fastq((_: number, cb: (err: Error | null) => void) => {
          submitNext();
          trivial().then(() => cb(null), cb);
        }, concurrency);
        queue.drain = () => {
          if (submitted >= N) resolve();
        };
        for (let i = 0; i < BACKLOG; i++) submitNext();
      }),
  );
}

// ---- depth scaling ----

async function tactusAtDepth(depth: number, jobs: number): Promise<number> {
  collectGarbage();
  const scheduler = new Scheduler({ maxConcurrency: 1 });
  const random = priorities(depth + jobs);
  let submitted = 0;
  const submitNext = (): void => {
    scheduler.submit({ name: 'job', fn: job, priority: random[submitted++]! });
  };
  let remaining = jobs;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const job = async (): Promise<void> => {
    if (--remaining > 0) submitNext();
    else done();
  };
  for (let i = 0; i < depth; i++) submitNext();
  const start = performance.now();
  scheduler.start();
  await finished;
  const nsPerJob = ((performance.now() - start) * 1e6) / jobs;
  await scheduler.terminate();
  return nsPerJob;
}

async function main(): Promise<void> {
  console.log(`## Jobs: throughput (issue 3)\n\n${machineLine()}; ${N.toLocaleString('en-US')} trivial async jobs, random priorities 0-6.\n`);
  const rows: (string | number)[][] = [];
  const pQueueAllRates: number[] = [];
  for (const concurrency of [1, 8]) {
    const t = await tactusAllAtOnce(concurrency);
    const p = await pQueueAllAtOnce(concurrency);
    const f = await fastqAllAtOnce(concurrency);
    pQueueAllRates.push(p);
    rows.push([`all queued at once, concurrency ${concurrency}`, Math.round(t), Math.round(p), Math.round(f), ratio(t, p), ratio(t, f)]);
  }
  for (const concurrency of [1, 8]) {
    const t = await tactusStreamed(concurrency);
    const p = await pQueueStreamed(concurrency);
    const f = await fastqStreamed(concurrency);
    rows.push([`streamed, backlog <= ${BACKLOG}, concurrency ${concurrency}`, Math.round(t), Math.round(p), Math.round(f), ratio(t, p), ratio(t, f)]);
  }
  console.log(markdownTable(['scenario', 'tactus jobs/s', 'p-queue jobs/s', 'fastq jobs/s (FIFO)', 'tactus / p-queue', 'tactus / fastq'], rows));
  const bytes = await bytesPerQueuedJob();
  const nsPerByte = freshMemoryNsPerByte();
  const allowedNs = 1e9 / (50 * Math.max(...pQueueAllRates));
  console.log(
    `\nMemory floor, all queued at once: a queued job holds ${bytes.toFixed(0)} B of heap; fresh memory costs ${nsPerByte.toFixed(2)} ns/B here ` +
      `(first touch of each 4 KB page), so ${(bytes * nsPerByte).toFixed(0)} ns per job go to pages alone, of the ${allowedNs.toFixed(0)} ns per job that 50x p-queue allows.`,
  );
  const jobs = 50_000;
  const shallowRuns: number[] = [];
  const deepRuns: number[] = [];
  for (let round = 0; round < 3; round++) {
    shallowRuns.push(await tactusAtDepth(100, jobs));
    deepRuns.push(await tactusAtDepth(100_000, jobs));
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[1]!;
  const shallow = median(shallowRuns);
  const deep = median(deepRuns);
  console.log(
    `\n${markdownTable(
      ['queued', 'submit+dispatch ns/job'],
      [
        ['100', shallow.toFixed(0)],
        ['100,000', deep.toFixed(0)],
      ],
    )}\n\ncost at 100,000 queued / cost at 100 queued: ${ratio(deep, shallow)} (target <= 2x)\n`,
  );
}

await main();
