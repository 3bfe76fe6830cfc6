/**
 * A ready queue that is one heap under one comparison: the shape of the priority, EDF, realtime and
 * FIFO policies, which differ only in how they order two items.
 */
import { Heap } from '../../queue/heap.js';
import { setQueueIndex, type Dispatchable, type ReadyQueue } from '../ready-queue.js';

export class HeapReadyQueue implements ReadyQueue {
  readonly #heap: Heap<Dispatchable>;
  readonly compare: (a: Dispatchable, b: Dispatchable) => number;

  constructor(compare: (a: Dispatchable, b: Dispatchable) => number) {
    this.compare = compare;
    this.#heap = new Heap(compare, setQueueIndex);
  }

  get size(): number {
    return this.#heap.size;
  }

  push(item: Dispatchable): void {
    this.#heap.push(item);
  }

  pop(): Dispatchable | undefined {
    return this.#heap.pop();
  }

  peek(): Dispatchable | undefined {
    return this.#heap.peek();
  }

  remove(item: Dispatchable): void {
    if (item.queueIndex >= 0) this.#heap.removeAt(item.queueIndex);
  }

  update(item: Dispatchable): void {
    if (item.queueIndex >= 0) this.#heap.update(item.queueIndex);
  }

  forEach(visit: (item: Dispatchable) => void): void {
    this.#heap.forEach(visit);
  }
}
