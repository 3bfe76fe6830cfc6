/**
 * The dispatcher: grants slots. Released runs and submitted jobs wait in the policy's ready queue;
 * while fewer than `maxConcurrency` are in flight, the head of the queue is started.
 *
 * `enqueue` never starts anything by itself: the caller decides when to `pump`, so a batch of
 * runs released at the same instant is started in policy order rather than in firing order.
 * Overrides (seed 000's `runImmediately`) skip the queue and the concurrency bound.
 */
import type { Dispatchable, ReadyQueue } from './ready-queue.js';

export class Dispatcher {
  readonly #queue: ReadyQueue;
  readonly #maxConcurrency: number;
  #running = 0;
  #seq = 0;
  #pumping = false;

  constructor(queue: ReadyQueue, maxConcurrency: number) {
    this.#queue = queue;
    this.#maxConcurrency = maxConcurrency;
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#queue.size;
  }

  get maxConcurrency(): number {
    return this.#maxConcurrency;
  }

  get queue(): ReadyQueue {
    return this.#queue;
  }

  /** Whether a slot is free right now. */
  get hasFreeSlot(): boolean {
    return this.#running < this.#maxConcurrency;
  }

  enqueue(item: Dispatchable): void {
    item.seq = ++this.#seq;
    this.#queue.push(item);
  }

  /** Take `item` out of the queue (cancelled while waiting). */
  withdraw(item: Dispatchable): void {
    this.#queue.remove(item);
  }

  /** Start `item` now, ahead of the queue and beyond the concurrency bound. */
  startNow(item: Dispatchable): void {
    if (item.queueIndex >= 0) this.#queue.remove(item);
    this.#running++;
    item.start();
  }

  /** A run in flight gave its slot back; `now`, if given, is the clock reading it ended at. */
  release(now?: number): void {
    this.#running--;
    this.pump(now);
  }

  /** Start queued work while slots are free; `now` (a fresh clock reading) goes to the first start only. */
  pump(now?: number): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#running < this.#maxConcurrency) {
        const item = this.#queue.pop();
        if (item === undefined) break;
        this.#running++;
        item.start(now);
        now = undefined; // that start ran code: the reading is stale now
      }
    } finally {
      this.#pumping = false;
    }
  }
}
