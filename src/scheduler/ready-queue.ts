/**
 * The ready queue: work that may start now, waiting for a free slot. One small interface, one
 * file per policy (`policies/`), so ordering rules never leak into the dispatcher.
 */

/** What the dispatcher moves: a released periodic run or a submitted job. */
export interface Dispatchable {
  /** Declared priority class, 0 (REALTIME) to 6 (IDLE). */
  readonly basePriority: number;
  /** Priority in force: the declared one, raised by inheritance or an override. */
  effectivePriority: number;
  /** When it became ready (release time); the aging reference. */
  readyAt: number;
  /** Absolute deadline on the scheduler's clock, or Infinity. */
  deadlineAt: number;
  /** Submission order: the final tie-breaker (FIFO). */
  seq: number;
  /** Where the ready queue keeps it (the queue's own encoding); negative when not queued (a running job keeps its place in the running list there). */
  queueIndex: number;
  /** Multi-level feedback queue level (the fair policy), 0 = top. */
  level: number;
  /**
   * Called by the dispatcher when a slot is granted; `now` is a clock reading the releasing run
   * took just before (it may use it instead of reading the clock again), or undefined.
   */
  start(now?: number): void;
}

export interface ReadyQueue {
  readonly size: number;
  /** The policy's order: negative when `a` should start before `b` (used for preemption requests too). */
  readonly compare: (a: Dispatchable, b: Dispatchable) => number;
  push(item: Dispatchable): void;
  /** The item to start next, or undefined when empty. */
  pop(): Dispatchable | undefined;
  peek(): Dispatchable | undefined;
  remove(item: Dispatchable): void;
  /** Restore order after `item`'s effective priority, deadline or level changed. */
  update(item: Dispatchable): void;
  forEach(visit: (item: Dispatchable) => void): void;
}

export const setQueueIndex = (item: Dispatchable, index: number): void => {
  item.queueIndex = index;
};
