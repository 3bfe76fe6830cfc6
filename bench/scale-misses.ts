/**
 * Scale diagnostic (issue 2): cache misses per release of the scale bench's stepped-clock scheduler
 * at 100 and 10,000 tasks, counted by valgrind's cachegrind on simulated caches, so a change to
 * the release path can be judged without this machine's timing noise (+-30-50 % between runs).
 *
 * How: for each size a child process settles a scheduler (300,000 releases, then a full GC so no
 * marking is under way) and makes R more releases, under cachegrind, once with R = 20,000 and once
 * with R = 120,000: the difference of the two totals / 100,000 is the settled loop's cost per
 * release, start-up, compiling and the warm-up cancelling out. The JIT compiles on the main thread
 * (--no-concurrent-recompilation), so under valgrind's slowness it is done before the window too.
 * Caches: L1 data 48 KB 12-way, last level 1 MB 16-way (this machine's L2: a last-level miss here
 * is an L3 or memory access on the real one). Between runs of the same code the figures move by a
 * few % (JIT and GC decisions differ): about +-2 L1 and +-1 last-level misses per release at
 * 10,000 tasks, so only a larger change is a result.
 *
 * Run: node --import tsx bench/scale-misses.ts   (needs valgrind; 5-15 min: two runs per size
 * under valgrind, the sizes in parallel)
 */
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { steppedLoad } from './lib/stepped-clock.js';
import { markdownTable } from './lib/table.js';

const SIZES = [100, 10_000];
const SETTLE_RELEASES = 300_000;
const WINDOWS = [20_000, 120_000];
const CHILD = process.env.SCALE_MISSES_CHILD;

if (CHILD === undefined) await report();
else settledRun(CHILD);

/** In the child: settle a scheduler of `count` tasks, then make `releases` more releases. */
function settledRun(spec: string): void {
  const [count, releases] = spec.split(',').map(Number) as [number, number];
  const { clock, scheduler, released } = steppedLoad(count);
  clock.drive(() => released() >= SETTLE_RELEASES);
  (globalThis as { gc?: () => void }).gc?.();
  clock.drive(() => released() >= SETTLE_RELEASES + releases);
  void scheduler.terminate();
}

interface Totals {
  Ir: number;
  D1mr: number;
  D1mw: number;
  DLmr: number;
  DLmw: number;
}

/** One child under cachegrind; its event totals. */
async function countedRun(count: number, releases: number): Promise<Totals> {
  const out = join(tmpdir(), `scale-misses-${process.pid}-${count}-${releases}.out`);
  await promisify(execFile)(
    'valgrind',
    [
      '--tool=cachegrind',
      '--cache-sim=yes',
      '--smc-check=all-non-file', // JIT code is written at run time
      '--D1=49152,12,64',
      '--LL=1048576,16,64',
      `--cachegrind-out-file=${out}`,
      process.execPath,
      '--no-concurrent-recompilation',
      '--expose-gc',
      '--import',
      'tsx',
      new URL(import.meta.url).pathname,
    ],
    { env: { ...process.env, SCALE_MISSES_CHILD: `${count},${releases}` }, maxBuffer: 64 * 2 ** 20 },
  );
  const text = await readFile(out, 'utf8');
  await rm(out);
  const events = /^events: (.*)$/m.exec(text)?.[1]?.split(' ') ?? [];
  const values = /^summary: (.*)$/m.exec(text)?.[1]?.split(' ').map(Number) ?? [];
  return Object.fromEntries(events.map((name, i) => [name, values[i] ?? Number.NaN])) as unknown as Totals;
}

async function perRelease(count: number): Promise<Totals> {
  const [short, long] = [await countedRun(count, WINDOWS[0]!), await countedRun(count, WINDOWS[1]!)];
  const per = (key: keyof Totals): number => (long[key] - short[key]) / (WINDOWS[1]! - WINDOWS[0]!);
  return { Ir: per('Ir'), D1mr: per('D1mr'), D1mw: per('D1mw'), DLmr: per('DLmr'), DLmw: per('DLmw') };
}

async function report(): Promise<void> {
  const rows = await Promise.all(SIZES.map(perRelease));
  console.log(`## Scale: cache misses per release, stepped clock, settled (cachegrind: L1d 48 KB, last level 1 MB)\n`);
  console.log(
    markdownTable(
      ['tasks', 'instructions', 'L1 data misses (read + write)', 'last-level misses (read + write)'],
      rows.map((r, i) => [
        SIZES[i]!.toLocaleString('en-US'),
        r.Ir.toFixed(0),
        `${(r.D1mr + r.D1mw).toFixed(1)} (${r.D1mr.toFixed(1)} + ${r.D1mw.toFixed(1)})`,
        `${(r.DLmr + r.DLmw).toFixed(1)} (${r.DLmr.toFixed(1)} + ${r.DLmw.toFixed(1)})`,
      ]),
    ),
  );
}
