/**
 * A FIFO ring of entries that arrive already in key order: push at the tail only when the entry
 * does not order before the tail (`canAppend`), take from the head. It is one lane of a merged
 * priority queue (`policies/keyed-queue.ts`): where a heap pays O(log n) sifts and touches entries
 * out of allocation order, a lane pays O(1) and hands entries back in the order they came.
 *
 * Layout: keys by position in one Float64Array (three per entry: primary, secondary, tertiary,
 * compared in that order, as `Heap` does), items in a parallel array, a power-of-two capacity.
 * `push` returns the entry's position, which stays put until `moved` reports a new one (only when
 * the ring grows or compacts). `remove(position)` leaves a hole that the head skips (lazy
 * deletion: O(1), no shifting); holes are squeezed out when the ring is full. Arrays never shrink,
 * so steady state allocates nothing.
 */
import { keysBefore } from './keys.js';

export type Moved<T> = (item: T, position: number) => void;

export class OrderedRing<T> {
  readonly #moved: Moved<T>;
  #items: (T | undefined)[] = new Array<T | undefined>(16).fill(undefined);
  #keys = new Float64Array(48);
  #mask = 15;
  #head = 0;
  /** Positions in use from the head, holes included. */
  #span = 0;
  /** Entries, holes excluded. */
  #size = 0;
  #tail1 = Number.NEGATIVE_INFINITY;
  #tail2 = Number.NEGATIVE_INFINITY;
  #tail3 = Number.NEGATIVE_INFINITY;

  constructor(moved: Moved<T>) {
    this.#moved = moved;
  }

  get size(): number {
    return this.#size;
  }

  /** The head entry's keys (meaningful only when not empty). */
  get head1(): number {
    return this.#keys[this.#head * 3]!;
  }

  get head2(): number {
    return this.#keys[this.#head * 3 + 1]!;
  }

  get head3(): number {
    return this.#keys[this.#head * 3 + 2]!;
  }

  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[this.#head];
  }

  /** Whether an entry with these keys keeps the ring in order (it orders no earlier than the tail). */
  canAppend(primary: number, secondary: number, tertiary: number): boolean {
    return !keysBefore(primary, secondary, tertiary, this.#tail1, this.#tail2, this.#tail3);
  }


  /** Append (the caller checked `canAppend`); returns the entry's position. */
  push(item: T, primary: number, secondary: number, tertiary: number): number {
    if (this.#span > this.#mask) this.#repack();
    const position = (this.#head + this.#span++) & this.#mask;
    this.#items[position] = item;
    const keys = this.#keys;
    keys[position * 3] = this.#tail1 = primary;
    keys[position * 3 + 1] = this.#tail2 = secondary;
    keys[position * 3 + 2] = this.#tail3 = tertiary;
    this.#size++;
    return position;
  }

  /** Take the head entry. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#size--;
    this.#advance();
    return item;
  }

  /** Remove the entry at `position` (as returned by `push` or reported by `moved`); true when it was the head. */
  remove(position: number): boolean {
    if (this.#items[position] === undefined || ((position - this.#head) & this.#mask) >= this.#span) {
      throw new RangeError(`OrderedRing.remove: position ${position} holds no entry`);
    }
    this.#items[position] = undefined;
    this.#size--;
    if (position !== this.#head) return false;
    this.#advance();
    return true;
  }

  forEach(visit: (item: T) => void): void {
    for (let i = 0; i < this.#span; i++) {
      const item = this.#items[(this.#head + i) & this.#mask];
      if (item !== undefined) visit(item);
    }
  }

  /** Step the head past the taken entry and any holes after it; an empty ring accepts any key. */
  #advance(): void {
    const items = this.#items;
    const mask = this.#mask;
    let head = (this.#head + 1) & mask;
    let span = this.#span - 1;
    while (span > 0 && items[head] === undefined) {
      head = (head + 1) & mask;
      span--;
    }
    this.#head = head;
    this.#span = span;
    if (span === 0) {
      this.#head = 0;
      this.#tail1 = this.#tail2 = this.#tail3 = Number.NEGATIVE_INFINITY;
    }
  }

  /** Full: copy the entries (holes squeezed out) from position 0 of arrays twice as large when more than half full. */
  #repack(): void {
    const capacity = this.#mask + 1;
    const next = this.#size * 2 > capacity ? capacity * 2 : capacity;
    const items = new Array<T | undefined>(next).fill(undefined);
    const keys = new Float64Array(next * 3);
    const old = this.#keys;
    let to = 0;
    for (let i = 0; i < this.#span; i++) {
      const from = (this.#head + i) & this.#mask;
      const item = this.#items[from];
      if (item === undefined) continue;
      items[to] = item;
      keys[to * 3] = old[from * 3]!;
      keys[to * 3 + 1] = old[from * 3 + 1]!;
      keys[to * 3 + 2] = old[from * 3 + 2]!;
      if (from !== to) this.#moved(item, to);
      to++;
    }
    this.#items = items;
    this.#keys = keys;
    this.#mask = next - 1;
    this.#head = 0;
    this.#span = to;
  }
}
