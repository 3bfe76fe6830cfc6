/**
 * The `edf` policy: earliest absolute deadline first; work without a deadline comes after all
 * work with one, by priority, then first come. Optimal on one slot with preemption: a feasible
 * set (utilisation <= 1) meets every deadline.
 */
import type { ReadyQueue } from '../ready-queue.js';
import { HeapReadyQueue } from './heap-queue.js';

export function createEdfQueue(): ReadyQueue {
  return new HeapReadyQueue(
    (item) => item.deadlineAt,
    (item) => item.effectivePriority,
  );
}
