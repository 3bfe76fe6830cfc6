/**
 * Workers (issue 4): isolated device loops and their supervision, side by side with the peers.
 *
 * 1. A 1 kHz loop in a worker thread (the runtime's precise timer: Atomics.wait, then a short
 *    spin), default and economy timing, with the main thread idle and then saturated by busy work
 *    (100 ms slices of spinning, one event-loop turn between them), and once with the loop thread
 *    at niceness -10 (needs CAP_SYS_NICE; a shared machine's other load then waits first). Lateness = ctx.startedAt -
 *    ctx.scheduledAt recorded in the worker after a 1 s warm-up; CPU = the worker thread's own
 *    utime + stime (/proc/thread-self/stat) over the window. Beside it, in the same run:
 *    setInterval(1 ms) on the main thread, idle and saturated (lateness = gap - 1 ms), and the
 *    seeds' Python asyncio loop idle (bench/asyncio_reference.py, when python3 is present), and
 *    the machine's floor: bench/floor_reference.c, the same sleep-then-spin design in C with the
 *    default and economy margins, idle and beside the saturated main thread (when `cc` is present).
 * 2. Hang detection at 100 ms heartbeats (kill after 5 missed): a worker wedges inside a command;
 *    time from the request to the `exit` event, thread and process.
 * 3. Restart after a crash (SIGKILL / terminate from outside): crash -> exit seen, exit -> running
 *    again (backoff fixed at 100 ms), on the built package when present.
 * 4. False kills: the parent's event loop blocked for 1 s, repeatedly, with a thread and a process
 *    worker beating at 100 ms.
 *
 * Run: node --expose-gc --import tsx bench/workers.bench.ts   (about 110 s)
 * Env: BENCH_WORKERS_WINDOW_MS (default 4000), BENCH_WORKERS_TRIALS (default 25),
 *      BENCH_WORKERS_SECTIONS (default loops,hang,restart,blocked; `loops` alone takes ~65 s).
 */
import { execFile, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { existsSync, rmSync } from 'node:fs';
import { WorkerManager, type Launcher, type WorkerConnection } from '../src/workers/index.js';
import { defaultLauncher } from '../src/workers/launch/launcher.js';
import { SPIN_MARGIN_MS } from '../src/workers/spec.js';
import { machineLine, sleep } from './lib/machine.js';
import { summarize, type Summary } from './lib/stats.js';
import { markdownTable, pct, ratio, us } from './lib/table.js';

const execFileAsync = promisify(execFile);

type LoopWorker = typeof import('./workers/loop-worker.js').default;

/** The built package when present (production start-up), else the sources. */
const DIST = new URL('../dist/workers/index.js', import.meta.url);
const workers = existsSync(DIST)
  ? {
      ...((await import(DIST.href)) as typeof import('../src/workers/index.js')),
      launch: ((await import(new URL('../dist/workers/launch/launcher.js', import.meta.url).href)) as typeof import('../src/workers/launch/launcher.js')).defaultLauncher,
      fromDist: true,
    }
  : { ...(await import('../src/workers/index.js')), launch: defaultLauncher, fromDist: false };

const WINDOW_MS = Number(process.env.BENCH_WORKERS_WINDOW_MS ?? 4000);
const TRIALS = Number(process.env.BENCH_WORKERS_TRIALS ?? 25);
const SECTIONS = new Set((process.env.BENCH_WORKERS_SECTIONS ?? 'loops,hang,restart,blocked').split(','));
const LOOP_WORKER = new URL('./workers/loop-worker.ts', import.meta.url);

interface LoopResult {
  name: string;
  lateness: Summary;
  core: number;
  runs: number;
}

/** Keep the main thread busy until `stop()`: spin 100 ms, yield one turn, repeat. */
function saturate(): { stop(): void } {
  let running = true;
  const slice = (): void => {
    if (!running) return;
    const until = performance.now() + 100;
    while (performance.now() < until) {
      // busy work on the main thread
    }
    setImmediate(slice);
  };
  setImmediate(slice);
  return {
    stop() {
      running = false;
    },
  };
}

async function workerLoop(name: string, timing: 'default' | 'economy', load: boolean, niceness?: number): Promise<LoopResult> {
  const manager = new WorkerManager({ heartbeatMs: 100 });
  try {
    const handle = manager.spawn<LoopWorker>({ name: 'loop', module: LOOP_WORKER, timing, config: { periodMs: 1 }, ...(niceness === undefined ? {} : { niceness }) });
    await handle.ready();
    await sleep(1000); // warm-up: JIT, first GCs
    const busy = load ? saturate() : undefined;
    await handle.request('begin');
    await sleep(WINDOW_MS);
    const result = await handle.request('end');
    busy?.stop();
    return { name, lateness: summarize(result.lateness), core: result.cpuMs / result.wallMs, runs: result.lateness.length };
  } finally {
    await manager.stop();
  }
}

async function mainThreadInterval(name: string, load: boolean): Promise<LoopResult> {
  const samples: number[] = [];
  let last = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    if (last !== 0) samples.push(now - last - 1);
    last = now;
  }, 1);
  await sleep(500);
  samples.length = 0;
  const busy = load ? saturate() : undefined;
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  await sleep(WINDOW_MS);
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - wall0;
  busy?.stop();
  clearInterval(timer);
  const core = load ? Number.NaN : (cpu.user + cpu.system) / 1000 / wallMs;
  return { name, lateness: summarize(samples), core, runs: samples.length };
}

