/**
 * Data plane (issue 4): how many 64-byte payloads per second cross from a worker to the parent,
 * how late they arrive, and what the process pipe carries.
 *
 * 1. Throughput, worker thread -> main thread, 64-byte payloads, side by side in one run:
 *    - `SharedRing` push/shift, 4096 slots, the main thread spinning on `shift`: 'reject' (the
 *      producer retries when full: nothing is lost, msgs/s is delivered msgs/s) and 'drop-oldest'
 *      (the producer never waits; what the consumer cannot take is dropped, counted). Sequence
 *      numbers start just below 2^32 so the run crosses the 32-bit index wrap.
 *    - the same in batches: the producer `append`s 64 records per `flush` (one store of the write
 *      index), the consumer `drain`s up to 256 per call (one store of the read index): each index's
 *      cache line crosses between the cores once per batch instead of once per record.
 *    - the same through the API a user sees: `RingPayloadWriter.publish` -> `PayloadReader.poll`
 *      (type names, owned copies: one object and one copy per payload).
 *    - `postMessage` (structured clone), with a credit window so the queue stays bounded: of a
 *      WorkerPayload-shaped object `{ ts, seq, type, data }` (what the ring carries), and of the bare
 *      64-byte Uint8Array (the cheapest possible message).
 *    Rows take turns in 3 rounds (a burst of load elsewhere hits every row alike); in each round a
 *    row starts its producer, warms up (1M messages) and measures one window of WINDOW_MS (best
 *    and median of the 3 windows shown: the machine is shared). GC counts are taken in BOTH
 *    threads over the measured windows with `v8.GCProfiler` (0 = the hot path allocated nothing), and so is each thread's CPU (from
 *    /proc/thread-self/stat): on a shared machine msgs/s follows the CPU the threads got, msgs per
 *    producer CPU-second much less. When full, the producer naps 20 us; when empty 256 times in a
 *    row, the consumer does, so neither burns a core the other one needs.
 * 2. One-way latency at 4,000 payloads/s, 1.5 s per row in 5 interleaved rounds of 0.3 s (each
 *    row takes its turn every round, so a burst of load elsewhere hits every row alike): the worker
 *    paces itself as a worker loop does (the runtime's precise sleeper, default margin: a wait,
 *    then a short spin) and stamps `payloadNow()`; the main thread waits on its event loop and
 *    records `payloadNow() - ts`: the raw ring with `waitAsync`, `for await` over
 *    `PayloadReader.payloads()`, the whole user path (a WorkerManager thread whose 4 kHz loop calls
 *    `ctx.publish`, read with `for await ... of handle.data()`, after half a second of warm-up,
 *    slowed to 10 Hz between its rounds), and postMessage; first the ring's blocking
 *    `wait()` (no event loop at all), the floor this machine allows at that moment: a p99 above
 *    100 us there is scheduling, not the data plane. Each row also gives the consuming thread's CPU.
 * 3. Process pipe: a child process publishes through `FramedPayloadWriter` on fd 4 ('reject', it
 *    waits a turn when the pipe is full) for WINDOW_MS per payload size; the parent decodes with
 *    `FramedPayloadSource` + `PayloadReader`. Beside it, the child's IPC channel (`process.send`
 *    of JSON with base64 data), the JSON control plane's way.
 *
 * Run: node --expose-gc --import tsx bench/ring.bench.ts   [BENCH_RING_MS=1000] [BENCH_RING_SECTIONS=throughput,latency,pipe]
 * Allocation check by hand: BENCH_RING_SECTIONS=ring node --trace-gc --import tsx bench/ring.bench.ts
 * runs only the SharedRing rows (push/shift and batches, 'reject'); Scavenge lines then come from
 * start-up and the warm-ups only.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { GCProfiler } from 'node:v8';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { SharedRing, type OverflowPolicy, type RingRecord } from '../src/queue/ring-buffer.js';
import { FramedPayloadSource } from '../src/workers/data-plane/framed-source.js';
import { FramedPayloadWriter } from '../src/workers/data-plane/framed-writer.js';
import { PayloadReader } from '../src/workers/data-plane/payload-reader.js';
import { RingPayloadSource, RingPayloadWriter, createRingChannel, type RingChannelInit } from '../src/workers/data-plane/ring-channel.js';
import type { WorkerPayload } from '../src/workers/data-plane/payload.js';
import { payloadNow } from '../src/workers/data-plane/timeline.js';
import { PreciseSleeper } from '../src/workers/runtime/precise-sleeper.js';
import { SPIN_MARGIN_MS } from '../src/workers/spec.js';
import { WorkerManager } from '../src/workers/manager.js';
import { collectGarbage, machineLine } from './lib/machine.js';
import { SampleBuffer, summarize } from './lib/stats.js';
import { markdownTable, pct, ratio, us } from './lib/table.js';

const WINDOW_MS = Number(process.env.BENCH_RING_MS ?? 1000);
const PAYLOAD_BYTES = 64;
const LATENCY_RATE = 4000;
const LATENCY_MS = 1500;
const PIPE_SIZES = [64, 4096, 640 * 480];
const thisFile = fileURLToPath(import.meta.url);
const PUBLISHER_WORKER = new URL('./workers/publisher-worker.ts', import.meta.url);
type PublisherWorker = typeof import('./workers/publisher-worker.js').default;

// Control words shared with a producer thread.
const C_READY = 0; // producer started
const C_CONSUMED = 1; // postMessage: parent's consumed count (credits)
const C_DONE = 2; // producer finished
const C_STOP = 3; // parent: stop producing
const C_NAP = 4; // never set: a word to sleep on
const NAP_MS = 0.02;

/** What the postMessage peer sends: the bare bytes, or a WorkerPayload object ({ ts, seq, type, data }) as the ring carries. */
type PostShape = 'bytes' | 'payload';

