/**
 * A dashcam pipeline stage worker (seed 004): one worker thread per slot, in the GPU or CPU
 * category. `process` runs one stage of one frame: the worker shows what it is busy on through
 * `ctx.setTask` (what the monitor and the HUD read), waits out the stage's cost without burning
 * a core (the demo shares two cores with a 1 kHz sensor loop), and reports back.
 */
import { z } from 'zod';
import { defineWorker } from '../../worker.js';

const input = z.strictObject({ stage: z.string().regex(/^[A-Z_]{1,32}$/), frame: z.number().int().nonnegative(), costMs: z.number().min(0).max(5000) });

export default defineWorker({
  commands: {
    process: {
      input,
      handle: async (payload, ctx) => {
        ctx.setTask(payload.stage);
        try {
          await new Promise((resolve) => setTimeout(resolve, payload.costMs));
          return { stage: payload.stage, frame: payload.frame };
        } finally {
          ctx.setTask(null);
        }
      },
    },
  },
});