/** The machine's floor: bench/floor_reference.c (sleep, then spin, in C), built with `cc` when present. */
const floorBinary = ((): string | undefined => {
  const source = fileURLToPath(new URL('./floor_reference.c', import.meta.url));
  const binary = join(tmpdir(), `tactus-floor-${process.pid}`);
  const build = spawnSync('cc', ['-O2', '-o', binary, source], { encoding: 'utf8' });
  return build.status === 0 ? binary : undefined;
})();

async function nativeFloor(name: string, marginMs: number, load: boolean): Promise<LoopResult | undefined> {
  if (floorBinary === undefined) return undefined;
  const busy = load ? saturate() : undefined;
  try {
    const { stdout } = await execFileAsync(floorBinary, ['--period-ms', '1', '--margin-us', String(marginMs * 1000), '--duration-s', String(WINDOW_MS / 1000)]);
    const out = JSON.parse(stdout) as { runs: number; core: number; latenessMs: { p50: number; p99: number; max: number } };
    return { name, lateness: { count: out.runs, mean: Number.NaN, ...out.latenessMs }, core: out.core, runs: out.runs };
  } finally {
    busy?.stop();
  }
}

function pythonAsyncio(): LoopResult | undefined {
  const script = fileURLToPath(new URL('./asyncio_reference.py', import.meta.url));
  const run = spawnSync('python3', [script, '--period-ms', '1', '--duration-s', String(WINDOW_MS / 1000)], { encoding: 'utf8' });
  if (run.status !== 0) return undefined;
  const out = JSON.parse(run.stdout) as { runs: number; core: number; latenessMs: { p50: number; p99: number; max: number } };
  return { name: 'Python asyncio call_at, idle', lateness: { count: out.runs, mean: Number.NaN, ...out.latenessMs }, core: out.core, runs: out.runs };
}

interface DetectionResult {
  isolation: 'thread' | 'process';
  detect: Summary;
  exits: string[];
}

/** A manager whose backoff stays at 100 ms and whose budget never runs out, for repeated failures. */
function trialManager(): WorkerManager {
  return new WorkerManager({ heartbeatMs: 100, backoff: { initialMs: 100, factor: 1 }, restartBudget: { maxRestarts: 10_000 } });
}

function nextExit(manager: WorkerManager): Promise<{ at: number; reason: string }> {
  return new Promise((resolve) => manager.once('exit', (event) => resolve({ at: performance.now(), reason: event.reason })));
}