type Role =
  | { role: 'ring'; ring: SharedArrayBuffer; control: SharedArrayBuffer; warmUp: number; batch: boolean }
  | { role: 'payload'; init: RingChannelInit; control: SharedArrayBuffer; warmUp: number }
  | { role: 'post'; control: SharedArrayBuffer; warmUp: number; window: number; shape: PostShape }
  | { role: 'paced-ring'; init: RingChannelInit; control: SharedArrayBuffer; rate: number; durationMs: number }
  | { role: 'paced-post'; control: SharedArrayBuffer; rate: number; durationMs: number };

/**
 * Counts GC events from now on, in the calling thread. `v8.GCProfiler` records them synchronously,
 * so it also works in a thread that spins without yielding (a `gc` PerformanceObserver would
 * only hear about them on the next event-loop turn).
 */
function gcCounter(): () => number {
  const profiler = new GCProfiler();
  profiler.start();
  return () => profiler.stop()?.statistics.length ?? 0;
}

function startProducer(data: Role): { worker: Worker; control: Int32Array; exited: Promise<unknown> } {
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(bootstrap, { eval: true, workerData: data });
  worker.on('error', (error) => {
    console.error(error);
    process.exit(1);
  });
  return { worker, control: new Int32Array(data.control), exited: once(worker, 'exit') };
}

// ---------------------------------------------------------------- producer threads

function producerMain(data: Role): void {
  const control = new Int32Array(data.control);
  const payload = new Uint8Array(PAYLOAD_BYTES).fill(7);
  Atomics.store(control, C_READY, 1);
  Atomics.notify(control, C_READY);
  let gcInMeasured = 0;
  let core = 0;
  if (data.role === 'ring' || data.role === 'payload' || data.role === 'post') {
    const { publish, flush } = producerOf(data, payload);
    let i = 0;
    for (; i < data.warmUp; i++) publish(i);
    const cpu0 = threadCpuMs(); // reads a file: allocates, so outside the GC count
    const wall0 = performance.now();
    const gc = gcCounter();
    while (Atomics.load(control, C_STOP) === 0) {
      for (const end = i + 4096; i < end; i++) publish(i);
    }
    flush();
    gcInMeasured = gc();
    core = (threadCpuMs() - cpu0) / (performance.now() - wall0);
  } else {
    const writer = data.role === 'paced-ring' ? new RingPayloadWriter(data.init) : undefined;
    const view = new DataView(payload.buffer);
    const periodMs = 1000 / data.rate;
    const sleeper = new PreciseSleeper(payloadNow, SPIN_MARGIN_MS.default);
    const start = payloadNow() + 50;
    const total = Math.floor((data.durationMs * data.rate) / 1000);
    for (let k = 0; k < total; k++) {
      // paced as a worker loop is (the runtime's sleeper: wait, then a short spin), not spinning a
      // whole core: on 2 cores a spinning producer leaves the consumer one core shared with all else
      const ts = sleeper.waitUntil(start + k * periodMs);
      if (writer !== undefined) writer.publish('ft_sample', payload, ts);
      else {
        view.setFloat64(0, ts, true);
        parentPort!.postMessage(payload);
      }
    }
  }
  parentPort!.postMessage({ gcInMeasured, core });
  Atomics.store(control, C_DONE, 1);
  Atomics.notify(control, C_DONE);
}

