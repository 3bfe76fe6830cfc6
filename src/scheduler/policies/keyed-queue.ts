/**
 * A ready queue for policies whose keys arrive in order within a lane: one `OrderedRing` per lane,
 * merged by their heads, and a keyed heap for what does not fit.
 *
 * Why: under the `priority` policy an item's key is `readyAt + class * agingStepMs`, and within
 * one class items are queued in `readyAt` order (the clock only moves forward), so each class's
 * keys come sorted: a FIFO ring per class holds them in order at O(1) per push and pop, and the
 * next item is the least of seven ring heads. Against one heap of 200,000 items this saves the
 * sifts and, above all, the cache misses of touching items out of allocation order (within a
 * class they leave in the order they came). What breaks a lane's order goes to the heap instead:
 * a periodic run released earlier than the lane's tail, an item re-keyed by priority inheritance
 * (`update`), a priority between classes. `pop` takes the heap's top when it orders before the
 * least ring head. Order is exactly `HeapReadyQueue`'s: primary, secondary, then `seq`.
 *
 * Where an item sits is kept in its `queueIndex`: `position * 8 + lane` in a ring, `slot * 8 + 7`
 * in the heap, so `remove` and `update` find it in O(1). The least ring head is remembered until
 * a head changes; a new head's keys are read from it once and copied into one small array, so
 * finding the least head reads no item.
 */
import { Heap } from '../../queue/heap.js';
import { keysBefore } from '../../queue/keys.js';
import { OrderedRing } from '../../queue/ordered-ring.js';
import type { Dispatchable, ReadyQueue } from '../ready-queue.js';
import { compareBy, type KeyOf } from './heap-queue.js';

/** The lane an item may join (0 to lanes - 1), or -1 for the heap. */
export type LaneOf = (item: Dispatchable) => number;

const IN_HEAP = 7;
const MAX_LANES = 7;
/** `#best` when it must be found again. */
const UNKNOWN = -2;
/** `#best` when every ring is empty. */
const NONE = -1;

const setHeapSlot = (item: Dispatchable, slot: number): void => {
  item.queueIndex = slot < 0 ? -1 : slot * 8 + IN_HEAP;
};

export class KeyedReadyQueue implements ReadyQueue {
  readonly compare: (a: Dispatchable, b: Dispatchable) => number;
  readonly #primary: KeyOf;
  readonly #secondary: KeyOf;
  readonly #laneOf: LaneOf;
  readonly #rings: OrderedRing<Dispatchable>[] = [];
  readonly #heap = new Heap<Dispatchable>(setHeapSlot);
  /** The ring heads' keys, three per lane. */
  readonly #heads: Float64Array;
  /** The lane with the least head, NONE or UNKNOWN. */
  #best = NONE;
  #size = 0;

  constructor(primary: KeyOf, secondary: KeyOf, lanes: number, laneOf: LaneOf) {
    if (!Number.isInteger(lanes) || lanes < 1 || lanes > MAX_LANES) throw new RangeError(`KeyedReadyQueue: lanes must be 1 to ${MAX_LANES} (got ${lanes})`);
    this.#primary = primary;
    this.#secondary = secondary;
    this.#laneOf = laneOf;
    this.compare = compareBy(primary, secondary);
    this.#heads = new Float64Array(lanes * 3);
    for (let lane = 0; lane < lanes; lane++) {
      this.#rings.push(
        new OrderedRing<Dispatchable>((item, position) => {
          item.queueIndex = position * 8 + lane;
        }),
      );
    }
  }

  get size(): number {
    return this.#size;
  }

  push(item: Dispatchable): void {
    const k1 = this.#primary(item);
    const k2 = this.#secondary(item);
    const k3 = item.seq;
    this.#size++;
    const lane = this.#laneOf(item);
    const ring = lane >= 0 ? this.#rings[lane] : undefined;
    if (ring === undefined || !ring.canAppend(k1, k2, k3)) {
      this.#heap.push(item, k1, k2, k3);
      return;
    }
    item.queueIndex = ring.push(item, k1, k2, k3) * 8 + lane;
    if (ring.size !== 1) return; // not the head
    const heads = this.#heads;
    heads[lane * 3] = k1;
    heads[lane * 3 + 1] = k2;
    heads[lane * 3 + 2] = k3;
    const best = this.#best;
    if (best === NONE || (best >= 0 && this.#headBefore(lane, best))) this.#best = lane;
  }

  pop(): Dispatchable | undefined {
    const lane = this.#next();
    if (lane < 0) {
      const item = this.#heap.pop();
      if (item !== undefined) this.#size--;
      return item;
    }
    const item = this.#rings[lane]!.shift()!;
    item.queueIndex = -1;
    this.#size--;
    this.#headChanged(lane);
    return item;
  }

  peek(): Dispatchable | undefined {
    const lane = this.#next();
    return lane < 0 ? this.#heap.peek() : this.#rings[lane]!.peek();
  }

  remove(item: Dispatchable): void {
    const at = item.queueIndex;
    if (at < 0) return;
    const lane = at & 7;
    const position = at >>> 3;
    this.#size--;
    if (lane === IN_HEAP) {
      this.#heap.remove(position);
      return;
    }
    item.queueIndex = -1;
    if (this.#rings[lane]!.remove(position)) this.#headChanged(lane);
  }

  update(item: Dispatchable): void {
    const at = item.queueIndex;
    if (at < 0) return;
    const k1 = this.#primary(item);
    const k2 = this.#secondary(item);
    if ((at & 7) === IN_HEAP) {
      this.#heap.rekey(at >>> 3, k1, k2, item.seq);
      return;
    }
    // its new keys may break its lane's order: the heap takes it
    this.remove(item);
    this.#heap.push(item, k1, k2, item.seq);
    this.#size++;
  }

  forEach(visit: (item: Dispatchable) => void): void {
    for (const ring of this.#rings) ring.forEach(visit);
    this.#heap.forEach(visit);
  }

  /** The lane whose head goes next, or -1 when the heap's top does (or everything is empty). */
  #next(): number {
    let lane = this.#best;
    if (lane === UNKNOWN) lane = this.#best = this.#findBest();
    if (lane === NONE) return -1;
    const heads = this.#heads;
    return this.#heap.topBefore(heads[lane * 3]!, heads[lane * 3 + 1]!, heads[lane * 3 + 2]!) ? -1 : lane;
  }

  #findBest(): number {
    const rings = this.#rings;
    let best = NONE;
    for (let lane = 0; lane < rings.length; lane++) {
      if (rings[lane]!.size > 0 && (best === NONE || this.#headBefore(lane, best))) best = lane;
    }
    return best;
  }

  #headChanged(lane: number): void {
    const head = this.#rings[lane]!.peek();
    if (head !== undefined) {
      const heads = this.#heads;
      heads[lane * 3] = this.#primary(head);
      heads[lane * 3 + 1] = this.#secondary(head);
      heads[lane * 3 + 2] = head.seq;
    }
    this.#best = UNKNOWN;
  }

  /** Whether lane `a`'s head orders before lane `b`'s. */
  #headBefore(a: number, b: number): boolean {
    const heads = this.#heads;
    return keysBefore(heads[a * 3]!, heads[a * 3 + 1]!, heads[a * 3 + 2]!, heads[b * 3]!, heads[b * 3 + 1]!, heads[b * 3 + 2]!);
  }
}
