/**
 * The engine's priority queue: a 4-ary min-heap ordered by three numeric keys, in the manner of
 * Node's `lib/internal/priority_queue.js` but laid out for a scheduler with 100,000 entries.
 *
 * Why this layout: sifting is a walk down or up the tree, and every step that reads an item
 * (`item.key`) or writes it (`item.position = i`) is a cache miss once the items are many and
 * cold (measured: a comparator heap with a position hook spent ~40 % of a 200,000-job drain
 * sifting). Here nothing on the walk touches an item: each heap index has a 32-byte record in one
 * Float64Array (the three keys and the entry's SLOT), so a node's four children are 128
 * contiguous bytes (two cache lines) and a step reads and moves one record, where separate key
 * and slot arrays cost a line each per step (measured on the scale bench's timeline, pop + push:
 * 0.31 -> 0.20 us at 10,000 entries, 0.135 -> 0.09 us at 100). Each entry keeps its stable slot,
 * whose heap index sits in an Int32Array: an item is told its slot once when pushed (`setSlot`)
 * and -1 when it leaves; `remove(slot)` and `rekey(slot, ...)` find it in O(1) and restore order
 * in O(log n).
 *
 * Order: `primary`, then `secondary`, then `tertiary` (use an insertion sequence for FIFO among
 * equals); Infinity equals Infinity. Four children per node halve the depth for a few more
 * contiguous comparisons. Arrays double when full and never shrink, so steady state allocates
 * nothing.
 */
import { keysBefore } from './keys.js';

export type SetSlot<T> = (item: T, slot: number) => void;

const noSlot = (): void => {};

/** A heap index's record in `#records`: the three keys, then the slot. */
const RECORD = 4;
const SLOT = 3;