/**
 * Full ('reject'): sleep a few tens of microseconds (a timed futex wait), then retry. Sleeping
 * rather than spinning keeps the core free for the consumer when the machine is oversubscribed.
 */
function backOff(control: Int32Array): void {
  Atomics.wait(control, C_NAP, 0, NAP_MS);
}

const noFlush = (): void => {};

/** `publish(i)` sends message i; `flush()` publishes what a batching producer still holds. */
function producerOf(data: Role, payload: Uint8Array): { publish: (i: number) => void; flush: () => void } {
  const control = new Int32Array(data.control);
  if (data.role === 'ring' && data.batch) {
    const ring = SharedRing.attach(data.ring);
    let pending = 0;
    const flush = (): void => {
      ring.flush();
      pending = 0;
    };
    const publish = (i: number): void => {
      while (!ring.append(1, i, payload)) {
        flush(); // full under 'reject': let the consumer see what it is missing, then retry
        backOff(control);
      }
      if (++pending === APPEND_BATCH) flush();
    };
    return { publish, flush };
  }
  if (data.role === 'ring') {
    const ring = SharedRing.attach(data.ring);
    const publish = (i: number): void => {
      while (!ring.push(1, i, payload)) backOff(control);
    };
    return { publish, flush: noFlush };
  }
  if (data.role === 'payload') {
    const writer = new RingPayloadWriter(data.init);
    const publish = (i: number): void => {
      while (!writer.publish('ft_sample', payload, i)) backOff(control);
    };
    return { publish, flush: noFlush };
  }
  if (data.role !== 'post') throw new Error('not a throughput role');
  const { window, shape } = data;
  const publish = (i: number): void => {
    for (let consumed = Atomics.load(control, C_CONSUMED); i - consumed > window; consumed = Atomics.load(control, C_CONSUMED)) {
      Atomics.wait(control, C_CONSUMED, consumed, 5);
    }
    parentPort!.postMessage(shape === 'bytes' ? payload : { ts: i, seq: i, type: 'ft_sample', data: payload });
  };
  return { publish, flush: noFlush };
}

// ---------------------------------------------------------------- throughput

/** What a throughput producer posts when it stops: GC events and its CPU share over the measured part. */
interface ProducerReport {
  gcInMeasured: number;
  core: number;
}

interface Throughput {
  name: string;
  /** msgs/s of each measured window. */
  windows: number[];
  gcProducer: number;
  gcConsumer: number;
  /** CPU of the consuming (main) thread over the measured windows, share of one core. */
  consumerCore: number;
  /** CPU of the producing thread over its measured part, share of one core. */
  producerCore: number;
  note: string;
}

const best = (t: Throughput): number => Math.max(...t.windows);
const median = (t: Throughput): number => [...t.windows].sort((a, b) => a - b)[Math.floor(t.windows.length / 2)]!;

async function waitReady(control: Int32Array): Promise<void> {
  while (Atomics.load(control, C_READY) === 0) await new Promise((resolve) => setImmediate(resolve));
}

const WARM_UP = 1_000_000;
const ROUNDS = 3; // every row measures one window per round, rows taking turns: load elsewhere hits every row alike
const WINDOWS = 1; // windows per row and round
const IDLE_SPINS = 256;
const APPEND_BATCH = 64; // records a batching producer appends per flush
const DRAIN_BATCH = 256; // records a batching consumer takes per drain

/**
 * Run `take` (how many it took; 0 when nothing was ready) through a warm-up, then WINDOWS windows
 * of WINDOW_MS; then stop the producer and drain. After IDLE_SPINS empty takes in a row the
 * consumer naps (a timed futex wait), so a descheduled producer gets the core back. Returns msgs/s
 * per window, and the consumer thread's GC count and CPU over the windows.
 */
