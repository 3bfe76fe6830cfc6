/**
 * A simulated camera (seed 002's dummy worker, for CI and the demo): 640x480 8-bit grey frames at
 * 30 fps by default, each published as a `frame` payload. Commands: `setFrameRate({ fps })`,
 * `startRecording()`, `stopRecording()`, `status()`. The picture is a gradient with a bar that
 * moves one column per frame, drawn into one reused buffer (the data plane copies it out).
 */
import { z } from 'zod';
import { defineWorker } from '../runtime/define-worker.js';

const configSchema = z
  .strictObject({
    width: z.number().int().min(1).max(8192).default(640),
    height: z.number().int().min(1).max(8192).default(480),
    fps: z.number().positive().max(1000).default(30),
  })
  .default({ width: 640, height: 480, fps: 30 });

function draw(frame: Uint8Array, width: number, height: number, index: number): void {
  const bar = index % width;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const shade = (y + index) & 0xff;
    frame.fill(shade, row, row + width);
    frame[row + bar] = 0xff;
  }
}

export default defineWorker({
  config: configSchema,
  setup(config, ctx) {
    ctx.setPeriod('capture', 1000 / config.fps);
    return { ...config, frame: new Uint8Array(config.width * config.height), frames: 0, dropped: 0, recording: false, recorded: 0 };
  },
  loops: [
    {
      name: 'capture',
      periodMs: 1000 / 30,
      run(ctx) {
        const camera = ctx.state;
        ctx.setTask('capture');
        draw(camera.frame, camera.width, camera.height, camera.frames);
        if (ctx.publish('frame', camera.frame)) camera.frames++;
        else camera.dropped++;
        if (camera.recording) camera.recorded++;
        ctx.setTask(null);
      },
    },
  ],
  commands: {
    setFrameRate: {
      input: z.strictObject({ fps: z.number().positive().max(1000) }),
      handle({ fps }, ctx) {
        ctx.setPeriod('capture', 1000 / fps);
        ctx.state.fps = fps;
        return { fps };
      },
    },
    startRecording: (_payload, ctx) => {
      ctx.state.recording = true;
      return { recording: true };
    },
    stopRecording: (_payload, ctx) => {
      ctx.state.recording = false;
      return { recording: false, recorded: ctx.state.recorded };
    },
    status: (_payload, ctx) => {
      const { width, height, fps, frames, dropped, recording, recorded } = ctx.state;
      return { width, height, fps, frames, dropped, recording, recorded };
    },
  },
});