/** Wedge the worker inside a command, `trials` times; time from the request to the `exit` (hung). */
async function hangDetection(isolation: 'thread' | 'process', trials: number): Promise<DetectionResult> {
  const manager = trialManager();
  const detect: number[] = [];
  const exits = new Set<string>();
  try {
    const handle = manager.spawn<LoopWorker>({ name: 'wedge', module: LOOP_WORKER, isolation, config: { periodMs: 1 } });
    await handle.ready();
    for (let i = 0; i < trials; i++) {
      await sleep(150);
      const exited = nextExit(manager);
      const sent = performance.now();
      void handle.request('hang', undefined, { timeoutMs: 60_000 }).catch(() => undefined);
      const exit = await exited;
      exits.add(exit.reason);
      detect.push(exit.at - sent);
      await handle.ready();
    }
  } finally {
    await manager.stop();
  }
  return { isolation, detect: summarize(detect), exits: [...exits] };
}

interface RestartResult {
  isolation: 'thread' | 'process';
  exitSeen: Summary;
  running: Summary;
}

/**
 * Crash a worker `trials` times (SIGKILL for a process, `worker.terminate()` from outside for a
 * thread) and time the crash -> `exit` event, and `exit` -> running again (backoff 100 ms, then a
 * fresh start: ready is sent right after the new loop runner's first step, its first beat). Runs
 * the built package (dist/) with plain `node` workers when it exists: production start-up, no tsx.
 */
async function restartAfterCrash(isolation: 'thread' | 'process', trials: number): Promise<RestartResult> {
  const connections: WorkerConnection[] = [];
  const launcher: Launcher = (request, events) => {
    const connection = workers.launch(request, events);
    connections.push(connection);
    return connection;
  };
  const manager = new workers.WorkerManager({ heartbeatMs: 100, backoff: { initialMs: 100, factor: 1 }, restartBudget: { maxRestarts: 10_000 }, launcher });
  const exitSeen: number[] = [];
  const running: number[] = [];
  try {
    const handle = manager.spawn({ name: 'crashy', ...workers.dummyFtSensor, isolation, ...(workers.fromDist ? { execArgv: [] } : {}) });
    await handle.ready();
    for (let i = 0; i < trials; i++) {
      await sleep(150);
      const exited = nextExit(manager as unknown as WorkerManager);
      const crashedAt = performance.now();
      if (isolation === 'process') process.kill(handle.pid!, 'SIGKILL');
      else connections.at(-1)!.kill();
      const exit = await exited;
      await handle.ready();
      exitSeen.push(exit.at - crashedAt);
      running.push(performance.now() - exit.at);
    }
  } finally {
    await manager.stop();
  }
  return { isolation, exitSeen: summarize(exitSeen), running: summarize(running) };
}

/** Block the parent's event loop for 1 s, `rounds` times, with beating workers: count kills. */
async function falseKills(rounds: number): Promise<{ rounds: number; kills: number; suspects: number }> {
  const manager = new WorkerManager({ heartbeatMs: 100 });
  let kills = 0;
  let suspects = 0;
  manager.on('exit', (event) => {
    if (!event.expected) kills++;
  });
  manager.on('suspect', () => suspects++);
  try {
    const handles = (['thread', 'process'] as const).map((isolation) => manager.spawn({ name: isolation, module: LOOP_WORKER, isolation, config: { periodMs: 10 } }));
    await Promise.all(handles.map((h) => h.ready()));
    for (let i = 0; i < rounds; i++) {
      const until = performance.now() + 1000;
      while (performance.now() < until) {
        // the parent is blocked
      }
      await sleep(400);
    }
  } finally {
    await manager.stop();
  }
  return { rounds, kills, suspects };
}

const row = (r: LoopResult, reference: LoopResult): (string | number)[] => [
  r.name,
  r.runs,
  us(r.lateness.p50, 1),
  us(r.lateness.p99, 1),
  us(r.lateness.max, 0),
  ratio(r.lateness.p99, reference.lateness.p99, 1),
  Number.isNaN(r.core) ? '—' : pct(r.core),
];

