/**
 * The timeline's queue: entries ordered by due time (ms), then by insertion, removable in O(1),
 * laid out so that taking the earliest entry touches a few hot cache lines even among 10,000.
 *
 * How: three tiers. `near`, a small `Heap`, holds every entry due before `#base` (a whole
 * millisecond); a wheel of WHEEL_SIZE one-millisecond buckets holds the entries due in
 * [#base, #base + WHEEL_SIZE), each bucket an array in insertion order; `far`, another `Heap`, the
 * rest. When `near` runs empty, the next non-empty bucket (found through a bitmap) moves into it and
 * `#base` passes that bucket; entries of `far` move into the wheel as soon as its span reaches
 * them. So `near` holds about one millisecond's worth of entries, and each entry costs an append
 * to a bucket, then a push and a pop on that small heap.
 *
 * Why: periodic releases are due 1 ms to a few seconds ahead. In one heap of 10,000 of them every
 * pop sifted ~7 levels through 280 KB of key and index arrays: ~18 L1 misses per release
 * (cachegrind, `bench/scale-misses.ts`), where a bucket and a small heap touch a few hot lines.
 *
 * Order is exactly one heap's on (at, insertion): `near`'s entries are all due before any bucket's;
 * a bucket enters `near` in insertion order, taking fresh sequence numbers; `far`'s entries move
 * into a bucket in their order while that bucket is still empty (the span reaches a bucket only as
 * `#base` passes the one before it), so nothing added later can precede them.
 *
 * An entry is told where it is (`setIndex`): `slot * 4 + NEAR` or `slot * 4 + FAR` in a heap,
 * `(position * WHEEL_SIZE + bucket) * 4 + WHEEL` in the wheel, -1 once out. A removal from a bucket
 * leaves a hole (buckets keep their order); a full bucket with more holes than entries is
 * compacted before it grows. Arrays are kept and reused, so steady state allocates nothing.
 */
import { Heap } from './heap.js';

export type SetIndex<T> = (item: T, index: number) => void;

const WHEEL_BITS = 12;
/** Buckets of one millisecond: the wheel spans ~4 s. */
const WHEEL_SIZE = 1 << WHEEL_BITS;
const WHEEL_MASK = WHEEL_SIZE - 1;
const NEAR = 0;
const FAR = 1;
const WHEEL = 2;

export class TimeWheel<T> {
  readonly #setIndex: SetIndex<T>;
  readonly #atOf: (item: T) => number;
  readonly #near: Heap<T>;
  readonly #far: Heap<T>;
  readonly #buckets: (T | undefined)[][] = [];
  /** Per bucket: positions in use (holes included), and entries. */
  readonly #fill = new Int32Array(WHEEL_SIZE);
  readonly #live = new Int32Array(WHEEL_SIZE);
  /** One bit per non-empty bucket. */
  readonly #occupied = new Uint32Array(WHEEL_SIZE >>> 5);
  #inWheel = 0;
  /** The first millisecond not yet moved into `near`. */
  #base = 0;
  #seq = 0;

  /** `atOf(item)` must give the due time the item was pushed with, while it is here. */
  constructor(setIndex: SetIndex<T>, atOf: (item: T) => number) {
    this.#setIndex = setIndex;
    this.#atOf = atOf;
    this.#near = new Heap<T>((item, slot) => setIndex(item, slot < 0 ? -1 : slot * 4 + NEAR));
    this.#far = new Heap<T>((item, slot) => setIndex(item, slot < 0 ? -1 : slot * 4 + FAR));
    for (let bucket = 0; bucket < WHEEL_SIZE; bucket++) this.#buckets.push([]);
  }

  get size(): number {
    return this.#near.size + this.#inWheel + this.#far.size;
  }

  /** Insert `item`, due at `at`; among equal times, later insertions come later. */
  push(item: T, at: number): void {
    const ms = Math.floor(at);
    if (ms < this.#base) {
      this.#near.push(item, at, ++this.#seq, 0);
    } else if (ms < this.#base + WHEEL_SIZE) {
      this.#append(ms & WHEEL_MASK, item);
    } else if (this.#inWheel === 0 && this.#far.size === 0 && ms < Number.POSITIVE_INFINITY) {
      this.#base = ms; // nothing due in between: the wheel moves on at once
      this.#append(ms & WHEEL_MASK, item);
    } else {
      this.#far.push(item, at, ++this.#seq, 0);
    }
  }

  /** The earliest entry, or undefined when empty. */
  peek(): T | undefined {
    return this.#near.size > 0 || this.#refill() ? this.#near.peek() : this.#far.peek();
  }

  pop(): T | undefined {
    return this.#near.size > 0 || this.#refill() ? this.#near.pop() : this.#far.pop();
  }