async function spinWindows(control: Int32Array, take: () => number, drained: () => boolean): Promise<{ windows: number[]; gcConsumer: number; consumerCore: number }> {
  await waitReady(control);
  let idle = 0;
  const step = (): number => {
    const taken = take();
    if (taken > 0) {
      idle = 0;
      return taken;
    }
    if (++idle >= IDLE_SPINS) {
      idle = 0;
      Atomics.wait(control, C_NAP, 0, NAP_MS);
    }
    return 0;
  };
  for (let received = 0; received < WARM_UP; ) received += step();
  const cpu0 = threadCpuMs(); // reads a file: allocates, so outside the GC count
  const wall0 = performance.now();
  const gc = gcCounter();
  const windows: number[] = [];
  for (let w = 0; w < WINDOWS; w++) {
    const t0 = performance.now();
    const until = t0 + WINDOW_MS;
    let msgs = 0;
    do {
      for (let k = 0; k < 4096; k++) msgs += step();
    } while (performance.now() < until);
    windows.push(msgs / ((performance.now() - t0) / 1000));
  }
  const gcConsumer = gc();
  const consumerCore = (threadCpuMs() - cpu0) / (performance.now() - wall0);
  Atomics.store(control, C_STOP, 1);
  while (Atomics.load(control, C_DONE) === 0 || !drained()) step();
  return { windows, gcConsumer, consumerCore };
}

/** push/shift, one record at a time; or batched: append x APPEND_BATCH + flush / drain(DRAIN_BATCH). */
async function ringThroughput(overflow: OverflowPolicy, batch: boolean): Promise<Throughput> {
  const startSeq = 2 ** 32 - 1_500_000; // the warm-up ends just before the 32-bit wrap
  const ring = SharedRing.create({ slots: 4096, slotBytes: PAYLOAD_BYTES, overflow, startSeq });
  const control = new Int32Array(new SharedArrayBuffer(32));
  const producer = startProducer({ role: 'ring', ring: ring.buffer, control: control.buffer, warmUp: WARM_UP, batch });
  const report = once(producer.worker, 'message');
  // Checked per record without allocating: a closure variable above 2^31 would box on every write.
  const check = new Float64Array(3); // [last seq, corrupt count, out of order]
  check[0] = startSeq - 1;
  const visit = (record: RingRecord): void => {
    if (record.data.length !== PAYLOAD_BYTES || record.data[63] !== 7) check[1]! += 1;
    if (record.seq <= check[0]! || (overflow === 'reject' && record.seq !== check[0]! + 1)) check[2]! += 1;
    check[0] = record.seq;
  };
  const take = batch
    ? (): number => ring.drain(DRAIN_BATCH, visit)
    : (): number => {
        const record = ring.shift();
        if (record === undefined) return 0;
        visit(record);
        return 1;
      };
  const { windows, gcConsumer, consumerCore } = await spinWindows(control, take, () => ring.counters().depth === 0);
  const [{ gcInMeasured, core }] = (await report) as [ProducerReport];
  await producer.exited;
  const counters = ring.counters();
  const exact = counters.produced === counters.consumed + counters.dropped && counters.depth === 0;
  const ok = check[1] === 0 && check[2] === 0 && exact && (overflow === 'drop-oldest' || counters.dropped === 0);
  const outcome = overflow === 'reject' ? `refused then retried ${counters.rejected}` : `dropped ${counters.dropped} (consumer slower)`;
  return {
    name: batch ? `SharedRing append x${APPEND_BATCH} + flush / drain(${DRAIN_BATCH}), '${overflow}'` : `SharedRing push/shift, '${overflow}'`,
    windows,
    gcProducer: gcInMeasured,
    producerCore: core,
    gcConsumer,
    consumerCore,
    note: `${ok ? 'in order, intact, exact counters' : 'MISMATCH'}; ${counters.produced} records, seqs ${startSeq}..${check[0]} (across 2^32); ${outcome}`,
  };
}

