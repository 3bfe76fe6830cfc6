/**
 * The `realtime` policy: fixed priority (no aging: an urgent class always wins), EDF within a
 * class. Paired with preemption requests, the most urgent ready work never waits behind less
 * urgent preemptible work for longer than its next yield point.
 */
import type { Dispatchable, ReadyQueue } from '../ready-queue.js';
import { HeapReadyQueue } from './heap-queue.js';

export function compareRealtime(a: Dispatchable, b: Dispatchable): number {
  if (a.effectivePriority !== b.effectivePriority) return a.effectivePriority - b.effectivePriority;
  if (a.deadlineAt !== b.deadlineAt) return a.deadlineAt < b.deadlineAt ? -1 : 1;
  return a.seq - b.seq;
}

export function createRealtimeQueue(): ReadyQueue {
  return new HeapReadyQueue(compareRealtime);
}
