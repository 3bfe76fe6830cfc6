/**
 * Monitor overhead (issue 5): 64 workers and 1,000 tasks sampled at 1 Hz must cost <= 1 % of a core.
 *
 * 1. Per-sample CPU: the monitor ticks on a ManualClock, 200 samples back to back; the same loop
 *    of clock advances without a monitor is subtracted. At 1 Hz, per-sample ms / 1000 ms is the
 *    share of a core.
 * 2. Real 1 Hz run on the system clock for 10 s (event-loop probe included) against 10 s of the
 *    same process idle: the difference in process CPU.
 * Run: node --expose-gc --import tsx bench/monitor.bench.ts
 */
import { Monitor } from '../src/monitor/monitor.js';
import { ManualClock } from '../src/time/manual-clock.js';
import { SystemClock } from '../src/time/system-clock.js';
import { startCpuMeter } from './lib/cpu.js';
import { collectGarbage, machineLine, sleep } from './lib/machine.js';
import { observedSystem } from './lib/observed-system.js';
import { summarize } from './lib/stats.js';
import { markdownTable, ms, pct, ratio } from './lib/table.js';

const SAMPLES = 200;
const REAL_MS = 10_000;
const BUDGET = 0.01;

const system = await observedSystem();

async function advanceLoop(clock: ManualClock): Promise<number> {
  collectGarbage();
  const meter = startCpuMeter();
  for (let i = 0; i < SAMPLES; i++) await clock.advance(1000);
  return meter().cpuMs / SAMPLES;
}

// 1. per-sample CPU under ManualClock
const idleClock = new ManualClock();
const idleAlarm = idleClock.createAlarm(() => idleAlarm.arm(idleClock.now() + 1000));
idleAlarm.arm(1000);
await advanceLoop(idleClock); // warm-up
const baselineMs = await advanceLoop(idleClock);
const clock = new ManualClock();
const monitor = new Monitor({ clock, scheduler: system.scheduler, workers: [system.workers], queues: system.queues, intervalMs: 1000 });
monitor.start();
await advanceLoop(clock); // warm-up
const withMonitorMs = await advanceLoop(clock);
monitor.stop();
const perSampleMs = Math.max(0, withMonitorMs - baselineMs);
const snapshotBytes = JSON.stringify(monitor.snapshot()).length;

// 2. real 1 Hz on the system clock; both windows open after 3 s of settling (background GC and
// compilation from the setup), the monitor's window after it has warmed up.
const SETTLE_MS = 3000;
collectGarbage();
await sleep(SETTLE_MS);
let meter = startCpuMeter();
await sleep(REAL_MS);
const idle = meter();
const real = new Monitor({ scheduler: system.scheduler, workers: [system.workers], queues: system.queues, intervalMs: 1000, clock: new SystemClock() });
const sampleMs: number[] = [];
real.on('snapshot', (s) => sampleMs.push(performance.now() - s.at));
real.start();
collectGarbage();
await sleep(SETTLE_MS);
meter = startCpuMeter();
const measuredFrom = sampleMs.length;
await sleep(REAL_MS);
const running = meter();
real.stop();
const realShare = Math.max(0, running.core - idle.core);
const realSamples = summarize(sampleMs.slice(measuredFrom));

console.log(`## Monitor overhead: 64 workers, 1,000 tasks, 4 queues, 1 Hz\n\n${machineLine()}\n`);
console.log(
  markdownTable(
    ['measure', 'value', 'share of a core at 1 Hz', 'budget', 'share / budget'],
    [
      ['CPU per sample (ManualClock, 200 samples, advance loop subtracted)', `${ms(perSampleMs)} ms`, pct(perSampleMs / 1000, 3), pct(BUDGET), ratio(perSampleMs / 1000, BUDGET)],
      [`real 1 Hz for ${REAL_MS / 1000} s vs idle (probe included)`, `${ms(running.cpuMs - idle.cpuMs, 1)} ms CPU`, pct(realShare, 3), pct(BUDGET), ratio(realShare, BUDGET)],
      [`real 1 Hz: one sample, wall (p50 / max of ${realSamples.count})`, `${ms(realSamples.p50)} / ${ms(realSamples.max)} ms`, pct(realSamples.p50 / 1000, 3), pct(BUDGET), ratio(realSamples.p50 / 1000, BUDGET)],
    ],
  ),
);
console.log(`\nsnapshot: ${snapshotBytes} bytes of JSON; HUD: \`${monitor.hudLine()}\``);
console.log(`idle process: ${pct(idle.core, 3)} of a core; with the monitor: ${pct(running.core, 3)}`);
await system.scheduler.terminate(); // runs sleep on the bench's ManualClock, which no longer advances: abort them
process.exit(0);
