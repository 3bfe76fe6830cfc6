/**
 * Soak (reliability plan G3, the CI-length cut): does the whole service stay flat over time while
 * workers crash and restart under it?
 *
 * In this process: the demo service (the lab rig: loops, jobs, device workers, monitor, HTTP and
 * WebSocket telemetry) plus SOAK_WORKERS supervised soak workers (bench/workers/publisher-worker.ts
 * at 10 Hz with `timing: 'wait'` (no spin: a hundred spinning threads would fight over the cores), 64-byte payloads, delivered to the service's bridge like the demo devices'), SOAK_PROCESSES of them
 * child processes and the rest threads, with SOAK_CLIENTS telemetry clients subscribed to tasks,
 * workers, monitor and events at 2 Hz. Every SOAK_CRASH_EVERY_S one soak worker, in turn, dies: a
 * thread by its `crash` command (it exits), a process by SIGKILL from outside.
 * Every SAMPLE_S, after two forced GCs: heap used, RSS, open file descriptors, active handles
 * (`process.getActiveResourcesInfo()`), the process's OS threads, child processes alive, restarts
 * counted by the supervisors; a 100 Hz probe task on the service's scheduler records its lateness
 * per minute. Samples fall midway between crashes, so restarts have settled.
 * Verdicts (the plan's CI row): RSS and post-GC heap slopes (least squares over the samples after
 * the first minute) < 1 MB per 10 min; fds, handles, threads and children back where they were;
 * restarts = crashes injected; the last minute's probe p99 <= 1.2x the first minute's.
 *
 * Run: npm run soak   (10 min; env SOAK_MINUTES, SOAK_WORKERS (100), SOAK_PROCESSES (10),
 *      SOAK_CLIENTS (10), SOAK_CRASH_EVERY_S (30))
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { startLabRig } from '../src/demo/lab-rig.js';
import { collectGarbage, machineLine, sleep } from './lib/machine.js';
import { SampleBuffer, summarize } from './lib/stats.js';
import { markdownTable, ms } from './lib/table.js';
import { rawTelemetryClient } from './lib/telemetry-client.js';

type PublisherWorker = typeof import('./workers/publisher-worker.js').default;

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const WORKERS = Number(process.env.SOAK_WORKERS ?? 100);
const PROCESSES = Number(process.env.SOAK_PROCESSES ?? 10);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 10);
const CRASH_EVERY_MS = Number(process.env.SOAK_CRASH_EVERY_S ?? 30) * 1000;
const SAMPLE_MS = 10_000;
const PROBE_PERIOD_MS = 10;
const TOKEN = 'soak-token-0123456789abcdef';
const PUBLISHER_WORKER = new URL('./workers/publisher-worker.ts', import.meta.url);
const MB = 1024 * 1024;

interface Sample {
  atMin: number;
  heapMb: number;
  rssMb: number;
  fds: number;
  handles: number;
  threads: number;
  children: number;
  restarts: number;
  crashes: number;
  delivered: number;
}

function osThreads(): number {
  const match = /^Threads:\s+(\d+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match === null ? Number.NaN : Number(match[1]);
}

/** Child processes of this process (any thread's), from /proc. */
function childProcesses(): number {
  return readdirSync('/proc/self/task').reduce((sum, tid) => {
    const children = readFileSync(`/proc/self/task/${tid}/children`, 'utf8').trim();
    return sum + (children === '' ? 0 : children.split(' ').length);
  }, 0);
}

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

// the service's log lines are counted, not printed: the injected crashes are logged as errors, and
// on a loaded machine so are the demo's own jobs that time out
const logged = { lines: 0 };
const logStream = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const byte of chunk) if (byte === 0x0a) logged.lines++;
    done();
  },
});
const rig = await startLabRig({ port: 0, token: TOKEN, logLevel: 'error', logStream });
console.log(`## Soak (reliability plan G3): ${MINUTES} min\n\n${machineLine()}\n`);
console.log(`${WORKERS} soak workers (${PROCESSES} processes, ${WORKERS - PROCESSES} threads) beside the demo's own, ${CLIENTS} telemetry clients, one crash every ${CRASH_EVERY_MS / 1000} s\n`);

const soakWorkers = Array.from({ length: WORKERS }, (_, i) => {
  const isolation = i < PROCESSES ? 'process' : 'thread';
  return rig.workers.spawn<PublisherWorker>({ name: `soak-${isolation}-${i}`, module: PUBLISHER_WORKER, isolation, category: 'soak', timing: 'wait', config: { periodMs: 100, bytes: 64 } });
});
const spawnedAt = performance.now();
await Promise.all(soakWorkers.map((handle) => handle.ready()));
console.log(`all soak workers running after ${((performance.now() - spawnedAt) / 1000).toFixed(1)} s\n`);

const received = { bytes: 0 };
const subscriptions = [...['tasks', 'workers', 'monitor'].map((topic) => ({ op: 'subscribe', topic, rateHz: 2 })), { op: 'subscribe', topic: 'events' }];
const clients: Socket[] = await Promise.all(Array.from({ length: CLIENTS }, () => rawTelemetryClient(rig.origin, TOKEN, subscriptions, received)));