export class Heap<T> {
  readonly #setSlot: SetSlot<T>;
  /** By slot: the item and its heap index. */
  #items: (T | undefined)[] = [];
  #indexOf = new Int32Array(64);
  /** By heap index: a record of RECORD numbers (keys, slot). */
  #records = new Float64Array(64 * RECORD);
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
    return this.#size === 0 ? undefined : this.#items[this.#records[SLOT]!];
  }

  /** Whether the top entry orders before an entry with these keys (false when empty). */
  topBefore(primary: number, secondary: number, tertiary: number): boolean {
    const records = this.#records;
    return this.#size > 0 && keysBefore(records[0]!, records[1]!, records[2]!, primary, secondary, tertiary);
  }

  /** Insert `item`; it is told its slot. */
  push(item: T, primary: number, secondary: number, tertiary: number): void {
    if (this.#size === this.#indexOf.length) this.#grow();
    const slot = this.#freeCount > 0 ? this.#free[--this.#freeCount]! : this.#slots++;
    this.#items[slot] = item;
    this.#setSlot(item, slot);
    this.#siftUp(this.#size++, primary, secondary, tertiary, slot);
  }

  pop(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#records[SLOT]!];
    this.#removeIndex(0);
    return item;
  }

  /** Remove the entry in `slot` (as told by `setSlot`). */
  remove(slot: number): void {
    this.#removeIndex(this.#indexOfSlot(slot, 'remove'));
  }

  /** Change the keys of the entry in `slot` and restore order. */
  rekey(slot: number, primary: number, secondary: number, tertiary: number): void {
    this.#restore(this.#indexOfSlot(slot, 'rekey'), primary, secondary, tertiary, slot);
  }

  forEach(visit: (item: T) => void): void {
    for (let i = 0; i < this.#size; i++) visit(this.#items[this.#records[i * RECORD + SLOT]!] as T);
  }

  clear(): void {
    while (this.#size > 0) this.#removeIndex(this.#size - 1);
  }

  #indexOfSlot(slot: number, what: string): number {
    const index = slot >= 0 && slot < this.#slots ? this.#indexOf[slot]! : -1;
    if (index < 0 || index >= this.#size || this.#records[index * RECORD + SLOT] !== slot) {
      throw new RangeError(`Heap.${what}: slot ${slot} holds no entry`);
    }
    return index;
  }

  #removeIndex(index: number): void {
    const records = this.#records;
    const slot = records[index * RECORD + SLOT]!;
    const item = this.#items[slot] as T;
    const last = --this.#size;
    if (index !== last) {
      const at = last * RECORD;
      this.#restore(index, records[at]!, records[at + 1]!, records[at + 2]!, records[at + SLOT]!);
    }
    this.#items[slot] = undefined;
    this.#indexOf[slot] = -1;
    this.#free[this.#freeCount++] = slot;
    this.#setSlot(item, -1);
  }

  /** Put the entry (keys, slot) at `index` or wherever order takes it from there. */
  #restore(index: number, a1: number, a2: number, a3: number, slot: number): void {
    const parent = ((index - 1) >>> 2) * RECORD;
    const records = this.#records;
    if (index > 0 && keysBefore(a1, a2, a3, records[parent]!, records[parent + 1]!, records[parent + 2]!)) this.#siftUp(index, a1, a2, a3, slot);
    else this.#siftDown(index, a1, a2, a3, slot);
  }

  /** Place the entry (keys, slot) at `index` or above it. */
  #siftUp(index: number, a1: number, a2: number, a3: number, slot: number): void {
    const records = this.#records;
    const indexOf = this.#indexOf;
    while (index > 0) {
      const parent = (index - 1) >>> 2;
      const p = parent * RECORD;
      const p1 = records[p]!;
      if (a1 > p1 || (a1 === p1 && (a2 > records[p + 1]! || (a2 === records[p + 1]! && a3 >= records[p + 2]!)))) break;
      // the parent moves down to `index`
      const at = index * RECORD;
      records[at] = p1;
      records[at + 1] = records[p + 1]!;
      records[at + 2] = records[p + 2]!;
      const moved = records[p + SLOT]!;
      records[at + SLOT] = moved;
      indexOf[moved] = index;
      index = parent;
    }
    this.#place(index, a1, a2, a3, slot);
  }

  /** Place the entry (keys, slot) at `index` or below it. */
  #siftDown(index: number, a1: number, a2: number, a3: number, slot: number): void {
    const records = this.#records;
    const indexOf = this.#indexOf;
    const size = this.#size;
    for (;;) {
      const first = 4 * index + 1;
      if (first >= size) break;
      // the least child, its keys kept at hand rather than read again for each sibling
      let child = first;
      let c = first * RECORD;
      let c1 = records[c]!;
      let c2 = records[c + 1]!;
      let c3 = records[c + 2]!;
      const end = first + 4 < size ? first + 4 : size;
      for (let sibling = first + 1; sibling < end; sibling++) {
        const s = sibling * RECORD;
        const s1 = records[s]!;
        if (s1 < c1 || (s1 === c1 && (records[s + 1]! < c2 || (records[s + 1]! === c2 && records[s + 2]! < c3)))) {
          child = sibling;
          c = s;
          c1 = s1;
          c2 = records[s + 1]!;
          c3 = records[s + 2]!;
        }
      }
      if (a1 < c1 || (a1 === c1 && (a2 < c2 || (a2 === c2 && a3 <= c3)))) break;
      // the child moves up to `index`
      const at = index * RECORD;
      records[at] = c1;
      records[at + 1] = c2;
      records[at + 2] = c3;
      const moved = records[c + SLOT]!;
      records[at + SLOT] = moved;
      indexOf[moved] = index;
      index = child;
    }
    this.#place(index, a1, a2, a3, slot);
  }

  #place(index: number, a1: number, a2: number, a3: number, slot: number): void {
    const records = this.#records;
    const at = index * RECORD;
    records[at] = a1;
    records[at + 1] = a2;
    records[at + 2] = a3;
    records[at + SLOT] = slot;
    this.#indexOf[slot] = index;
  }

  #grow(): void {
    const capacity = this.#indexOf.length * 2;
    const records = new Float64Array(capacity * RECORD);
    records.set(this.#records);
    this.#records = records;
    const grow32 = (old: Int32Array): Int32Array<ArrayBuffer> => {
      const next = new Int32Array(capacity);
      next.set(old);
      return next;
    };
    this.#indexOf = grow32(this.#indexOf);
    this.#free = grow32(this.#free);
  }
}
