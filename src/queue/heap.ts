/**
 * A binary min-heap with a position hook, after Node's `lib/internal/priority_queue.js`.
 *
 * Every move reports the item's new index through `setPosition`, so an owner can remove or re-key
 * an arbitrary item in O(log n) without a search; removed items are told `-1`. The array grows
 * but never shrinks below its high-water mark, so steady-state pushes and pops allocate nothing.
 */

export type Compare<T> = (a: T, b: T) => number;
export type SetPosition<T> = (item: T, index: number) => void;

const noPosition = (): void => {};

export class Heap<T> {
  readonly #compare: Compare<T>;
  readonly #setPosition: SetPosition<T>;
  #items: (T | undefined)[] = [];
  #size = 0;

  constructor(compare: Compare<T>, setPosition: SetPosition<T> = noPosition) {
    this.#compare = compare;
    this.#setPosition = setPosition;
  }

  get size(): number {
    return this.#size;
  }

  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[0];
  }

  push(item: T): void {
    const index = this.#size++;
    this.#items[index] = item;
    this.#siftUp(index);
  }

  pop(): T | undefined {
    if (this.#size === 0) return undefined;
    const top = this.#items[0] as T;
    this.removeAt(0);
    return top;
  }

  /** Remove the item at `index` (as last reported by `setPosition`). */
  removeAt(index: number): void {
    if (index < 0 || index >= this.#size) throw new RangeError(`Heap.removeAt: index ${index} out of range [0, ${this.#size})`);
    const removed = this.#items[index] as T;
    const last = --this.#size;
    if (index !== last) {
      const moved = this.#items[last] as T;
      this.#items[index] = moved;
      this.#items[last] = undefined;
      this.#setPosition(moved, index);
      this.update(index);
    } else {
      this.#items[last] = undefined;
    }
    this.#setPosition(removed, -1);
  }

  /** Restore order after the key of the item at `index` changed (either direction). */
  update(index: number): void {
    if (index > 0 && this.#compare(this.#items[index] as T, this.#items[(index - 1) >>> 1] as T) < 0) {
      this.#siftUp(index);
    } else {
      this.#siftDown(index);
    }
  }

  /** Visit every item in heap (not sorted) order. */
  forEach(visit: (item: T) => void): void {
    for (let i = 0; i < this.#size; i++) visit(this.#items[i] as T);
  }

  /** Remove every item, telling each its position is now -1. */
  clear(): void {
    for (let i = 0; i < this.#size; i++) {
      this.#setPosition(this.#items[i] as T, -1);
      this.#items[i] = undefined;
    }
    this.#size = 0;
  }

  #siftUp(index: number): void {
    const items = this.#items;
    const compare = this.#compare;
    const setPosition = this.#setPosition;
    const item = items[index] as T;
    while (index > 0) {
      const parentIndex = (index - 1) >>> 1;
      const parent = items[parentIndex] as T;
      if (compare(item, parent) >= 0) break;
      items[index] = parent;
      setPosition(parent, index);
      index = parentIndex;
    }
    items[index] = item;
    setPosition(item, index);
  }

  #siftDown(index: number): void {
    const items = this.#items;
    const compare = this.#compare;
    const setPosition = this.#setPosition;
    const size = this.#size;
    const item = items[index] as T;
    const half = size >>> 1;
    while (index < half) {
      let childIndex = 2 * index + 1;
      let child = items[childIndex] as T;
      const rightIndex = childIndex + 1;
      if (rightIndex < size && compare(items[rightIndex] as T, child) < 0) {
        childIndex = rightIndex;
        child = items[rightIndex] as T;
      }
      if (compare(item, child) <= 0) break;
      items[index] = child;
      setPosition(child, index);
      index = childIndex;
    }
    items[index] = item;
    setPosition(item, index);
  }
}