// per-minute lateness of a 100 Hz task on the service's own scheduler
const perMinute = Array.from({ length: MINUTES }, () => new SampleBuffer((60_000 / PROBE_PERIOD_MS) * 2));
const startedAt = performance.now();
const probe = rig.scheduler.schedulePeriodic({ name: 'soak-probe', periodMs: PROBE_PERIOD_MS }, (ctx) => {
  perMinute[Math.floor((ctx.startedAt - startedAt) / 60_000)]?.push(ctx.startedAt - ctx.scheduledAt);
});

let crashes = 0;
const crashOne = async (): Promise<void> => {
  const handle = soakWorkers[crashes % soakWorkers.length]!;
  crashes++;
  if (handle.isolation === 'process') process.kill(handle.pid!, 'SIGKILL');
  else await handle.request('crash', { code: 70 });
};
const restarts = (): number => soakWorkers.reduce((sum, handle) => sum + handle.snapshot().restarts, 0);

const samples: Sample[] = [];
const takeSample = (): void => {
  collectGarbage();
  collectGarbage();
  samples.push({
    atMin: (performance.now() - startedAt) / 60_000,
    heapMb: process.memoryUsage().heapUsed / MB,
    rssMb: process.memoryUsage.rss() / MB,
    fds: readdirSync('/proc/self/fd').length,
    handles: process.getActiveResourcesInfo().length,
    threads: osThreads(),
    children: childProcesses(),
    restarts: restarts(),
    crashes,
    delivered: soakWorkers.reduce((sum, handle) => sum + handle.snapshot().data.delivered, 0),
  });
};

// crashes at 5 s, 5 s + CRASH_EVERY, ...; samples at 0, 10 s, 20 s, ... (CRASH_EVERY a multiple of 10 s puts them midway)
const endAt = startedAt + MINUTES * 60_000;
let nextCrash = startedAt + 5000;
let nextSample = startedAt;
while (performance.now() < endAt) {
  const now = performance.now();
  if (now >= nextSample) {
    takeSample();
    nextSample += SAMPLE_MS;
  }
  if (now >= nextCrash) {
    await crashOne();
    nextCrash += CRASH_EVERY_MS;
  }
  await sleep(Math.max(1, Math.min(nextSample, nextCrash, endAt) - performance.now()));
}
await Promise.all(soakWorkers.map((handle) => handle.ready()));
takeSample();

probe.cancel();
for (const client of clients) client.destroy();
await rig.workers.stop();
await rig.close();

// ---------------------------------------------------------------- report
const everyMinute = samples.filter((sample, i) => i === 0 || i === samples.length - 1 || Math.floor(sample.atMin) !== Math.floor(samples[i - 1]!.atMin));
console.log(
  markdownTable(
    ['min', 'heap after GC (MB)', 'RSS (MB)', 'fds', 'handles', 'OS threads', 'child processes', 'crashes', 'restarts', 'payloads delivered'],
    everyMinute.map((s) => [s.atMin.toFixed(1), s.heapMb.toFixed(1), s.rssMb.toFixed(1), s.fds, s.handles, s.threads, s.children, s.crashes, s.restarts, s.delivered]),
  ),
);
const steady = samples.filter((sample) => sample.atMin >= 1);
const perTenMin = (pick: (s: Sample) => number): number => slope(steady.map((s) => s.atMin), steady.map(pick)) * 10;
const first = steady[0] ?? samples[0]!;
const last = samples[samples.length - 1]!;
const firstP99 = summarize(perMinute[0]!.values()).p99;
const lastP99 = summarize(perMinute[MINUTES - 1]!.values()).p99;
const verdicts: [string, string, string, boolean][] = [
  ['post-GC heap slope', '< 1 MB / 10 min', `${perTenMin((s) => s.heapMb).toFixed(2)} MB / 10 min`, perTenMin((s) => s.heapMb) < 1],
  ['RSS slope', '< 1 MB / 10 min', `${perTenMin((s) => s.rssMb).toFixed(2)} MB / 10 min`, perTenMin((s) => s.rssMb) < 1],
  ['fds, first steady -> last sample', 'flat', `${first.fds} -> ${last.fds}`, last.fds <= first.fds],
  ['active handles', 'flat', `${first.handles} -> ${last.handles}`, last.handles <= first.handles],
  ['OS threads', 'flat', `${first.threads} -> ${last.threads}`, last.threads <= first.threads],
  ['child processes', 'flat', `${first.children} -> ${last.children}`, last.children <= first.children],
  ['restarts vs crashes injected', 'equal', `${last.restarts} / ${last.crashes}`, last.restarts === last.crashes],
  ['probe lateness p99, last vs first minute', '<= 1.2x', `${ms(lastP99)} vs ${ms(firstP99)} ms`, lastP99 <= 1.2 * firstP99],
];
console.log(`\n${markdownTable(['figure', 'target', 'measured', 'met'], verdicts.map(([figure, target, measured, met]) => [figure, target, measured, met ? 'yes' : 'NO']))}`);
console.log(`\npayloads delivered ${last.delivered}, telemetry received ${(received.bytes / MB).toFixed(1)} MB, service log lines (level error and above) ${logged.lines}`);
