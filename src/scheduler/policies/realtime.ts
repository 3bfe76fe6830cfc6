/**
 * The `realtime` policy: fixed priority (no aging: an urgent class always wins), EDF within a
 * class. Paired with preemption requests, the most urgent ready work never waits behind less
 * urgent preemptible work for longer than its next yield point.
 */
import type { ReadyQueue } from '../ready-queue.js';
import { HeapReadyQueue } from './heap-queue.js';

export function createRealtimeQueue(): ReadyQueue {
  return new HeapReadyQueue(
    (item) => item.effectivePriority,
    (item) => item.deadlineAt,
  );
}