async function payloadThroughput(): Promise<Throughput> {
  const init = createRingChannel({ slots: 4096, slotBytes: PAYLOAD_BYTES, overflow: 'reject' });
  const reader = new PayloadReader();
  reader.attach(new RingPayloadSource(init));
  const control = new Int32Array(new SharedArrayBuffer(32));
  const producer = startProducer({ role: 'payload', init, control: control.buffer, warmUp: WARM_UP });
  const report = once(producer.worker, 'message');
  const take = (): number => (reader.poll() === undefined ? 0 : 1);
  const { windows, gcConsumer, consumerCore } = await spinWindows(control, take, () => reader.counters().depth === 0);
  const [{ gcInMeasured, core }] = (await report) as [ProducerReport];
  await producer.exited;
  const counters = reader.counters();
  return {
    name: 'RingPayloadWriter -> PayloadReader.poll',
    windows,
    gcProducer: gcInMeasured,
    producerCore: core,
    gcConsumer,
    consumerCore,
    note: `${counters.dropped === 0 ? 'all delivered' : 'MISMATCH'}; a WorkerPayload object + owned copy each (GC expected)`,
  };
}

async function postMessageThroughput(shape: PostShape): Promise<Throughput> {
  const control = new Int32Array(new SharedArrayBuffer(32));
  const warmUp = 100_000;
  const producer = startProducer({ role: 'post', control: control.buffer, warmUp, window: 8192, shape });
  const windows: number[] = [];
  let received = 0;
  let windowStart = 0;
  let windowFrom = 0;
  let stopGc: (() => number) | undefined;
  let gcConsumer = 0;
  let cpu0 = 0;
  let wall0 = 0;
  let consumerCore = 0;
  const report = new Promise<ProducerReport>((resolve) => {
    producer.worker.on('message', (message: Uint8Array | WorkerPayload | ProducerReport) => {
      if ('gcInMeasured' in message) {
        resolve(message);
        return;
      }
      received++;
      if (received === warmUp) {
        cpu0 = threadCpuMs();
        wall0 = performance.now();
        stopGc = gcCounter();
        windowStart = performance.now();
        windowFrom = received;
      }
      if ((received & 1023) !== 0) return;
      Atomics.store(control, C_CONSUMED, received);
      const now = performance.now();
      if (stopGc === undefined || windows.length === WINDOWS || now < windowStart + WINDOW_MS) return;
      windows.push((received - windowFrom) / ((now - windowStart) / 1000));
      windowStart = now;
      windowFrom = received;
      if (windows.length === WINDOWS) {
        gcConsumer = stopGc();
        consumerCore = (threadCpuMs() - cpu0) / (performance.now() - wall0);
        Atomics.store(control, C_STOP, 1);
      }
    });
  });
  const { gcInMeasured, core } = await report;
  await producer.exited;
  return {
    name: shape === 'bytes' ? 'postMessage(Uint8Array(64))' : 'postMessage({ ts, seq, type, data })',
    windows,
    gcProducer: gcInMeasured,
    producerCore: core,
    gcConsumer,
    consumerCore,
    note: 'structured clone per message; credit window 8192',
  };
}

// ---------------------------------------------------------------- latency

