/**
 * A WorkerManager on a ManualClock with the fake launcher: the setup of the supervision tests that
 * drive workers by hand (record its events with `collect` from ./real.ts).
 */
import { ManualClock } from '../../../src/time/manual-clock.js';
import { WorkerManager } from '../../../src/workers/manager.js';
import type { WorkerManagerOptions } from '../../../src/workers/spec.js';
import { fakeLauncher } from './fake-launcher.js';

export const FAKE_MODULE = 'file:///fake/worker.js';

export function fakeManager(options: Omit<WorkerManagerOptions, 'clock' | 'launcher'> = {}) {
  const clock = new ManualClock();
  const fakes = fakeLauncher();
  const manager = new WorkerManager({ clock, launcher: fakes.launcher, random: () => 0.5, ...options });
  return { clock, fakes, manager };
}
