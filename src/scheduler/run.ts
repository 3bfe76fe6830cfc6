/**
 * One run of a scheduled task: at once the dispatcher's queue item, the deadline watch on the
 * timeline and the `ctx` the task function receives. One object per run, nothing else allocated
 * unless the body asks for `ctx.signal`.
 */
import type { Dispatchable } from './ready-queue.js';
import type { Timed } from './timer-queue.js';

/** What a task function receives. Times are on the scheduler's monotonic clock, in ms. */
export interface TaskContext {
  readonly name: string;
  /** When this run was due (its release time). */
  readonly scheduledAt: number;
  /** When it actually started. */
  readonly startedAt: number;
  /** Absolute deadline (scheduledAt + deadlineMs), or Infinity. */
  readonly deadline: number;
  /** Aborted when the task is cancelled, the scheduler terminates, or (opt-in) at the deadline. */
  readonly signal: AbortSignal;
  /** Sleep on the scheduler's clock; rejects with AbortError when `signal` aborts. */
  sleep(ms: number): Promise<void>;
}

export interface RunOwner {
  startRun(run: Run): void;
  onRunDeadline(run: Run, now: number): void;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export class Run implements Dispatchable, Timed, TaskContext {
  readonly name: string;
  readonly scheduledAt: number;
  startedAt = Number.NaN;
  readonly basePriority: number;
  effectivePriority: number;
  readyAt: number;
  deadlineAt: number;
  seq = 0;
  queueIndex = -1;
  level = 0;
  timerAt = 0;
  timerIndex = -1;
  /** A later release found this run still queued or running. */
  overran = false;
  /** Its deadline miss has been counted. */
  missCounted = false;
  /** Started by a safety override. */
  override = false;
  #controller: AbortController | undefined;
  readonly #owner: RunOwner;

  constructor(owner: RunOwner, name: string, scheduledAt: number, deadlineAt: number, priority: number) {
    this.#owner = owner;
    this.name = name;
    this.scheduledAt = scheduledAt;
    this.readyAt = scheduledAt;
    this.deadlineAt = deadlineAt;
    this.basePriority = priority;
    this.effectivePriority = priority;
  }

  get deadline(): number {
    return this.deadlineAt;
  }

  get signal(): AbortSignal {
    return (this.#controller ??= new AbortController()).signal;
  }

  get started(): boolean {
    return !Number.isNaN(this.startedAt);
  }

  abort(reason: unknown): void {
    (this.#controller ??= new AbortController()).abort(reason);
  }

  sleep(ms: number): Promise<void> {
    return this.#owner.sleep(ms, this.signal);
  }

  start(): void {
    this.#owner.startRun(this);
  }

  onTimer(now: number): void {
    this.#owner.onRunDeadline(this, now);
  }
}