/** utime + stime of the calling thread, in ms (10 ms ticks). */
function threadCpuMs(): number {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const LATENCY_ROUNDS = 5; // rows take turns, LATENCY_MS / LATENCY_ROUNDS each: a burst of load elsewhere hits every row alike
const PAUSED_PERIOD_MS = 100; // the handle row's worker loop between its rounds

/** One latency row: its samples and the consuming thread's CPU, summed over its rounds. */
interface LatencyRow {
  name: string;
  samples: SampleBuffer;
  cpuMs: number;
  wallMs: number;
  /** One round of `durationMs`: set up, then `meter` the consuming part. */
  round(row: LatencyRow, durationMs: number): Promise<void>;
  close(): Promise<void>;
}

function latencyRow(name: string, round: LatencyRow['round'], close: () => Promise<void> = () => Promise.resolve()): LatencyRow {
  return { name, samples: new SampleBuffer(Math.ceil((LATENCY_MS * LATENCY_RATE) / 1000) + 64), cpuMs: 0, wallMs: 0, round, close };
}

/** Run `consume`, adding the calling thread's CPU and the wall time to the row. */
async function meter(row: LatencyRow, consume: () => Promise<void>): Promise<void> {
  const cpu0 = threadCpuMs();
  const wall0 = performance.now();
  await consume();
  row.cpuMs += threadCpuMs() - cpu0;
  row.wallMs += performance.now() - wall0;
}

type RingConsumer = 'wait' | 'waitAsync' | 'reader';

const RING_CONSUMER_NAMES: Record<RingConsumer, string> = {
  wait: 'SharedRing + Atomics.wait (blocking: the floor)',
  waitAsync: 'SharedRing + waitAsync (event loop)',
  reader: 'for await PayloadReader.payloads()',
};

function ringLatency(consumer: RingConsumer): LatencyRow {
  return latencyRow(RING_CONSUMER_NAMES[consumer], async (row, durationMs) => {
    const init = createRingChannel({ slots: 1024, slotBytes: PAYLOAD_BYTES });
    const control = new Int32Array(new SharedArrayBuffer(16));
    const producer = startProducer({ role: 'paced-ring', init, control: control.buffer, rate: LATENCY_RATE, durationMs });
    const report = once(producer.worker, 'message');
    await meter(row, () => consumeRing(consumer, init, control, row.samples, report));
    await producer.exited;
  });
}

async function consumeRing(consumer: RingConsumer, init: RingChannelInit, control: Int32Array, samples: SampleBuffer, report: Promise<unknown>): Promise<void> {
  if (consumer === 'reader') {
    const reader = new PayloadReader();
    reader.attach(new RingPayloadSource(init));
    const finished = report.then(() => reader.close());
    for await (const payload of reader.payloads()) samples.push(payloadNow() - payload.ts);
    await finished;
  } else {
    const ring = SharedRing.attach(init.ring);
    for (;;) {
      const record = ring.shift();
      if (record !== undefined) {
        samples.push(payloadNow() - record.ts);
        continue;
      }
      if (Atomics.load(control, C_DONE) === 1) break;
      if (consumer === 'wait') ring.wait(100);
      else await ring.waitAsync(100);
    }
  }
}

/**
 * The user's path end to end: a WorkerManager thread whose loop publishes a 64-byte payload every
 * 250 us (`ctx.publish`, stamped in `publish`), read with `for await (const p of handle.data())`.
 * Spawned once, warmed up for half a second (JIT, first GCs); between its rounds the loop slows to
 * PAUSED_PERIOD_MS, and a round counts only payloads stamped after it began.
 */
async function handleLatency(): Promise<LatencyRow> {
  const manager = new WorkerManager({ heartbeatMs: 100 });
  const handle = manager.spawn<PublisherWorker>({ name: 'pub', module: PUBLISHER_WORKER, config: { periodMs: 1000 / LATENCY_RATE, bytes: PAYLOAD_BYTES }, ring: { slots: 1024, slotBytes: PAYLOAD_BYTES } });
  await handle.ready();
  const take = async (count: number, from: number, samples?: SampleBuffer): Promise<void> => {
    let seen = 0;
    for await (const payload of handle.data()) {
      if (payload.ts < from) continue; // published before this round began
      samples?.push(payloadNow() - payload.ts);
      if (++seen >= count) break;
    }
  };
  await take(LATENCY_RATE / 2, 0);
  await handle.request('setPeriod', { periodMs: PAUSED_PERIOD_MS });
  return latencyRow(
    'for await handle.data(), WorkerManager thread, loop at 4 kHz',
    async (row, durationMs) => {
      await handle.request('setPeriod', { periodMs: 1000 / LATENCY_RATE });
      const from = payloadNow();
      await meter(row, () => take(Math.floor((durationMs * LATENCY_RATE) / 1000), from, row.samples));
      await handle.request('setPeriod', { periodMs: PAUSED_PERIOD_MS });
    },
    () => manager.stop(),
  );
}

function postLatency(): LatencyRow {
  return latencyRow('postMessage', async (row, durationMs) => {
    const control = new Int32Array(new SharedArrayBuffer(16));
    const producer = startProducer({ role: 'paced-post', control: control.buffer, rate: LATENCY_RATE, durationMs });
    await meter(
      row,
      () =>
        new Promise<void>((resolve) => {
          producer.worker.on('message', (message: Uint8Array | object) => {
            if (message instanceof Uint8Array) row.samples.push(payloadNow() - new DataView(message.buffer, message.byteOffset).getFloat64(0, true));
            else resolve();
          });
        }),
    );
    await producer.exited;
  });
}

// ---------------------------------------------------------------- process pipe

interface PipeResult {
  name: string;
  size: number;
  msgs: number;
  perSecond: number;
  mbPerSecond: number;
  lost: number;
}

async function pipeRun(size: number, mode: 'frames' | 'ipc'): Promise<PipeResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', thisFile, 'pipe-child', mode, String(size), String(WINDOW_MS)], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc', 'pipe'],
  });
  const exited = once(child, 'exit');
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  let msgs = 0;
  let bytes = 0;
  let t0 = 0;
  let t1 = 0;
  if (mode === 'frames') {
    const reader = new PayloadReader();
    reader.attach(new FramedPayloadSource(child.stdio[4] as Readable, { maxDataBytes: size }));
    const finished = exited.then(() => reader.close());
    for await (const payload of reader.payloads()) {
      if (msgs === 0) t0 = performance.now();
      msgs++;
      bytes += payload.data.length;
      t1 = performance.now();
    }
    await finished;
  } else {
    child.on('message', (message: { data: string }) => {
      if (msgs === 0) t0 = performance.now();
      msgs++;
      bytes += Buffer.from(message.data, 'base64').length;
      t1 = performance.now();
    });
    await exited;
  }
  const { sent } = JSON.parse(out) as { sent: number };
  const seconds = (t1 - t0) / 1000;
  return { name: mode === 'frames' ? 'framed pipe (fd 4)' : 'IPC process.send (JSON, base64)', size, msgs, perSecond: msgs / seconds, mbPerSecond: bytes / seconds / 1e6, lost: sent - msgs };
}

