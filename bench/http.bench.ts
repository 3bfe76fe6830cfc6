/**
 * The service (issue 6), against the running demo lab rig (a child process: `tactus demo`).
 *
 * 1. `GET /tactus/status` at a fixed 200 req/s (autocannon, loopback, 4 connections): latency
 *    p50 / p99 / max, each response timed in microseconds from autocannon's own per-response
 *    durations (autocannon's histogram p99, in whole ms, printed beside it). Side by side: a bare
 *    `node:http` server (child process) answering the same body as a static string, at the same
 *    rate: the floor of the loopback and of the machine's load. Windows alternate (tactus, bare,
 *    tactus, bare, ...) so the machine's noise falls on both; the figure is the median window's
 *    p99, printed with the spread (min-max) of the windows.
 * 2. WebSocket fan-out: 50 clients (raw sockets that only count bytes) subscribed to tasks,
 *    workers, monitor, events and the 1 kHz force/torque stream, all at 20 Hz, against none; the
 *    figure is the 1 kHz isolated loop's lateness p99 (the worker thread's own accounting, from `GET /tactus/workers`), each window
 *    started by restarting the worker so its stats cover the window only. Windows alternate
 *    (none, fan-out, none, fan-out, ...); the figure compares the median window of each, printed
 *    with the spread of the windows and each round's paired change. The CPU of the demo process
 *    (all threads, from /proc) and of this process (the 50 clients) is printed per window.
 *
 * Run: node --expose-gc --import tsx bench/http.bench.ts   [BENCH_HTTP_SECONDS=8 BENCH_HTTP_ROUNDS=5]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import type { Socket } from 'node:net';
import { loadavg } from 'node:os';
import { machineLine, sleep } from './lib/machine.js';
import { rawTelemetryClient } from './lib/telemetry-client.js';
import { SampleBuffer, median, summarize, type Summary } from './lib/stats.js';
import { markdownTable, ms, ratio, signedPct } from './lib/table.js';

const SECONDS = Number(process.env['BENCH_HTTP_SECONDS'] ?? 8);
const RATE = 200;
const CLIENTS = 50;
const FAN_OUT_HZ = 20;
const ROUNDS = Number(process.env['BENCH_HTTP_ROUNDS'] ?? 5);
const TOKEN = 'bench-token-0123456789abcdef';
const AUTH = { authorization: `Bearer ${TOKEN}` };

interface Server {
  origin: string;
  child: ChildProcess;
}

async function startChild(args: string[], ready: RegExp, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  for (;;) {
    const match = ready.exec(out);
    if (match !== null) return { child, match };
    if (child.exitCode !== null) throw new Error(`child exited early: ${out}`);
    const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
    out += chunk.toString();
  }
}

async function startDemo(): Promise<Server> {
  const { child, match } = await startChild(['--import', 'tsx', 'src/cli/main.ts', 'demo', '--port', '0'], /dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\/tactus\/[\s\S]*Ctrl-C/, {
    TACTUS_TOKEN: TOKEN,
  });
  return { origin: match[1]!, child };
}

/** A bare node:http server answering `body` on every request: the loopback floor. */
async function startStatic(body: string): Promise<Server> {
  const script = `
    const body = Buffer.from(process.env.BODY);
    const server = require('node:http').createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
      res.end(body);
    });
    server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));`;
  const { child, match } = await startChild(['-e', script], /listening (\d+)/, { BODY: body });
  return { origin: `http://127.0.0.1:${match[1]}`, child };
}

async function stop(server: Server): Promise<void> {
  const exited = once(server.child, 'exit');
  server.child.kill('SIGINT');
  await exited;
}

/** autocannon at a fixed rate; per-response durations (ms, sub-microsecond) from its 'response' events. */
interface LoadFigure {
  latency: Summary;
  /** autocannon's own histogram p99 (whole ms). */
  histogramP99: number;
  non2xx: number;
  requests: number;
}

async function load(url: string, seconds: number): Promise<LoadFigure> {
  const samples = new SampleBuffer(RATE * seconds * 2 + 1000);
  const instance = autocannon({ url, connections: 4, overallRate: RATE, duration: seconds, headers: AUTH });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => samples.push(responseTime));
  const result = await instance;
  return { latency: summarize(samples.values()), histogramP99: result.latency.p99, non2xx: result.non2xx, requests: result.requests.total };
}

interface LoopFigure {
  worker: string;
  loop: string;
  runs: number;
  p50: number;
  p99: number;
  max: number;
  /** The demo process's CPU over the window (all its threads), in cores. */
  demoCores: number;
  /** This process's CPU over the window (the telemetry clients, when connected), in cores. */
  benchCores: number;
}

/** '1.234 (0.987-2.345)': the median of the windows and their spread. */
function medianSpread(values: readonly number[], digits: number): string {
  return `${ms(median(values), digits)} (${ms(Math.min(...values), digits)}-${ms(Math.max(...values), digits)})`;
}

