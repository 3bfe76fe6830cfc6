/**
 * The service (issue 6), against the running demo lab rig (a child process: `tactus demo`).
 *
 * 1. `GET /tactus/status` at a fixed 200 req/s (autocannon, loopback, 4 connections): latency
 *    p50 / p99 / max, each response timed in microseconds from autocannon's own per-response
 *    durations. Side by side: a bare `node:http` server (child process) answering the same body
 *    as a static string, at the same rate: the floor of the loopback, so the ratio is what
 *    describe() + the monitor snapshot + the guard cost.
 * 2. WebSocket fan-out: 50 clients subscribed to tasks, workers, monitor, events and the 1 kHz
 *    force/torque stream, all at 20 Hz, against none; the figure is the 1 kHz isolated loop's
 *    lateness p99 (the worker thread's own accounting, from `GET /tactus/workers`), each window
 *    started by restarting the worker so its stats cover the window only. Windows alternate
 *    (none, fan-out, none, fan-out, ...) to spread the machine's noise over both; the figure
 *    compares the median window of each. The demo process's CPU (all threads) is read from /proc.
 *
 * Run: node --expose-gc --import tsx bench/http.bench.ts   [BENCH_HTTP_SECONDS=8 BENCH_HTTP_ROUNDS=3]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import WebSocket from 'ws';
import { machineLine, sleep } from './lib/machine.js';
import { SampleBuffer, median, summarize, type Summary } from './lib/stats.js';
import { markdownTable, ms, ratio, signedPct } from './lib/table.js';

const SECONDS = Number(process.env['BENCH_HTTP_SECONDS'] ?? 8);
const RATE = 200;
const CLIENTS = 50;
const FAN_OUT_HZ = 20;
const ROUNDS = Number(process.env['BENCH_HTTP_ROUNDS'] ?? 3);
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
async function load(url: string, seconds: number): Promise<{ latency: Summary; non2xx: number; requests: number }> {
  const samples = new SampleBuffer(RATE * seconds * 2 + 1000);
  const instance = autocannon({ url, connections: 4, overallRate: RATE, duration: seconds, headers: AUTH });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => samples.push(responseTime));
  const result = await instance;
  return { latency: summarize(samples.values()), non2xx: result.non2xx, requests: result.requests.total };
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
}

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
  const wall0 = performance.now();
  await sleep(seconds * 1000);
  const demoCores = (cpuSeconds(demo.child.pid!) - cpu0) / ((performance.now() - wall0) / 1000);
  const workers = (await (await fetch(`${origin}/tactus/workers`, { headers: AUTH })).json()) as {
    name: string;
    loops: { name: string; stats: { runs: number; jitterMs: { p50: number; p99: number; max: number } } }[];
  }[];
  const loop = workers.find((w) => w.name === target.worker)!.loops.find((l) => l.name === target.loop)!;
  return { ...target, runs: loop.stats.runs, p50: loop.stats.jitterMs.p50, p99: loop.stats.jitterMs.p99, max: loop.stats.jitterMs.max, demoCores };
}

async function fanOut(origin: string, topic: string | undefined): Promise<{ clients: WebSocket[]; frames: () => number }> {
  let frames = 0;
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      // The clients are the harness, not the system under test: skip what costs them CPU needlessly.
      const socket = new WebSocket(`${origin.replace('http', 'ws')}/ws/telemetry`, ['tactus.v1', `tactus.token.${TOKEN}`], { skipUTF8Validation: true, perMessageDeflate: false });
      socket.on('message', () => frames++);
      await once(socket, 'open');
      for (const t of ['tasks', 'workers', 'monitor']) socket.send(JSON.stringify({ op: 'subscribe', topic: t, rateHz: FAN_OUT_HZ }));
      socket.send(JSON.stringify({ op: 'subscribe', topic: 'events' }));
      if (topic !== undefined) socket.send(JSON.stringify({ op: 'subscribe', topic, rateHz: FAN_OUT_HZ }));
      return socket;
    }),
  );
  return { clients, frames: () => frames };
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
      const status = await load(statusUrl, SECONDS);
      const floor = await load(bare.origin, SECONDS);
      console.log(`### GET /tactus/status at ${RATE} req/s with the demo running (${SECONDS} s, body ${body.length} bytes)\n`);
      console.log(
        markdownTable(
          ['server', 'requests', 'non-2xx', 'p50 ms', 'p99 ms', 'max ms', 'p99 vs bare'],
          [
            ['tactus `GET /tactus/status` (guard + describe + monitor)', status.requests, status.non2xx, ms(status.latency.p50), ms(status.latency.p99), ms(status.latency.max), ratio(status.latency.p99, floor.latency.p99)],
            ['bare node:http, same body as a static string', floor.requests, floor.non2xx, ms(floor.latency.p50), ms(floor.latency.p99), ms(floor.latency.max), '1.00x'],
          ],
        ),
      );
      console.log(`\ntarget: p99 <= 5 ms -> ${status.latency.p99 <= 5 ? 'met' : 'NOT met'}\n`);
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
    let framesPerSecond = 0;
    for (let round = 0; round < ROUNDS; round++) {
      rows[0]!.push(await loopWindow(demo, target, SECONDS));
      const fan = await fanOut(demo.origin, topic);
      const before = fan.frames();
      const started = performance.now();
      rows[1]!.push(await loopWindow(demo, target, SECONDS));
      framesPerSecond = (fan.frames() - before) / ((performance.now() - started) / 1000);
      for (const client of fan.clients) client.close();
    }
    const p99 = (figures: LoopFigure[]): number => median(figures.map((f) => f.p99));
    console.log(`### ${CLIENTS} telemetry clients at ${FAN_OUT_HZ} Hz vs the 1 kHz isolated loop (${target.worker}/${target.loop}, ${SECONDS} s windows)\n`);
    console.log(
      markdownTable(
        ['window', 'runs', 'lateness p50 ms', 'p99 ms', 'max ms', 'demo process CPU (cores)'],
        rows.flatMap((figures, i) =>
          figures.map((f, round) => [`${i === 0 ? 'no clients' : `${CLIENTS} clients`} (round ${round + 1})`, f.runs, ms(f.p50, 4), ms(f.p99, 4), ms(f.max, 3), f.demoCores.toFixed(2)]),
        ),
      ),
    );
    const change = p99(rows[1]!) / p99(rows[0]!) - 1;
    console.log(`\nframes received by the clients: ${Math.round(framesPerSecond)}/s; median-window p99 change with fan-out: ${signedPct(change, 1)} (target <= +10 %)\n`);
  } finally {
    await stop(demo);
  }
}

await main();
