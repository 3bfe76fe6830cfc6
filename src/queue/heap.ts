/**
 * The engine's priority queue: a 4-ary min-heap ordered by three numeric keys, in the manner of
 * Node's `lib/internal/priority_queue.js` but laid out for a scheduler with 100,000 entries.
 *
 * Why this layout: sifting is a walk down or up the tree, and every step that reads an item
 * (`item.key`) or writes it (`item.position = i`) is a cache miss once the items are many and
 * cold (measured: a comparator heap with a position hook spent ~40 % of a 200,000-job drain
 * sifting). Here nothing on the walk touches an item: the keys sit in Float64Arrays by heap index,
 * and each entry has a stable SLOT whose heap index is kept in an Int32Array. An item is told its
 * slot once when pushed (`setSlot`) and -1 when it leaves; `remove(slot)` and `rekey(slot, ...)`
 * find it in O(1) and restore order in O(log n).
 *
 * Order: `primary`, then `secondary`, then `tertiary` (use an insertion sequence for FIFO among
 * equals); Infinity equals Infinity. Four children per node halve the depth for a few more
 * contiguous comparisons. Arrays double when full and never shrink, so steady state allocates
 * nothing.
 */
import { keysBefore } from './keys.js';

export type SetSlot<T> = (item: T, slot: number) => void;

const noSlot = (): void => {};

export class Heap<T> {
  readonly #setSlot: SetSlot<T>;
  /** By slot: the item and its heap index. */
  #items: (T | undefined)[] = [];
  #indexOf = new Int32Array(64);
  /** By heap index: the keys and the slot. */
  #k1 = new Float64Array(64);
  #k2 = new Float64Array(64);
  #k3 = new Float64Array(64);
  #slotAt = new Int32Array(64);
  /** Free slots, as a stack. */
  #free = new Int32Array(64);
  #freeCount = 0;
  #slots = 0;
  #size = 0;

  constructor(setSlot: SetSlot<T> = noSlot) {
    this.#setSlot = setSlot;
  }

  get size(): number {
    return this.#size;
  }

  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[this.#slotAt[0]!];
  }

  /** Whether the top entry orders before an entry with these keys (false when empty). */
  topBefore(primary: number, secondary: number, tertiary: number): boolean {
    return this.#size > 0 && keysBefore(this.#k1[0]!, this.#k2[0]!, this.#k3[0]!, primary, secondary, tertiary);
  }

