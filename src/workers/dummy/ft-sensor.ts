/**
 * A simulated 6-axis force/torque sensor (seed 002's dummy worker, for CI and the demo): 1 kHz
 * samples of Fx, Fy, Fz (N) and Tx, Ty, Tz (N·m) as six little-endian float32 in an `ft_sample`
 * payload (24 bytes; see decoders.ts). Slow sinusoids plus noise from an allocation-free LCG, so
 * the 1 kHz loop allocates nothing. Commands: `tare()` (zero the current reading), `setRate({ hz })`,
 * `status()`.
 */
import { z } from 'zod';
import { defineWorker } from '../runtime/define-worker.js';

export const FT_AXES = 6;

const configSchema = z
  .strictObject({
    hz: z.number().positive().max(10_000).default(1000),
    /** Noise amplitude (N, N·m). */
    noise: z.number().nonnegative().max(100).default(0.05),
    seed: z.number().int().min(1).max(2 ** 31 - 2).default(12345),
  })
  .default({ hz: 1000, noise: 0.05, seed: 12345 });

const AMPLITUDE = [5, 3, 20, 0.4, 0.3, 0.1] as const;
const FREQUENCY_HZ = [0.5, 0.7, 0.2, 1.1, 0.9, 0.3] as const;

export default defineWorker({
  config: configSchema,
  setup(config, ctx) {
    ctx.setPeriod('sample', 1000 / config.hz);
    const values = new Float32Array(FT_AXES);
    return {
      hz: config.hz,
      noise: config.noise,
      random: config.seed,
      values,
      bytes: new Uint8Array(values.buffer),
      offsets: new Float64Array(FT_AXES),
      samples: 0,
      dropped: 0,
    };
  },
  loops: [
    {
      name: 'sample',
      periodMs: 1,
      run(ctx) {
        const sensor = ctx.state;
        const seconds = ctx.scheduledAt / 1000;
        for (let axis = 0; axis < FT_AXES; axis++) {
          sensor.random = (sensor.random * 48271) % 2147483647; // Park-Miller: no allocation
          const noise = ((sensor.random / 2147483647) * 2 - 1) * sensor.noise;
          sensor.values[axis] = AMPLITUDE[axis]! * Math.sin(2 * Math.PI * FREQUENCY_HZ[axis]! * seconds) + noise - sensor.offsets[axis]!;
        }
        if (ctx.publish('ft_sample', sensor.bytes)) sensor.samples++;
        else sensor.dropped++;
      },
    },
  ],
  commands: {
    tare: (_payload, ctx) => {
      const sensor = ctx.state;
      for (let axis = 0; axis < FT_AXES; axis++) sensor.offsets[axis] = sensor.offsets[axis]! + sensor.values[axis]!;
      return { tared: true };
    },
    setRate: {
      input: z.strictObject({ hz: z.number().positive().max(10_000) }),
      handle({ hz }, ctx) {
        ctx.setPeriod('sample', 1000 / hz);
        ctx.state.hz = hz;
        return { hz };
      },
    },
    status: (_payload, ctx) => ({ hz: ctx.state.hz, samples: ctx.state.samples, dropped: ctx.state.dropped }),
  },
});
