/**
 * Start-up (issue 4, reliability plan G3): how long until 100 workers spawned at once all run, and
 * how many starts fail on the way, with the manager's start gate (`maxConcurrentStarts`, default
 * the cores, at least 4) and without it (a limit above the worker count)?
 *
 * 100 simulated force/torque sensors from the built package (plain node workers: `execArgv: []`),
 * 10 Hz, `timing: 'wait'`, 10 of them processes and 90 threads, spawned in one go on a fresh
 * manager per row; time from the first spawn until every `ready()` resolved; failed starts = exit
 * events before that (start timeouts, 10 s, and what follows them). Rows run one after another.
 *
 * Run: npm run build && node --expose-gc --import tsx bench/startup.bench.ts   [BENCH_STARTUP_WORKERS=100]
 */
import { existsSync } from 'node:fs';
import { collectGarbage, machineLine, sleep } from './lib/machine.js';
import { markdownTable } from './lib/table.js';
import { defaultMaxConcurrentStarts } from '../src/workers/start-gate.js';

const COUNT = Number(process.env.BENCH_STARTUP_WORKERS ?? 100);
const PROCESSES = Math.round(COUNT / 10);
const DIST = new URL('../dist/workers/index.js', import.meta.url);

if (!existsSync(DIST)) {
  console.log('## Worker start-up\n\nskipped: run `npm run build` first (this bench starts the built package)\n');
  process.exit(0);
}
const { WorkerManager, dummyFtSensor } = (await import(DIST.href)) as typeof import('../src/workers/index.js');

async function startAll(maxConcurrentStarts: number | undefined): Promise<{ seconds: number; failedStarts: number }> {
  const manager = new WorkerManager(maxConcurrentStarts === undefined ? {} : { maxConcurrentStarts });
  let failedStarts = 0;
  manager.on('exit', () => failedStarts++);
  const started = performance.now();
  const handles = Array.from({ length: COUNT }, (_, i) =>
    manager.spawn({ name: `ft-${i}`, ...dummyFtSensor, isolation: i < PROCESSES ? 'process' : 'thread', timing: 'wait', config: { hz: 10 }, execArgv: [] }),
  );
  await Promise.all(handles.map((handle) => handle.ready()));
  const result = { seconds: (performance.now() - started) / 1000, failedStarts };
  await manager.stop();
  return result;
}

console.log(`## Worker start-up: ${COUNT} workers spawned at once (${PROCESSES} processes)\n\n${machineLine()}\n`);
const defaultLimit = defaultMaxConcurrentStarts();
const rows: (string | number)[][] = [];
for (const [label, limit] of [
  [`start gate, default (${defaultLimit} at once)`, undefined],
  [`start gate, ${2 * defaultLimit} at once`, 2 * defaultLimit],
  ['no gate (all at once)', 10 * COUNT],
] as const) {
  collectGarbage();
  await sleep(2000); // let the previous row's threads and processes wind down
  const { seconds, failedStarts } = await startAll(limit);
  rows.push([label, seconds.toFixed(1), failedStarts]);
}
console.log(markdownTable(['row', 'all running after (s)', 'failed starts'], rows));
