/**
 * One run of a scheduled task: at once the dispatcher's queue item, the deadline watch on the
 * timeline (both from `WorkItem`) and the `ctx` the task function receives. Nothing else is
 * allocated unless the body asks for `ctx.signal`.
 *
 * A run whose body returned synchronously is held by nobody in the engine once accounted, so its
 * task hands the same object out again for its next release (`reuse`) instead of allocating one
 * per release: at 10,000 tasks the allocation and the write barrier of storing a young run into
 * the old task cost ~4 last-level cache misses per release (cachegrind, `bench/scale-misses.ts`).
 * A run that went asynchronous is never reused: its body may still read it.
 */
import { WorkItem } from './work-item.js';

/**
 * What a task function receives. Times are on the scheduler's monotonic clock, in ms. It describes
 * its run while that run lasts: a body that returns synchronously may be handed the same object,
 * describing the next run, at its task's next release.
 */
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

export class Run extends WorkItem implements TaskContext {
  readonly basePriority: number;
  effectivePriority: number;
  readonly name: string;
  scheduledAt: number;
  deadlineAt: number;
  startedAt = Number.NaN;
  level = 0;
  timerAt = 0;
  timerIndex = -1;
  /** A later release found this run still queued or running. */
  overran = false;
  /** Its deadline miss has been counted. */
  missCounted = false;
  /** Started by a safety override. */
  override = false;
  protected controller: AbortController | undefined = undefined;
  readonly #owner: RunOwner;

  constructor(owner: RunOwner, name: string, scheduledAt: number, deadlineAt: number, priority: number) {
    super(scheduledAt);
    this.basePriority = priority;
    this.effectivePriority = priority;
    this.deadlineAt = deadlineAt;
    this.#owner = owner;
    this.name = name;
    this.scheduledAt = scheduledAt;
  }

  /** @internal Make this finished run a fresh one due at `scheduledAt` (its task's next release). */
  reuse(scheduledAt: number, deadlineAt: number): void {
    this.scheduledAt = scheduledAt;
    this.readyAt = scheduledAt;
    this.deadlineAt = deadlineAt;
    this.effectivePriority = this.basePriority;
    this.startedAt = Number.NaN;
    this.level = 0;
    this.overran = false;
    this.missCounted = false;
    this.override = false;
    this.controller = undefined;
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