console.log(`## Workers (issue 4)\n\n${machineLine()}; window ${WINDOW_MS} ms per row, ${TRIALS} detection trials per isolation.\n`);

const loops: LoopResult[] = [];
if (SECTIONS.has('loops')) {
  loops.push(await workerLoop('worker thread, default timing, main idle', 'default', false));
  loops.push(await workerLoop('worker thread, default timing, main saturated', 'default', true));
  loops.push(await workerLoop('worker thread, economy timing, main idle', 'economy', false));
  loops.push(await workerLoop('worker thread, economy timing, main saturated', 'economy', true));
  loops.push(await workerLoop('worker thread, default timing, niceness -10, main saturated', 'default', true, -10));
  loops.push(await mainThreadInterval('setInterval(1 ms) on the main thread, idle', false));
  loops.push(await mainThreadInterval('setInterval(1 ms) on the main thread, saturated', true));
  const python = pythonAsyncio();
  if (python !== undefined) loops.push(python);
  for (const [timing, load] of [['default', false], ['default', true], ['economy', false], ['economy', true]] as const) {
    const margin = SPIN_MARGIN_MS[timing];
    const floor = await nativeFloor(`machine floor: C sleep + spin, ${timing} margin (${margin * 1000} µs), main ${load ? 'saturated' : 'idle'}`, margin, load);
    if (floor !== undefined) loops.push(floor);
  }
  if (floorBinary !== undefined) rmSync(floorBinary, { force: true });
  const reference = loops[0]!;
  console.log('### A 1 kHz loop: lateness (µs) and CPU (share of one core)\n');
  console.log(markdownTable(['loop', 'runs', 'p50 µs', 'p99 µs', 'max µs', 'p99 vs first row', 'CPU'], loops.map((r) => row(r, reference))));
  console.log('\nCPU of worker rows: the worker thread alone; setInterval idle: the whole process; saturated: not meaningful (the main thread spins).');
}

if (SECTIONS.has('hang')) {
  const detections = [await hangDetection('thread', TRIALS), await hangDetection('process', Math.max(5, Math.round(TRIALS / 2)))];
  console.log('\n### Hang detection at 100 ms heartbeats (kill after 5 missed)\n');
  console.log(
    markdownTable(
      ['isolation', 'trials', 'p50 ms', 'p99 ms', 'max ms', 'exit reason'],
      detections.map((d) => [d.isolation, d.detect.count, d.detect.p50.toFixed(1), d.detect.p99.toFixed(1), d.detect.max.toFixed(1), d.exits.join(', ')]),
    ),
  );
  console.log('\nFrom the request that wedges the worker to its `exit`; silence counts from the last beat, so a process (beats every 100 ms) can be killed under 500 ms after the wedge.');
}

if (SECTIONS.has('restart')) {
  const restarts = [await restartAfterCrash('thread', TRIALS), await restartAfterCrash('process', Math.max(5, Math.round(TRIALS / 2)))];
  console.log(`\n### Restart after a crash (backoff 100 ms; ${workers.fromDist ? 'built package, plain node workers' : 'sources under tsx: run npm run build first for production figures'})\n`);
  console.log(
    markdownTable(
      ['isolation', 'trials', 'crash -> exit seen p50 ms', 'p99 ms', 'exit -> running p50 ms', 'p99 ms', 'max ms', 'p99 - backoff ms'],
      restarts.map((r) => [
        r.isolation,
        r.running.count,
        r.exitSeen.p50.toFixed(1),
        r.exitSeen.p99.toFixed(1),
        r.running.p50.toFixed(1),
        r.running.p99.toFixed(1),
        r.running.max.toFixed(1),
        (r.running.p99 - 100).toFixed(1),
      ]),
    ),
  );

}

if (SECTIONS.has('blocked')) {
  const blocked = await falseKills(5);
  console.log(`\n### Parent event loop blocked for 1 s, ${blocked.rounds} times, one thread and one process worker beating at 100 ms\n`);
  console.log(markdownTable(['rounds', 'false kills', 'suspect events'], [[blocked.rounds, blocked.kills, blocked.suspects]]));
}
