/**
 * The benchmark's device worker: one loop at `periodMs` doing nothing but recording its own
 * lateness (ctx.startedAt - ctx.scheduledAt: the release precision of the worker runtime) into a
 * preallocated buffer, plus this thread's CPU time from /proc/thread-self/stat. Commands open and
 * close a measurement window so warm-up is excluded; `hang` and `crash` serve the detection runs.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { defineWorker } from '../../src/worker.js';
import { crashCommand } from './crash-command.js';

const CAPACITY = 200_000;
const TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

/** utime + stime of the calling thread, in ms. */
function threadCpuMs(): number {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

export default defineWorker({
  config: z.object({ periodMs: z.number().positive() }),
  setup(config, ctx) {
    ctx.setPeriod('tick', config.periodMs);
    return { samples: new Float64Array(CAPACITY), count: 0, recording: false, cpu0: 0, wall0: 0 };
  },
  loops: [
    {
      name: 'tick',
      periodMs: 1,
      run(ctx) {
        const state = ctx.state;
        if (state.recording && state.count < CAPACITY) state.samples[state.count++] = ctx.startedAt - ctx.scheduledAt;
      },
    },
  ],
  commands: {
    begin: (_payload, ctx) => {
      const state = ctx.state;
      state.count = 0;
      state.recording = true;
      state.cpu0 = threadCpuMs();
      state.wall0 = ctx.now();
      return null;
    },
    end: (_payload, ctx) => {
      const state = ctx.state;
      state.recording = false;
      const cpuMs = threadCpuMs() - state.cpu0;
      const wallMs = ctx.now() - state.wall0;
      return { lateness: Array.from(state.samples.subarray(0, state.count)), cpuMs, wallMs };
    },
    hang: () => {
      for (;;) {
        // a wedged vendor call
      }
    },
    crash: crashCommand,
  },
});
