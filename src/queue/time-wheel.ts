/**
 * The timeline's queue: entries ordered by due time (ms), then by insertion, removable in O(1),
 * laid out so that taking the earliest entry touches a few hot cache lines even among 10,000.
 *
 * How: three tiers. `near`, a small `Heap`, holds entries due before `#base` (a whole
 * millisecond); a wheel of WHEEL_SIZE one-millisecond buckets holds the entries due in
 * [#base, #base + SPAN), each bucket an array in insertion order; `far`, another `Heap`, the rest.
 * When `near` runs empty, the next non-empty bucket (found through a bitmap) is passed: `#base`
 * moves beyond it, and its entries are taken from it in place when they are in time order (the
 * usual case: releases due at the same instant; the bucket is then "open", read from `#cursor`),
 * else they move into `near`. Entries of `far` move into the wheel as soon as its span reaches
 * them. So an entry usually costs an append to a bucket and a read from it.
 *
 * Why: periodic releases are due 1 ms to a few seconds ahead. In one heap of 10,000 of them every
 * pop sifted ~7 levels through 280 KB of key and index arrays: ~18 L1 misses per release
 * (cachegrind, `bench/scale-misses.ts`), where a bucket touches a few hot lines. Taking an open
 * bucket's entries in place rather than through `near` halved what remained at 10,000 tasks
 * (scale bench, settled: 0.525 -> 0.36 us per release; 100 tasks unchanged).
 *
 * Order is exactly one heap's on (at, insertion): `near` and the open bucket hold all entries due
 * before `#base`, the buckets and `far` none; the open bucket's entries were all inserted before
 * anything that went into `near` after it opened (so they go first on a tie); a bucket moving into
 * `near` takes fresh sequence numbers in insertion order; `far`'s entries move into a bucket in
 * their order while it is still empty (the span reaches a bucket only as `#base` passes the one
 * before it), so nothing added later can precede them. The span is one bucket short of the wheel,
 * so the open bucket is never added to.
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
/** Milliseconds ahead that go into buckets: one bucket short of the wheel, so the open one is never added to. */
const SPAN = WHEEL_SIZE - 1;
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
  /** Entries in buckets, the open one's excepted. */
  #inWheel = 0;
  /** A bucket passed whose entries were in time order: they are taken from it in place, from `#cursor`. */
  #open = -1;
  #cursor = 0;
  /** The first millisecond not yet passed (moved into `near` or opened). */
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
    const open = this.#open;
    return this.#near.size + (open < 0 ? 0 : this.#live[open]!) + this.#inWheel + this.#far.size;
  }

  /** Insert `item`, due at `at`; among equal times, later insertions come later. */
  push(item: T, at: number): void {
    const ms = Math.floor(at);
    if (ms < this.#base) {
      this.#near.push(item, at, ++this.#seq, 0);
    } else if (ms < this.#base + SPAN) {
      this.#append(ms & WHEEL_MASK, item);
    } else if (this.#inWheel === 0 && this.#far.size === 0 && this.#open < 0 && ms < Number.POSITIVE_INFINITY) {
      this.#base = ms; // nothing due in between: the wheel moves on at once
      this.#append(ms & WHEEL_MASK, item);
    } else {
      this.#far.push(item, at, ++this.#seq, 0);
    }
  }

  /** The earliest entry, or undefined when empty. */
  peek(): T | undefined {
    if (this.#near.size === 0 && this.#open < 0 && !this.#refill()) return this.#far.peek();
    return this.#openFirst() ? this.#buckets[this.#open]![this.#cursor] : this.#near.peek();
  }

  pop(): T | undefined {
    if (this.#near.size === 0 && this.#open < 0 && !this.#refill()) return this.#far.pop();
    if (!this.#openFirst()) return this.#near.pop();
    const open = this.#open;
    const items = this.#buckets[open]!;
    const item = items[this.#cursor]!;
    items[this.#cursor] = undefined;
    this.#openLost(open, items);
    this.#setIndex(item, -1);
    return item;
  }

  /** Whether the open bucket's next entry goes before `near`'s top (on a tie it does: it was inserted first). */
  #openFirst(): boolean {
    const open = this.#open;
    return open >= 0 && !this.#near.topBefore(this.#atOf(this.#buckets[open]![this.#cursor]!), Number.NEGATIVE_INFINITY, 0);
  }

  /** The open bucket lost an entry: close it when empty, else move the cursor to its next entry. */
  #openLost(open: number, items: (T | undefined)[]): void {
    if (--this.#live[open]! === 0) {
      this.#empty(open);
      this.#open = -1;
      return;
    }
    while (items[this.#cursor] === undefined) this.#cursor++;
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
    if (bucket === this.#open) {
      this.#openLost(bucket, items!);
    } else {
      this.#inWheel--;
      if (--this.#live[bucket]! === 0) this.#empty(bucket);
      else if (position === this.#fill[bucket]! - 1) this.#fill[bucket] = position;
    }
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
    if (this.#open >= 0) this.#inWheel += this.#live[this.#open]!; // emptied below with the others
    this.#open = -1;
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
    while (this.#near.size === 0 && this.#open < 0) {
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

  /**
   * Pass bucket `ms` (`near` is empty): when its entries are in time order it is opened, taken from
   * in place (the usual case at scale: releases due at the same instant); else they move into
   * `near`, in insertion order.
   */
  #drain(ms: number): void {
    const bucket = ms & WHEEL_MASK;
    const items = this.#buckets[bucket]!;
    const fill = this.#fill[bucket]!;
    this.#inWheel -= this.#live[bucket]!;
    this.#base = ms + 1;
    let first = -1;
    let last = Number.NEGATIVE_INFINITY;
    let inOrder = true;
    for (let i = 0; i < fill && inOrder; i++) {
      const item = items[i];
      if (item === undefined) continue;
      const at = this.#atOf(item);
      inOrder = at >= last;
      last = at;
      if (first < 0) first = i;
    }
    if (inOrder) {
      this.#open = bucket;
      this.#cursor = first;
      this.#occupied[bucket >>> 5]! &= ~(1 << (bucket & 31));
      this.#reachFar();
      return;
    }
    const near = this.#near;
    for (let i = 0; i < fill; i++) {
      const item = items[i];
      if (item === undefined) continue;
      items[i] = undefined;
      near.push(item, this.#atOf(item), ++this.#seq, 0);
    }
    this.#empty(bucket);
    this.#reachFar();
  }

  /** Entries of `far` now within the wheel's span move into their buckets, in order. */
  #reachFar(): void {
    const far = this.#far;
    const end = this.#base + SPAN;
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
