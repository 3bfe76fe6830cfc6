/**
 * The `priority` policy: most urgent first, then earliest ready, with aging (seed 003's starvation
 * prevention).
 *
 * Aging without re-keying: an item's key is `readyAt + effectivePriority * agingStepMs`, so every
 * `agingStepMs` spent waiting is worth one priority class. Keys never change while an item waits,
 * so one heap orders everything and a long-waiting LOW item eventually sorts ahead of a freshly
 * released REALTIME one (equal keys: the more urgent class, then first come). `agingStepMs:
 * Infinity` turns aging off (strict priority, then first ready).
 */
import type { ReadyQueue } from '../ready-queue.js';
import { HeapReadyQueue } from './heap-queue.js';

export const DEFAULT_AGING_STEP_MS = 1000;

export function createPriorityQueue(agingStepMs: number = DEFAULT_AGING_STEP_MS): ReadyQueue {
  if (!Number.isFinite(agingStepMs)) {
    return new HeapReadyQueue(
      (item) => item.effectivePriority,
      (item) => item.readyAt,
    );
  }
  return new HeapReadyQueue(
    (item) => item.readyAt + item.effectivePriority * agingStepMs,
    (item) => item.effectivePriority,
  );
}
