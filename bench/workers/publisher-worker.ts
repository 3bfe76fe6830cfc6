/**
 * The data-plane bench's device worker: one loop at `periodMs` publishing a `bytes`-long payload
 * per run through `ctx.publish` (stamped on the payload timeline inside `publish`), as a sensor
 * worker would. `setPeriod` changes the loop's period (the bench slows it between its rounds);
 * `crash` ends the worker (the soak's fault injection).
 */
import { z } from 'zod';
import { defineWorker } from '../../src/worker.js';
import { crashCommand } from './crash-command.js';

export default defineWorker({
  config: z.object({ periodMs: z.number().positive(), bytes: z.number().int().positive() }),
  setup(config, ctx) {
    ctx.setPeriod('publish', config.periodMs);
    return { payload: new Uint8Array(config.bytes).fill(7) };
  },
  loops: [
    {
      name: 'publish',
      periodMs: 1,
      run(ctx) {
        ctx.publish('sample', ctx.state.payload);
      },
    },
  ],
  commands: {
    setPeriod: {
      input: z.strictObject({ periodMs: z.number().positive() }),
      handle({ periodMs }, ctx) {
        ctx.setPeriod('publish', periodMs);
        return { periodMs };
      },
    },
    crash: crashCommand,
  },
});
