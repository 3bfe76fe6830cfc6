/**
 * The `priority` policy: most urgent first, then earliest ready, with aging (seed 003's starvation
 * prevention).
 *
 * Aging without re-keying: an item's sort key is `readyAt + effectivePriority * agingStepMs`, so
 * every `agingStepMs` spent waiting is worth one priority class. Keys never change while an item
 * waits, so one heap orders everything and a long-waiting LOW item eventually sorts ahead of a
 * freshly released REALTIME one. `agingStepMs: Infinity` turns aging off (strict priority).
 */
import type { Dispatchable, ReadyQueue } from '../ready-queue.js';
import { HeapReadyQueue } from './heap-queue.js';

export const DEFAULT_AGING_STEP_MS = 1000;

export function comparePriorityThenAge(a: Dispatchable, b: Dispatchable): number {
  return a.effectivePriority - b.effectivePriority || a.readyAt - b.readyAt || a.seq - b.seq;
}

export function createPriorityQueue(agingStepMs: number = DEFAULT_AGING_STEP_MS): ReadyQueue {
  if (!Number.isFinite(agingStepMs)) return new HeapReadyQueue(comparePriorityThenAge);
  return new HeapReadyQueue(
    (a, b) =>
      a.readyAt + a.effectivePriority * agingStepMs - (b.readyAt + b.effectivePriority * agingStepMs) ||
      comparePriorityThenAge(a, b),
  );
}
