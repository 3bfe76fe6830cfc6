/**
 * The `fifo` policy: first ready, first started; priorities and deadlines are ignored. Items are
 * mostly queued in `readyAt` order, so one lane holds them; a periodic run released earlier than
 * the lane's tail goes to the heap (`KeyedReadyQueue`).
 */
import type { ReadyQueue } from '../ready-queue.js';
import { KeyedReadyQueue } from './keyed-queue.js';

export function createFifoQueue(): ReadyQueue {
  return new KeyedReadyQueue(
    (item) => item.readyAt,
    () => 0,
    1,
    () => 0,
  );
}
