/**
 * Bridge decoders for the dummy workers' payloads (`createBridge(manager, { decoders: dummyDecoders })`).
 */
import type { WorkerPayload } from '../data-plane/payload.js';

export interface FtSample {
  fx: number;
  fy: number;
  fz: number;
  tx: number;
  ty: number;
  tz: number;
}

/** Six little-endian float32: Fx, Fy, Fz (N), Tx, Ty, Tz (N·m). */
export function decodeFtSample(payload: WorkerPayload): FtSample {
  const view = new DataView(payload.data.buffer, payload.data.byteOffset, payload.data.byteLength);
  if (view.byteLength < 24) throw new RangeError(`an ft_sample holds 24 bytes, got ${view.byteLength}`);
  return {
    fx: view.getFloat32(0, true),
    fy: view.getFloat32(4, true),
    fz: view.getFloat32(8, true),
    tx: view.getFloat32(12, true),
    ty: view.getFloat32(16, true),
    tz: view.getFloat32(20, true),
  };
}

export interface FrameSummary {
  bytes: number;
  /** Mean grey level, 0-255. */
  mean: number;
}

/** A frame's size and mean grey level (telemetry needs no pixels). */
export function decodeFrame(payload: WorkerPayload): FrameSummary {
  const data = payload.data;
  let sum = 0;
  for (let i = 0; i < data.length; i += 64) sum += data[i]!;
  const samples = Math.ceil(data.length / 64);
  return { bytes: data.length, mean: samples === 0 ? 0 : sum / samples };
}

export const dummyDecoders = { ft_sample: decodeFtSample, frame: decodeFrame };