async function pipeChild(mode: string, size: number, durationMs: number): Promise<void> {
  const data = new Uint8Array(size).fill(3);
  const end = performance.now() + durationMs;
  let sent = 0;
  const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  if (mode === 'frames') {
    const writer = FramedPayloadWriter.open({ overflow: 'reject', maxDataBytes: size, maxQueuedBytes: Math.max(4 * 1024 * 1024, 2 * size + 1024) });
    while (performance.now() < end) {
      for (let i = 0; i < 256; i++) {
        if (writer.publish('frame', data)) sent++;
        else await turn();
      }
      await turn();
    }
    await writer.close();
  } else {
    const base64 = Buffer.from(data).toString('base64');
    while (performance.now() < end) {
      for (let i = 0; i < 256; i++) {
        if (!process.send!({ seq: sent, ts: payloadNow(), type: 'frame', data: base64 })) await turn();
        sent++;
      }
      await turn();
    }
    await new Promise((resolve) => process.send!({ seq: sent, ts: payloadNow(), type: 'frame', data: base64 }, resolve));
    sent++;
  }
  process.stdout.write(`${JSON.stringify({ sent })}\n`);
  process.disconnect?.();
}

// ---------------------------------------------------------------- main

/** One row per path from its rounds: windows side by side, GC counts summed, CPU shares averaged, the last round's note (flagged if any round mismatched). */
function mergeRounds(runs: Throughput[]): Throughput[] {
  const rows = new Map<string, Throughput[]>();
  for (const run of runs) rows.set(run.name, [...(rows.get(run.name) ?? []), run]);
  return [...rows.values()].map((rounds) => {
    const mean = (pick: (t: Throughput) => number): number => rounds.reduce((sum, t) => sum + pick(t), 0) / rounds.length;
    const last = rounds[rounds.length - 1]!;
    const mismatched = rounds.some((t) => t.note.includes('MISMATCH'));
    return {
      name: last.name,
      windows: rounds.flatMap((t) => t.windows),
      gcProducer: rounds.reduce((sum, t) => sum + t.gcProducer, 0),
      gcConsumer: rounds.reduce((sum, t) => sum + t.gcConsumer, 0),
      producerCore: mean((t) => t.producerCore),
      consumerCore: mean((t) => t.consumerCore),
      note: `${mismatched && !last.note.includes('MISMATCH') ? 'MISMATCH in an earlier round; ' : ''}${last.note}`,
    };
  });
}

