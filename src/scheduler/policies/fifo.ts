/** The `fifo` policy: first ready, first started; priorities and deadlines are ignored. */
import type { Dispatchable, ReadyQueue } from '../ready-queue.js';
import { HeapReadyQueue } from './heap-queue.js';

export const compareFifo = (a: Dispatchable, b: Dispatchable): number => a.readyAt - b.readyAt || a.seq - b.seq;

export function createFifoQueue(): ReadyQueue {
  return new HeapReadyQueue(compareFifo);
}
