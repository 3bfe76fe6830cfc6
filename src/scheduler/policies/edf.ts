/**
 * The `edf` policy: earliest absolute deadline first; work without a deadline comes after all
 * work with one, by priority then age. Optimal on one slot: a feasible set (utilisation <= 1)
 * meets every deadline.
 */
import type { Dispatchable, ReadyQueue } from '../ready-queue.js';
import { HeapReadyQueue } from './heap-queue.js';
import { comparePriorityThenAge } from './priority.js';

export function compareDeadline(a: Dispatchable, b: Dispatchable): number {
  if (a.deadlineAt !== b.deadlineAt) return a.deadlineAt < b.deadlineAt ? -1 : 1;
  return comparePriorityThenAge(a, b);
}

export function createEdfQueue(): ReadyQueue {
  return new HeapReadyQueue(compareDeadline);
}