async function throughputSection(ringOnly: boolean): Promise<void> {
  const ringRows = [() => ringThroughput('reject', false), () => ringThroughput('reject', true)];
  const otherRows = [
    () => ringThroughput('drop-oldest', false),
    () => ringThroughput('drop-oldest', true),
    payloadThroughput,
    () => postMessageThroughput('payload'),
    () => postMessageThroughput('bytes'),
  ];
  const runs: Throughput[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const next of ringOnly ? ringRows : [...ringRows, ...otherRows]) {
      collectGarbage();
      runs.push(await next());
    }
  }
  const rows = mergeRounds(runs);
  const postPayload = rows.find((r) => r.name.startsWith('postMessage({')) ?? rows[0]!;
  const postBytes = rows.find((r) => r.name.startsWith('postMessage(Uint8Array')) ?? rows[0]!;
  console.log(`### Throughput, worker thread -> main thread, ${PAYLOAD_BYTES}-byte payloads, ${ROUNDS} interleaved rounds of ${WINDOWS} x ${WINDOW_MS} ms per row\n`);
  console.log(
    markdownTable(
      ['path', 'windows, M msgs/s', 'msgs/s (best window)', 'msgs/s (median)', 'median vs postMessage payload', 'median vs postMessage bytes', 'GC in producer', 'GC in consumer', 'producer / consumer thread CPU', 'M msgs per producer CPU-second', 'note'],
      rows.map((r) => [
        r.name,
        r.windows.map((w) => (w / 1e6).toFixed(2)).join(' / '),
        Math.round(best(r)).toLocaleString('en-US'),
        Math.round(median(r)).toLocaleString('en-US'),
        ratio(median(r), median(postPayload)),
        ratio(median(r), median(postBytes)),
        r.gcProducer,
        r.gcConsumer,
        `${pct(r.producerCore)} / ${pct(r.consumerCore)}`,
        (median(r) / r.producerCore / 1e6).toFixed(1),
        r.note,
      ]),
    ),
  );
}

async function latencySection(): Promise<void> {
  const post = postLatency();
  const rows = [ringLatency('wait'), ringLatency('waitAsync'), ringLatency('reader'), await handleLatency(), post];
  for (let round = 0; round < LATENCY_ROUNDS; round++) {
    for (const row of rows) await row.round(row, LATENCY_MS / LATENCY_ROUNDS);
  }
  for (const row of rows) await row.close();
  const summaries = rows.map((row) => summarize(row.samples.values()));
  const postP99 = summaries[rows.indexOf(post)]!.p99;
  console.log(`\n### One-way latency at ${LATENCY_RATE} msgs/s, ${LATENCY_ROUNDS} interleaved rounds of ${LATENCY_MS / LATENCY_ROUNDS / 1000} s per row (worker ts -> main thread, us)\n`);
  console.log(
    markdownTable(
      ['path', 'samples', 'p50 us', 'p99 us', 'max us', 'p99 vs postMessage', 'consumer thread CPU'],
      rows.map((row, i) => {
        const summary = summaries[i]!;
        return [row.name, summary.count, us(summary.p50, 1), us(summary.p99, 1), us(summary.max, 1), ratio(summary.p99, postP99), pct(row.cpuMs / row.wallMs)];
      }),
    ),
  );
}

async function pipeSection(): Promise<void> {
  const pipes: PipeResult[] = [];
  for (const size of PIPE_SIZES) pipes.push(await pipeRun(size, 'frames'));
  pipes.push(await pipeRun(PAYLOAD_BYTES, 'ipc'));
  const frames64 = pipes[0]!;
  console.log(`\n### Process data plane, child -> parent, ${WINDOW_MS / 1000} s per row\n`);
  console.log(
    markdownTable(
      ['path', 'payload bytes', 'msgs', 'msgs/s', 'MB/s (payload)', 'lost', 'msgs/s vs framed 64 B'],
      pipes.map((p) => [p.name, p.size, p.msgs, Math.round(p.perSecond).toLocaleString('en-US'), p.mbPerSecond.toFixed(1), p.lost, ratio(p.perSecond, frames64.perSecond)]),
    ),
  );
}

async function main(): Promise<void> {
  const sections = (process.env.BENCH_RING_SECTIONS ?? 'throughput,latency,pipe').split(',');
  console.log('## Data plane (issue 4): ring, postMessage, process pipe\n');
  console.log(`${machineLine()}; window ${WINDOW_MS} ms\n`);
  if (sections.includes('ring')) await throughputSection(true);
  if (sections.includes('throughput')) await throughputSection(false);
  if (sections.includes('latency')) await latencySection();
  if (sections.includes('pipe')) await pipeSection();
}

if (process.argv[2] === 'pipe-child') await pipeChild(process.argv[3] ?? 'frames', Number(process.argv[4]), Number(process.argv[5]));
else if (isMainThread) await main();
else producerMain(workerData as Role);
