/**
 * A FIFO ring of entries that arrive already in key order: push at the tail only when the entry
 * does not order before the tail (`canAppend`), take from the head. It is one lane of a merged
 * priority queue (`policies/keyed-queue.ts`): where a heap pays O(log n) sifts and touches entries
 * out of allocation order, a lane pays O(1) and hands entries back in the order they came.
 *
 * Layout: the items in one array of power-of-two capacity. Only the tail's keys are kept (primary,
 * secondary, tertiary, compared in that order, as `Heap` does): they decide `canAppend`; whoever
 * needs the head's keys reads them from the head item, so an entry costs one array slot, not 32
 * bytes (a deep queue's memory is what it pays for on a machine where fresh pages are dear).
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
    this.#tail1 = primary;
    this.#tail2 = secondary;
    this.#tail3 = tertiary;
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
    let to = 0;
    for (let i = 0; i < this.#span; i++) {
      const from = (this.#head + i) & this.#mask;
      const item = this.#items[from];
      if (item === undefined) continue;
      items[to] = item;
      if (from !== to) this.#moved(item, to);
      to++;
    }
    this.#items = items;
    this.#mask = next - 1;
    this.#head = 0;
    this.#span = to;
  }
}
