/** Helpers for tests on real threads and processes: managers, event waits, handshake polling. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerManager } from '../../../src/workers/manager.js';
import type { WorkerManagerOptions } from '../../../src/workers/spec.js';
import type { WorkerManagerEventName, WorkerManagerEvents } from '../../../src/workers/events.js';

export const FAULT_WORKER = new URL('../fixtures/fault-worker.ts', import.meta.url);
export type FaultWorker = typeof import('../fixtures/fault-worker.js').default;

/** A manager with test-friendly timing (50 ms beats, quick backoff, short stop timeout), terminated after the test whatever happens. */
export function realManager(t: { after(fn: () => Promise<void>): void }, options: WorkerManagerOptions = {}): WorkerManager {
  const manager = new WorkerManager({ heartbeatMs: 50, backoff: { initialMs: 20, maxMs: 200 }, stopTimeoutMs: 1000, statsIntervalMs: 50, ...options });
  t.after(() => manager.terminate());
  return manager;
}

/** Resolve with the first `event` payload matching `predicate`; reject after `timeoutMs` (a safety net, not a timing assert). */
export function nextEvent<K extends WorkerManagerEventName>(
  manager: WorkerManager,
  event: K,
  predicate: (payload: WorkerManagerEvents[K][0]) => boolean = () => true,
  timeoutMs = 20_000,
): Promise<WorkerManagerEvents[K][0]> {
  return new Promise((resolve, reject) => {
    const on = manager.on as (e: K, l: (p: WorkerManagerEvents[K][0]) => void) => void;
    const off = manager.off as (e: K, l: (p: WorkerManagerEvents[K][0]) => void) => void;
    const timer = setTimeout(() => {
      off.call(manager, event, listener);
      reject(new Error(`no ${event} event within ${timeoutMs}ms`));
    }, timeoutMs);
    const listener = (payload: WorkerManagerEvents[K][0]): void => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      off.call(manager, event, listener);
      resolve(payload);
    };
    on.call(manager, event, listener);
  });
}

/** Collect every `event` payload. */
export function collect<K extends WorkerManagerEventName>(manager: WorkerManager, event: K): WorkerManagerEvents[K][0][] {
  const seen: WorkerManagerEvents[K][0][] = [];
  (manager.on as (e: K, l: (p: WorkerManagerEvents[K][0]) => void) => void)(event, (payload) => seen.push(payload));
  return seen;
}

/** Poll `condition` until true (a handshake on state the worker reports), or fail after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Block this thread's event loop for `ms`. */
export function blockParent(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // the parent is busy
  }
}

/**
 * A handshake through the file system, for a worker that is too busy to read messages: the fault
 * worker's `hold` fault creates `held` when it starts holding and returns when `release` exists.
 */
export interface HoldFiles {
  /** Pass as the hold fault's `until`. */
  readonly release: string;
  /** Resolves once the worker is holding. */
  held(): Promise<void>;
  /** Let the worker go. */
  letGo(): void;
}

export function holdFiles(t: { after(fn: () => void): void }): HoldFiles {
  const dir = mkdtempSync(join(tmpdir(), 'tactus-hold-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const release = join(dir, 'release');
  return {
    release,
    held: () => until(() => existsSync(`${release}.held`), 'the worker to start holding'),
    letGo: () => writeFileSync(release, ''),
  };
}
