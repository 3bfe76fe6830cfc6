/**
 * The `priority` policy: most urgent first, then earliest ready, with aging (seed 003's starvation
 * prevention).
 *
 * Aging without re-keying: an item's key is `readyAt + effectivePriority * agingStepMs`, so every
 * `agingStepMs` spent waiting is worth one priority class. Keys never change while an item waits,
 * so a long-waiting LOW item eventually sorts ahead of a freshly released REALTIME one (equal
 * keys: the more urgent class, then first come). `agingStepMs: Infinity` turns aging off (strict
 * priority, then first ready).
 *
 * Within one class items are queued in `readyAt` order, so either way each class's keys arrive
 * sorted: one lane per class (`KeyedReadyQueue`), the heap only for what arrives out of order.
 */
import { LEAST_URGENT } from '../priority.js';
import type { Dispatchable, ReadyQueue } from '../ready-queue.js';
import { KeyedReadyQueue } from './keyed-queue.js';

export const DEFAULT_AGING_STEP_MS = 1000;

const CLASSES = LEAST_URGENT + 1;

/** A whole priority class has a lane; a priority between classes goes to the heap. */
const classLane = (item: Dispatchable): number => {
  const priority = item.effectivePriority;
  return priority >>> 0 === priority && priority < CLASSES ? priority : -1;
};

export function createPriorityQueue(agingStepMs: number = DEFAULT_AGING_STEP_MS): ReadyQueue {
  if (!Number.isFinite(agingStepMs)) {
    return new KeyedReadyQueue(
      (item) => item.effectivePriority,
      (item) => item.readyAt,
      CLASSES,
      classLane,
    );
  }
  return new KeyedReadyQueue(
    (item) => item.readyAt + item.effectivePriority * agingStepMs,
    (item) => item.effectivePriority,
    CLASSES,
    classLane,
  );
}
