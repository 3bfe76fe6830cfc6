/**
 * Seed 000's RealtimeTaskHandle: what the owner of a scheduled task keeps to observe and steer it.
 */
import { InvalidConfigError } from '../errors.js';
import type { LoopTask, TaskKind, LoopState } from './loop-task.js';
import type { TaskStats } from './task-stats.js';
import { PeriodicTask } from './tasks/periodic-task.js';

export class RealtimeTaskHandle {
  readonly #task: LoopTask;

  constructor(task: LoopTask) {
    this.#task = task;
  }

  get name(): string {
    return this.#task.name;
  }

  get kind(): TaskKind {
    return this.#task.kind;
  }

  get state(): LoopState {
    return this.#task.state;
  }

  /** Monotonic time of the next release, or undefined when none is armed. */
  get nextRunAt(): number | undefined {
    return this.#task.nextRunAt;
  }

  /** Deadline of the oldest run in flight, else of the next release; undefined without a deadline. */
  get nextDeadline(): number | undefined {
    return this.#task.nextDeadline;
  }

  /** A snapshot of the task's counters and percentiles. */
  get stats(): TaskStats {
    return this.#task.snapshotStats();
  }

  /** No further releases; queued runs dropped, a running run's signal aborted; idempotent. */
  cancel(): void {
    this.#task.cancel();
  }

  pause(): void {
    this.#task.pause();
  }

  /** Resume releases; a periodic task keeps its phase (next slot on its grid, no catch-up). */
  resume(): void {
    this.#task.resume();
  }

  /** Periodic tasks only: the next release comes `periodMs` after the last one. */
  setPeriod(periodMs: number): void {
    if (!(this.#task instanceof PeriodicTask)) {
      throw new InvalidConfigError(`setPeriod(${JSON.stringify(this.name)}): only periodic tasks have a period (this one is ${this.kind})`);
    }
    this.#task.setPeriod(periodMs);
  }
}