const loadLine = (): string => `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;

/** CPU seconds (user + system, all threads) of a process so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** The 1 kHz isolated loop of the demo, or undefined when the demo has none yet. */
async function fastLoop(origin: string): Promise<{ worker: string; loop: string } | undefined> {
  const workers = (await (await fetch(`${origin}/tactus/workers`, { headers: AUTH })).json()) as { name: string; loops?: { name: string; periodMs: number }[] }[];
  for (const worker of workers) {
    const loop = worker.loops?.find((l) => l.periodMs <= 1);
    if (loop !== undefined) return { worker: worker.name, loop: loop.name };
  }
  return undefined;
}

async function loopWindow(demo: Server, target: { worker: string; loop: string }, seconds: number): Promise<LoopFigure> {
  const origin = demo.origin;
  const restart = await fetch(`${origin}/tactus/workers/${target.worker}/restart`, { method: 'POST', headers: AUTH });
  if (!restart.ok) throw new Error(`restart failed: ${restart.status}`);
  for (;;) {
    const state = ((await (await fetch(`${origin}/tactus/workers`, { headers: AUTH })).json()) as { name: string; state: string }[]).find((w) => w.name === target.worker);
    if (state?.state === 'running') break;
    await sleep(50);
  }
  const cpu0 = cpuSeconds(demo.child.pid!);
  const own0 = process.cpuUsage();
  const wall0 = performance.now();
  await sleep(seconds * 1000);
  const wallSeconds = (performance.now() - wall0) / 1000;
  const demoCores = (cpuSeconds(demo.child.pid!) - cpu0) / wallSeconds;
  const own = process.cpuUsage(own0);
  const benchCores = (own.user + own.system) / 1e6 / wallSeconds;
  const workers = (await (await fetch(`${origin}/tactus/workers`, { headers: AUTH })).json()) as {
    name: string;
    loops: { name: string; stats: { runs: number; jitterMs: { p50: number; p99: number; max: number } } }[];
  }[];
  const loop = workers.find((w) => w.name === target.worker)!.loops.find((l) => l.name === target.loop)!;
  return { ...target, runs: loop.stats.runs, p50: loop.stats.jitterMs.p50, p99: loop.stats.jitterMs.p99, max: loop.stats.jitterMs.max, demoCores, benchCores };
}

async function fanOut(origin: string, topic: string | undefined): Promise<{ clients: Socket[]; received: { bytes: number } }> {
  const messages: object[] = [...['tasks', 'workers', 'monitor'].map((t) => ({ op: 'subscribe', topic: t, rateHz: FAN_OUT_HZ })), { op: 'subscribe', topic: 'events' }];
  if (topic !== undefined) messages.push({ op: 'subscribe', topic, rateHz: FAN_OUT_HZ });
  const received = { bytes: 0 };
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => rawTelemetryClient(origin, TOKEN, messages, received)));
  return { clients, received };
}

/** The server's telemetry counters (frames queued on sockets, slow clients dropped). */
async function telemetryStats(origin: string): Promise<{ framesSent: number; slowClientsDropped: number }> {
  return ((await (await fetch(`${origin}/tactus/status`, { headers: AUTH })).json()) as { telemetry: { framesSent: number; slowClientsDropped: number } }).telemetry;
}

async function main(): Promise<void> {
  console.log(`## Service (issue 6)\n\n${machineLine()}\n`);
  const demo = await startDemo();
  try {
    await sleep(2000);
    const statusUrl = `${demo.origin}/tactus/status`;
    const body = await (await fetch(statusUrl, { headers: AUTH })).text();
    const bare = await startStatic(body);
    try {
      await load(statusUrl, 2); // warm-up
      await load(bare.origin, 2);
      const rounds: { tactus: LoadFigure; bare: LoadFigure }[] = [];
      const startLoad = loadLine();
      for (let round = 0; round < ROUNDS; round++) rounds.push({ tactus: await load(statusUrl, SECONDS), bare: await load(bare.origin, SECONDS) });
      console.log(`### GET /tactus/status at ${RATE} req/s with the demo running (${ROUNDS} alternating rounds of ${SECONDS} s, body ${body.length} bytes)\n`);
      console.log(`${startLoad} at the start, ${loadLine()} at the end\n`);
      const row = (name: string, round: number, f: LoadFigure): (string | number)[] => [`${name} (round ${round + 1})`, f.requests, f.non2xx, ms(f.latency.p50), ms(f.latency.p99), f.histogramP99, ms(f.latency.max)];
      console.log(
        markdownTable(
          ['server', 'requests', 'non-2xx', 'p50 ms', 'p99 ms', 'autocannon p99 ms', 'max ms'],
          [...rounds.map((r, i) => row('tactus `GET /tactus/status`', i, r.tactus)), ...rounds.map((r, i) => row('bare node:http, same body', i, r.bare))],
        ),
      );
      const p99s = (pick: (r: (typeof rounds)[number]) => LoadFigure): number[] => rounds.map((r) => pick(r).latency.p99);
      const tactusP99 = median(p99s((r) => r.tactus));
      console.log(
        `\np99 over ${ROUNDS} windows, median (min-max): tactus ${medianSpread(p99s((r) => r.tactus), 3)} ms, bare node:http ${medianSpread(p99s((r) => r.bare), 3)} ms ` +
          `(${ratio(tactusP99, median(p99s((r) => r.bare)))}); p50 median: tactus ${ms(median(rounds.map((r) => r.tactus.latency.p50)))} ms, bare ${ms(median(rounds.map((r) => r.bare.latency.p50)))} ms`,
      );
      console.log(`target: median-window p99 <= 5 ms -> ${tactusP99 <= 5 ? 'met' : 'NOT met'}\n`);
    } finally {
      await stop(bare);
    }

    const target = await fastLoop(demo.origin);
    if (target === undefined) {
      console.log('### WebSocket fan-out\n\nskipped: the demo runs no 1 kHz isolated loop yet\n');
      return;
    }
    const dataTopics = ((await (await fetch(statusUrl, { headers: AUTH })).json()) as { telemetry: { dataTopics: string[] } }).telemetry.dataTopics;
    const topic = dataTopics.includes('ft_sample') ? 'ft_sample' : dataTopics[0];
    const rows: LoopFigure[][] = [[], []];
    let frames = 0;
    let bytes = 0;
    let fanSeconds = 0;
    let dropped = 0;
    const startLoad = loadLine();
    for (let round = 0; round < ROUNDS; round++) {
      rows[0]!.push(await loopWindow(demo, target, SECONDS));
      const fan = await fanOut(demo.origin, topic);
      const before = await telemetryStats(demo.origin);
      const bytesBefore = fan.received.bytes;
      const started = performance.now();
      rows[1]!.push(await loopWindow(demo, target, SECONDS));
      const after = await telemetryStats(demo.origin);
      fanSeconds += (performance.now() - started) / 1000;
      frames += after.framesSent - before.framesSent;
      bytes += fan.received.bytes - bytesBefore;
      dropped += after.slowClientsDropped - before.slowClientsDropped;
      for (const client of fan.clients) client.destroy();
    }
    const [off, on] = rows as [LoopFigure[], LoopFigure[]];
    console.log(`### ${CLIENTS} telemetry clients at ${FAN_OUT_HZ} Hz vs the 1 kHz isolated loop (${target.worker}/${target.loop}, ${ROUNDS} alternating rounds of ${SECONDS} s)\n`);
    console.log(`${startLoad} at the start, ${loadLine()} at the end\n`);
    console.log(
      markdownTable(
        ['round', 'clients', 'runs', 'lateness p50 ms', 'p99 ms', 'max ms', 'demo CPU (cores)', 'bench CPU (cores)'],
        off.flatMap((f, round) =>
          [f, on[round]!].map((w, i) => [round + 1, i === 0 ? 0 : CLIENTS, w.runs, ms(w.p50, 4), ms(w.p99, 4), ms(w.max, 3), w.demoCores.toFixed(3), w.benchCores.toFixed(3)]),
        ),
      ),
    );
    const p99Off = median(off.map((f) => f.p99));
    const p99On = median(on.map((f) => f.p99));
    const paired = off.map((f, i) => on[i]!.p99 / f.p99 - 1);
    const cores = (figures: LoopFigure[], pick: (f: LoopFigure) => number): string => median(figures.map(pick)).toFixed(3);
    console.log(
      `\nframes sent by the server: ${Math.round(frames / fanSeconds)}/s (${Math.round(bytes / fanSeconds / 1024)} KiB/s received by the clients, ${dropped} clients dropped as slow). Loop p99 over ${ROUNDS} windows each, median (min-max): ` +
        `no clients ${medianSpread(off.map((f) => f.p99), 4)} ms, ${CLIENTS} clients ${medianSpread(on.map((f) => f.p99), 4)} ms; ` +
        `per-round change: ${paired.map((c) => signedPct(c, 0)).join(', ')}. ` +
        `Median CPU, no clients / clients: demo ${cores(off, (f) => f.demoCores)} / ${cores(on, (f) => f.demoCores)} cores, bench ${cores(off, (f) => f.benchCores)} / ${cores(on, (f) => f.benchCores)} cores.`,
    );
    console.log(`median-window p99 change with fan-out: ${signedPct(p99On / p99Off - 1, 1)} (target <= +10 %)\n`);
  } finally {
    await stop(demo);
  }
}

await main();