  /** Remove the entry at `index` (as told by `setIndex`). */
  remove(index: number): void {
    const where = index % 4;
    const rest = (index - where) / 4;
    if (where === NEAR) return this.#near.remove(rest);
    if (where === FAR) return this.#far.remove(rest);
    const bucket = rest % WHEEL_SIZE;
    const position = (rest - bucket) / WHEEL_SIZE;
    const items = this.#buckets[bucket];
    const item = where === WHEEL && position < this.#fill[bucket]! ? items![position] : undefined;
    if (item === undefined) throw new RangeError(`TimeWheel.remove: index ${index} holds no entry`);
    items![position] = undefined;
    this.#inWheel--;
    if (--this.#live[bucket]! === 0) this.#empty(bucket);
    else if (position === this.#fill[bucket]! - 1) this.#fill[bucket] = position;
    this.#setIndex(item, -1);
  }

  /** Visit every entry (in no particular order). */
  forEach(visit: (item: T) => void): void {
    this.#near.forEach(visit);
    for (let bucket = 0; bucket < WHEEL_SIZE; bucket++) {
      const items = this.#buckets[bucket]!;
      for (let i = 0, fill = this.#fill[bucket]!; i < fill; i++) {
        const item = items[i];
        if (item !== undefined) visit(item);
      }
    }
    this.#far.forEach(visit);
  }

  clear(): void {
    this.#near.clear();
    this.#far.clear();
    for (let bucket = 0; bucket < WHEEL_SIZE && this.#inWheel > 0; bucket++) {
      const items = this.#buckets[bucket]!;
      for (let i = 0, fill = this.#fill[bucket]!; i < fill; i++) {
        const item = items[i];
        if (item === undefined) continue;
        items[i] = undefined;
        this.#inWheel--;
        this.#setIndex(item, -1);
      }
      this.#empty(bucket);
    }
  }

  #append(bucket: number, item: T): void {
    const items = this.#buckets[bucket]!;
    let position = this.#fill[bucket]!;
    if (position === items.length && this.#live[bucket]! * 2 < position) position = this.#compact(bucket);
    if (position < items.length) items[position] = item;
    else items.push(item);
    this.#fill[bucket] = position + 1;
    if (this.#live[bucket]!++ === 0) this.#occupied[bucket >>> 5]! |= 1 << (bucket & 31);
    this.#inWheel++;
    this.#setIndex(item, (position * WHEEL_SIZE + bucket) * 4 + WHEEL);
  }

  /** Squeeze the holes out of a bucket, keeping its order; returns its new fill. */
  #compact(bucket: number): number {
    const items = this.#buckets[bucket]!;
    let to = 0;
    for (let from = 0, fill = this.#fill[bucket]!; from < fill; from++) {
      const item = items[from];
      if (item === undefined) continue;
      items[from] = undefined;
      items[to] = item;
      this.#setIndex(item, (to * WHEEL_SIZE + bucket) * 4 + WHEEL);
      to++;
    }
    this.#fill[bucket] = to;
    return to;
  }

  #empty(bucket: number): void {
    this.#fill[bucket] = 0;
    this.#live[bucket] = 0;
    this.#occupied[bucket >>> 5]! &= ~(1 << (bucket & 31));
  }

  /**
   * `near` is empty: move the next non-empty bucket (or, with the wheel empty, `far`'s earliest)
   * into it. False when that cannot be done: nothing is left, or only entries never due (Infinity,
   * NaN), which stay in `far`, the earliest entries then.
   */
  #refill(): boolean {
    while (this.#near.size === 0) {
      if (this.#inWheel > 0) {
        this.#drain(this.#base + this.#distanceToOccupied(this.#base & WHEEL_MASK));
        continue;
      }
      const top = this.#far.peek();
      const ms = top === undefined ? Number.NaN : Math.floor(this.#atOf(top));
      if (!(ms < Number.POSITIVE_INFINITY)) return false;
      this.#base = ms;
      this.#reachFar();
    }
    return true;
  }

  /** Move bucket `ms` into `near`, in insertion order, and pass it. */
  #drain(ms: number): void {
    const bucket = ms & WHEEL_MASK;
    const items = this.#buckets[bucket]!;
    const near = this.#near;
    for (let i = 0, fill = this.#fill[bucket]!; i < fill; i++) {
      const item = items[i];
      if (item === undefined) continue;
      items[i] = undefined;
      near.push(item, this.#atOf(item), ++this.#seq, 0);
    }
    this.#inWheel -= this.#live[bucket]!;
    this.#empty(bucket);
    this.#base = ms + 1;
    this.#reachFar();
  }

  /** Entries of `far` now within the wheel's span move into their buckets, in order. */
  #reachFar(): void {
    const far = this.#far;
    const end = this.#base + WHEEL_SIZE;
    for (let top = far.peek(); top !== undefined; top = far.peek()) {
      const at = this.#atOf(top);
      if (Math.floor(at) >= end) return;
      far.pop();
      this.push(top, at);
    }
  }

  /** Buckets from `from` (wrapping) to the first non-empty one; the wheel must hold an entry. */
  #distanceToOccupied(from: number): number {
    const occupied = this.#occupied;
    const words = occupied.length;
    let word = from >>> 5;
    let bits = occupied[word]! & (~0 << (from & 31));
    for (let step = 0; bits === 0; step++) {
      word = (word + 1) % words;
      bits = occupied[word]!;
      if (step > words) throw new Error('TimeWheel: no occupied bucket');
    }
    const bucket = word * 32 + (31 - Math.clz32(bits & -bits));
    return (bucket - from) & WHEEL_MASK;
  }
}
