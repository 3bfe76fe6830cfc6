/**
 * A WorkerManager on a ManualClock with the fake launcher, and a recorder of its events: the
 * setup of the supervision tests that drive workers by hand.
 */
import { ManualClock } from '../../../src/time/manual-clock.js';
import { WorkerManager } from '../../../src/workers/manager.js';
import type { WorkerManagerOptions } from '../../../src/workers/spec.js';
import type { WorkerManagerEventName, WorkerManagerEvents } from '../../../src/workers/events.js';
import { fakeLauncher } from './fake-launcher.js';

export const FAKE_MODULE = 'file:///fake/worker.js';

export function fakeManager(options: Omit<WorkerManagerOptions, 'clock' | 'launcher'> = {}) {
  const clock = new ManualClock();
  const fakes = fakeLauncher();
  const manager = new WorkerManager({ clock, launcher: fakes.launcher, random: () => 0.5, ...options });
  return { clock, fakes, manager };
}

/** Collect every payload of `event`. */
export function recordManager<K extends WorkerManagerEventName>(manager: WorkerManager, event: K): WorkerManagerEvents[K][0][] {
  const seen: WorkerManagerEvents[K][0][] = [];
  (manager.on as (e: K, l: (p: WorkerManagerEvents[K][0]) => void) => void)(event, (payload) => seen.push(payload));
  return seen;
}
