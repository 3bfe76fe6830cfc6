/** The `fifo` policy: first ready, first started; priorities and deadlines are ignored. */
import type { ReadyQueue } from '../ready-queue.js';
import { HeapReadyQueue } from './heap-queue.js';

export function createFifoQueue(): ReadyQueue {
  return new HeapReadyQueue(
    (item) => item.readyAt,
    () => 0,
  );
}
