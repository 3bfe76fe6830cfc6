/**
 * Seed 002 in the lab rig: the device loops that must not share the service's event loop. The
 * simulated 6-axis force/torque sensor samples at 1 kHz in a worker thread (shared-memory ring),
 * the simulated camera captures 640x480 frames in a worker process (framed pipe). Both run under
 * the supervisor (heartbeats, restarts with backoff, degraded); their loops appear in the
 * scheduler's `describe()` marked isolated, and the bridge republishes their decoded payloads as
 * the telemetry topics `ft_sample` and `frame`.
 */
import { createBridge, type Bridge } from '../workers/bridge.js';
import { dummyCamera, dummyDecoders, dummyFtSensor } from '../workers/dummy/index.js';
import type { WorkerManager } from '../workers/manager.js';

export const FT_SENSOR = 'ft.sensor';
export const CAMERA = 'camera';

/** Frames per second of the demo camera: enough to watch, light on a two-core machine. */
const CAMERA_FPS = 15;

export function startDevices(manager: WorkerManager): Bridge<typeof dummyDecoders> {
  manager.spawn({ name: FT_SENSOR, ...dummyFtSensor, isolation: 'thread', category: 'sensor', config: { hz: 1000 } });
  manager.spawn({ name: CAMERA, ...dummyCamera, isolation: 'process', category: 'camera', config: { fps: CAMERA_FPS } });
  return createBridge(manager, { decoders: dummyDecoders });
}
