/**
 * The shipped dummy workers (seed 002: "dummy worker implementations used in CI"), ready to spawn:
 *
 *   manager.spawn({ name: 'cam0', ...dummyCamera, isolation: 'process' });
 *   manager.spawn({ name: 'ft0', ...dummyFtSensor });
 *
 * Each entry carries the module's URL (next to this file, .ts from sources, .js from the build)
 * and a data plane sized for its payloads.
 */
const EXTENSION = import.meta.url.endsWith('.ts') ? 'ts' : 'js';

/** 640x480 8-bit frames at 30 fps; `setFrameRate({ fps })`. Config: `{ width?, height?, fps? }` (resize `ring.slotBytes` with it). */
export const dummyCamera = {
  module: new URL(`./camera.${EXTENSION}`, import.meta.url),
  ring: { slots: 16, slotBytes: 640 * 480 },
};

/** 6-axis force/torque samples at 1 kHz (24 bytes each); `tare()`, `setRate({ hz })`. Config: `{ hz?, noise?, seed? }`. */
export const dummyFtSensor = {
  module: new URL(`./ft-sensor.${EXTENSION}`, import.meta.url),
  ring: { slots: 1024, slotBytes: 64 },
};

export type DummyCamera = typeof import('./camera.js').default;
export type DummyFtSensor = typeof import('./ft-sensor.js').default;
export { dummyDecoders, decodeFrame, decodeFtSample, type FrameSummary, type FtSample } from './decoders.js';
