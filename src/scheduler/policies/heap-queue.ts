/**
 * A ready queue that is one keyed heap: the shape of every policy, which differ only in their two
 * numeric keys (computed when an item is queued or updated); the submission sequence breaks ties,
 * so equal keys start first-come first-served.
 */
import { Heap } from '../../queue/heap.js';
import { setQueueIndex, type Dispatchable, type ReadyQueue } from '../ready-queue.js';

export type KeyOf = (item: Dispatchable) => number;

/** The order of two items by the two keys, then the submission sequence. */
export function compareBy(primary: KeyOf, secondary: KeyOf): (a: Dispatchable, b: Dispatchable) => number {
  return (a, b) => {
    const a1 = primary(a);
    const b1 = primary(b);
    if (a1 !== b1) return a1 < b1 ? -1 : 1;
    const a2 = secondary(a);
    const b2 = secondary(b);
    if (a2 !== b2) return a2 < b2 ? -1 : 1;
    return a.seq - b.seq;
  };
}

export class HeapReadyQueue implements ReadyQueue {
  readonly #heap = new Heap<Dispatchable>(setQueueIndex);
  readonly #primary: KeyOf;
  readonly #secondary: KeyOf;

  constructor(primary: KeyOf, secondary: KeyOf) {
    this.#primary = primary;
    this.#secondary = secondary;
    this.compare = compareBy(primary, secondary);
  }

  get size(): number {
    return this.#heap.size;
  }

  /** Negative when `a` starts before `b` under this policy. */
  readonly compare: (a: Dispatchable, b: Dispatchable) => number;

  push(item: Dispatchable): void {
    this.#heap.push(item, this.#primary(item), this.#secondary(item), item.seq);
  }

  pop(): Dispatchable | undefined {
    return this.#heap.pop();
  }

  peek(): Dispatchable | undefined {
    return this.#heap.peek();
  }

  remove(item: Dispatchable): void {
    if (item.queueIndex >= 0) this.#heap.remove(item.queueIndex);
  }

  update(item: Dispatchable): void {
    if (item.queueIndex >= 0) this.#heap.rekey(item.queueIndex, this.#primary(item), this.#secondary(item), item.seq);
  }

  forEach(visit: (item: Dispatchable) => void): void {
    this.#heap.forEach(visit);
  }
}
