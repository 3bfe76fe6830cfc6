/**
 * The engine's priority queue: a 4-ary min-heap ordered by three numeric keys stored inline in
 * typed arrays, with a position hook in the manner of Node's `lib/internal/priority_queue.js`:
 * every move reports the item's new index through `setPosition`, so an owner can remove or re-key
 * an arbitrary item in O(log n) without a search; removed items are told `-1`.
 *
 * Why keys inline: a comparator that reads `item.key` jumps to the item in memory; with 100,000
 * queued jobs those are cache misses, and they dominated dispatch (measured: a comparator heap
 * spent ~40 % of a 200,000-job drain sifting). Here the keys sit next to each other in
 * Float64Arrays, so sifting compares contiguous numbers and touches an item only to tell it its
 * new position. Keys: `primary`, then `secondary`, then `tertiary` (an insertion sequence
 * for FIFO order among equals). Four children per node halve the depth, and so the items touched
 * per pop, for a few more (contiguous) key comparisons. Infinity compares equal to Infinity.
 * Arrays double when full and never shrink, so steady state allocates nothing.
 */

export type SetPosition<T> = (item: T, index: number) => void;

const noPosition = (): void => {};

export class Heap<T> {
  readonly #setPosition: SetPosition<T>;
  #items: (T | undefined)[] = [];
  #k1 = new Float64Array(64);
  #k2 = new Float64Array(64);
  #k3 = new Float64Array(64);
  #size = 0;

  constructor(setPosition: SetPosition<T> = noPosition) {
    this.#setPosition = setPosition;
  }

  get size(): number {
    return this.#size;
  }

  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[0];
  }

  push(item: T, primary: number, secondary: number, tertiary: number): void {
    if (this.#size === this.#k1.length) this.#grow();
    const index = this.#size++;
    this.#items[index] = item;
    this.#k1[index] = primary;
    this.#k2[index] = secondary;
    this.#k3[index] = tertiary;
    this.#siftUp(index);
  }

  pop(): T | undefined {
    if (this.#size === 0) return undefined;
    const top = this.#items[0] as T;
    this.removeAt(0);
    return top;
  }

  removeAt(index: number): void {
    if (index < 0 || index >= this.#size) throw new RangeError(`Heap.removeAt: index ${index} out of range [0, ${this.#size})`);
    const removed = this.#items[index] as T;
    const last = --this.#size;
    if (index !== last) {
      this.#move(last, index);
      this.#items[last] = undefined;
      this.#restore(index);
    } else {
      this.#items[last] = undefined;
    }
    this.#setPosition(removed, -1);
  }

  /** Change the keys of the item at `index` and restore order. */
  rekey(index: number, primary: number, secondary: number, tertiary: number): void {
    this.#k1[index] = primary;
    this.#k2[index] = secondary;
    this.#k3[index] = tertiary;
    this.#restore(index);
  }

  forEach(visit: (item: T) => void): void {
    for (let i = 0; i < this.#size; i++) visit(this.#items[i] as T);
  }

  clear(): void {
    for (let i = 0; i < this.#size; i++) {
      this.#setPosition(this.#items[i] as T, -1);
      this.#items[i] = undefined;
    }
    this.#size = 0;
  }

  /** Whether the entry at `a` orders before the entry at `b`. */
  #less(a: number, b: number): boolean {
    const k1 = this.#k1;
    if (k1[a]! !== k1[b]!) return k1[a]! < k1[b]!;
    const k2 = this.#k2;
    if (k2[a]! !== k2[b]!) return k2[a]! < k2[b]!;
    return this.#k3[a]! < this.#k3[b]!;
  }

  #restore(index: number): void {
    if (index > 0 && this.#less(index, (index - 1) >>> 2)) this.#siftUp(index);
    else this.#siftDown(index);
  }

  #move(from: number, to: number): void {
    const item = this.#items[from] as T;
    this.#items[to] = item;
    this.#k1[to] = this.#k1[from]!;
    this.#k2[to] = this.#k2[from]!;
    this.#k3[to] = this.#k3[from]!;
    this.#setPosition(item, to);
  }

  #siftUp(index: number): void {
    const items = this.#items;
    const k1 = this.#k1;
    const k2 = this.#k2;
    const k3 = this.#k3;
    const item = items[index] as T;
    const a1 = k1[index]!;
    const a2 = k2[index]!;
    const a3 = k3[index]!;
    while (index > 0) {
      const parent = (index - 1) >>> 2;
      const p1 = k1[parent]!;
      if (a1 > p1 || (a1 === p1 && (a2 > k2[parent]! || (a2 === k2[parent]! && a3 >= k3[parent]!)))) break;
      this.#move(parent, index);
      index = parent;
    }
    items[index] = item;
    k1[index] = a1;
    k2[index] = a2;
    k3[index] = a3;
    this.#setPosition(item, index);
  }

  #siftDown(index: number): void {
    const items = this.#items;
    const k1 = this.#k1;
    const k2 = this.#k2;
    const k3 = this.#k3;
    const size = this.#size;
    const item = items[index] as T;
    const a1 = k1[index]!;
    const a2 = k2[index]!;
    const a3 = k3[index]!;
    for (;;) {
      const first = 4 * index + 1;
      if (first >= size) break;
      let child = first;
      const end = Math.min(first + 4, size);
      for (let c = first + 1; c < end; c++) if (this.#less(c, child)) child = c;
      const c1 = k1[child]!;
      if (a1 < c1 || (a1 === c1 && (a2 < k2[child]! || (a2 === k2[child]! && a3 <= k3[child]!)))) break;
      this.#move(child, index);
      index = child;
    }
    items[index] = item;
    k1[index] = a1;
    k2[index] = a2;
    k3[index] = a3;
    this.#setPosition(item, index);
  }

  #grow(): void {
    const capacity = this.#k1.length * 2;
    const grow = (old: Float64Array): Float64Array<ArrayBuffer> => {
      const next = new Float64Array(capacity);
      next.set(old);
      return next;
    };
    this.#k1 = grow(this.#k1);
    this.#k2 = grow(this.#k2);
    this.#k3 = grow(this.#k3);
  }
}