  /** Insert `item`; it is told its slot. */
  push(item: T, primary: number, secondary: number, tertiary: number): void {
    if (this.#size === this.#k1.length) this.#grow();
    const slot = this.#freeCount > 0 ? this.#free[--this.#freeCount]! : this.#slots++;
    this.#items[slot] = item;
    const index = this.#size++;
    this.#k1[index] = primary;
    this.#k2[index] = secondary;
    this.#k3[index] = tertiary;
    this.#slotAt[index] = slot;
    this.#indexOf[slot] = index;
    this.#setSlot(item, slot);
    this.#siftUp(index);
  }

  pop(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#slotAt[0]!];
    this.#removeIndex(0);
    return item;
  }

  /** Remove the entry in `slot` (as told by `setSlot`). */
  remove(slot: number): void {
    this.#removeIndex(this.#indexOfSlot(slot, 'remove'));
  }

  /** Change the keys of the entry in `slot` and restore order. */
  rekey(slot: number, primary: number, secondary: number, tertiary: number): void {
    const index = this.#indexOfSlot(slot, 'rekey');
    this.#k1[index] = primary;
    this.#k2[index] = secondary;
    this.#k3[index] = tertiary;
    if (index > 0 && this.#less(index, (index - 1) >>> 2)) this.#siftUp(index);
    else this.#siftDown(index);
  }

  forEach(visit: (item: T) => void): void {
    for (let i = 0; i < this.#size; i++) visit(this.#items[this.#slotAt[i]!] as T);
  }

  clear(): void {
    while (this.#size > 0) this.#removeIndex(this.#size - 1);
  }

  #indexOfSlot(slot: number, what: string): number {
    const index = slot >= 0 && slot < this.#slots ? this.#indexOf[slot]! : -1;
    if (index < 0 || index >= this.#size || this.#slotAt[index] !== slot) {
      throw new RangeError(`Heap.${what}: slot ${slot} holds no entry`);
    }
    return index;
  }

  #removeIndex(index: number): void {
    const slot = this.#slotAt[index]!;
    const item = this.#items[slot] as T;
    const last = --this.#size;
    if (index !== last) {
      this.#copy(last, index);
      if (index > 0 && this.#less(index, (index - 1) >>> 2)) this.#siftUp(index);
      else this.#siftDown(index);
    }
    this.#items[slot] = undefined;
    this.#indexOf[slot] = -1;
    this.#free[this.#freeCount++] = slot;
    this.#setSlot(item, -1);
  }

  /** Whether the entry at index `a` orders before the entry at index `b`. */
  #less(a: number, b: number): boolean {
    const k1 = this.#k1;
    if (k1[a]! !== k1[b]!) return k1[a]! < k1[b]!;
    const k2 = this.#k2;
    if (k2[a]! !== k2[b]!) return k2[a]! < k2[b]!;
    return this.#k3[a]! < this.#k3[b]!;
  }

  /** Move the entry at index `from` to index `to` (keys, slot, and the slot's index). */
  #copy(from: number, to: number): void {
    this.#k1[to] = this.#k1[from]!;
    this.#k2[to] = this.#k2[from]!;
    this.#k3[to] = this.#k3[from]!;
    const slot = this.#slotAt[from]!;
    this.#slotAt[to] = slot;
    this.#indexOf[slot] = to;
  }

  #siftUp(index: number): void {
    const k1 = this.#k1;
    const k2 = this.#k2;
    const k3 = this.#k3;
    const a1 = k1[index]!;
    const a2 = k2[index]!;
    const a3 = k3[index]!;
    const slot = this.#slotAt[index]!;
    while (index > 0) {
      const parent = (index - 1) >>> 2;
      const p1 = k1[parent]!;
      if (a1 > p1 || (a1 === p1 && (a2 > k2[parent]! || (a2 === k2[parent]! && a3 >= k3[parent]!)))) break;
      this.#copy(parent, index);
      index = parent;
    }
    this.#place(index, a1, a2, a3, slot);
  }

  #siftDown(index: number): void {
    const k1 = this.#k1;
    const k2 = this.#k2;
    const k3 = this.#k3;
    const size = this.#size;
    const a1 = k1[index]!;
    const a2 = k2[index]!;
    const a3 = k3[index]!;
    const slot = this.#slotAt[index]!;
    for (;;) {
      const first = 4 * index + 1;
      if (first >= size) break;
      let child = first;
      const end = Math.min(first + 4, size);
      for (let c = first + 1; c < end; c++) if (this.#less(c, child)) child = c;
      const c1 = k1[child]!;
      if (a1 < c1 || (a1 === c1 && (a2 < k2[child]! || (a2 === k2[child]! && a3 <= k3[child]!)))) break;
      this.#copy(child, index);
      index = child;
    }
    this.#place(index, a1, a2, a3, slot);
  }

  #place(index: number, a1: number, a2: number, a3: number, slot: number): void {
    this.#k1[index] = a1;
    this.#k2[index] = a2;
    this.#k3[index] = a3;
    this.#slotAt[index] = slot;
    this.#indexOf[slot] = index;
  }

  #grow(): void {
    const capacity = this.#k1.length * 2;
    const grow64 = (old: Float64Array): Float64Array<ArrayBuffer> => {
      const next = new Float64Array(capacity);
      next.set(old);
      return next;
    };
    const grow32 = (old: Int32Array): Int32Array<ArrayBuffer> => {
      const next = new Int32Array(capacity);
      next.set(old);
      return next;
    };
    this.#k1 = grow64(this.#k1);
    this.#k2 = grow64(this.#k2);
    this.#k3 = grow64(this.#k3);
    this.#slotAt = grow32(this.#slotAt);
    this.#indexOf = grow32(this.#indexOf);
    this.#free = grow32(this.#free);
  }
}
