/**
 * One run of a scheduled task: at once the dispatcher's queue item, the deadline watch on the
 * timeline (both from `WorkItem`) and the `ctx` the task function receives. One object per run,
 * nothing else allocated unless the body asks for `ctx.signal`.
 */
import { WorkItem } from './work-item.js';

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

export class Run extends WorkItem implements TaskContext {
  readonly basePriority: number;
  effectivePriority: number;
  readonly name: string;
  readonly scheduledAt: number;
  readonly deadlineAt: number;
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
