/**
 * The `fair` policy: a multi-level feedback queue (seed 001's FAIR). Work enters at level 0; a run
 * that uses its whole quantum without yielding drops a level (the scheduler does the demotion when
 * the run yields or ends, see `demoteIfQuantumUsed`); every `boostIntervalMs` everything is lifted
 * back to level 0 so nothing starves. Lower levels are served first; within a level, priority then
 * first come.
 */
import type { Dispatchable, ReadyQueue } from '../ready-queue.js';
import { HeapReadyQueue } from './heap-queue.js';

export interface FairOptions {
  /** Time between yields after which a run drops a level (default 20 ms). */
  quantumMs?: number;
  /** Number of levels (default 3). */
  levels?: number;
  /** Period of the boost back to level 0 (default 1000 ms). */
  boostIntervalMs?: number;
}

export class FairReadyQueue implements ReadyQueue {
  readonly quantumMs: number;
  readonly levels: number;
  readonly #boostIntervalMs: number;
  readonly #heap = new HeapReadyQueue(
    (item) => item.level,
    (item) => item.effectivePriority,
  );
  readonly compare = this.#heap.compare;
  readonly #now: () => number;
  #lastBoostAt: number | undefined;

  constructor(now: () => number, options: FairOptions = {}) {
    this.#now = now;
    this.quantumMs = options.quantumMs ?? 20;
    this.levels = options.levels ?? 3;
    this.#boostIntervalMs = options.boostIntervalMs ?? 1000;
  }

  get size(): number {
    return this.#heap.size;
  }

  push(item: Dispatchable): void {
    this.#maybeBoost();
    if (item.level >= this.levels) item.level = this.levels - 1;
    this.#heap.push(item);
  }

  pop(): Dispatchable | undefined {
    this.#maybeBoost();
    return this.#heap.pop();
  }

  peek(): Dispatchable | undefined {
    this.#maybeBoost();
    return this.#heap.peek();
  }

  remove(item: Dispatchable): void {
    this.#heap.remove(item);
  }

  update(item: Dispatchable): void {
    this.#heap.update(item);
  }

  forEach(visit: (item: Dispatchable) => void): void {
    this.#heap.forEach(visit);
  }

  /** Demote `item` one level when it ran `ranMs` without yielding for at least a quantum. */
  demoteIfQuantumUsed(item: Dispatchable, ranMs: number): void {
    if (ranMs >= this.quantumMs && item.level < this.levels - 1) item.level++;
  }

  #maybeBoost(): void {
    const now = this.#now();
    if (this.#lastBoostAt === undefined) {
      this.#lastBoostAt = now;
      return;
    }
    if (now - this.#lastBoostAt < this.#boostIntervalMs) return;
    this.#lastBoostAt = now;
    const lifted: Dispatchable[] = [];
    this.#heap.forEach((item) => {
      if (item.level > 0) lifted.push(item);
    });
    for (const item of lifted) {
      item.level = 0;
      this.#heap.update(item);
    }
  }
}
