/**
 * One submitted job: at once the caller's `TaskHandle`, the function's `JobContext`, the
 * dispatcher's queue item, a resource claimant and an entry on the timeline (its hard deadline
 * while waiting, its timeout while running, its retry backoff in between). One object per job;
 * the id string, the AbortController and the result promise are made only when asked for.
 */
import { AbortError } from '../../errors.js';
import type { Claim, Resource, ResourceClaimant } from '../resources/resource-manager.js';
import { WorkItem } from '../work-item.js';
import { TaskPriority } from '../priority.js';
import { isFinalState, TaskState, type Executor, type JobContext, type JobFunction, type JobSpec, type RetryPolicy } from './job-spec.js';

const NO_ARGS: readonly unknown[] = Object.freeze([]);

/** What a job needs from the engine that runs it. */
export interface JobHost {
  start(job: Job): void;
  onTimer(job: Job, now: number): void;
  cancel(job: Job, reason: string): boolean;
  yieldSlot(job: Job): Promise<void>;
  shouldYield(job: Job): boolean;
  acquire(job: Job, names: readonly string[]): Promise<() => void>;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  priorityChanged(job: Job): void;
  /** The id string was created: from now on it can be looked up. */
  idAssigned(job: Job): void;
}

/** The caller's view of a submitted job. */
export interface TaskHandle<R = unknown> {
  readonly id: string;
  readonly name: string;
  readonly state: TaskState;
  /** The function's value; rejects with the failure, TaskCancelledError or DeadlineMissedError. */
  readonly result: Promise<R>;
  /** Cancel unless already finished; true when this call cancelled it. Never retried. */
  cancel(reason?: string): boolean;
}

export type JobTimer = 'none' | 'deadline' | 'timeout' | 'retry';

export class Job extends WorkItem implements TaskHandle, JobContext, ResourceClaimant {
  readonly name: string;
  readonly fn: JobFunction;
  readonly args: readonly unknown[];
  readonly executor: Executor | undefined;
  timer: JobTimer = 'none';
  state: TaskState = TaskState.PENDING;
  attempt = 0;
  /** Start of the current attempt. */
  startedAt = 0;
  /** When the job last got its slot (start or resume after a yield): the fair policy's quantum. */
  resumedAt = 0;
  yieldRequested = false;
  readonly preemptible: boolean;
  readonly hardRealtime: boolean;
  readonly timeoutMs: number | undefined;
  readonly retry: RetryPolicy | undefined;
  /** Resources declared in the constraints, acquired all-or-nothing before the first start. */
  readonly resources: readonly Resource[] | undefined;
  /** Holds a dispatcher slot (running, not yielded). */
  holdsSlot = false;
  /** The declared resources are held (granted before start). */
  resourcesHeld = false;
  /** It took resources at some point (declared or through `ctx.acquire`): release on finish. */
  tookResources = false;
  /** The current attempt passed its timeoutMs. */
  timedOut = false;
  /** Dependencies not yet completed. */
  unmetDependencies = 0;
  /** Jobs waiting on this one. */
  dependents: Job[] | undefined;
  waitingFor: Claim | undefined;
  /** Set while yielded: resumes the function when dispatched again. */
  resume: (() => void) | undefined;
  /** Outcome once final. */
  value: unknown;
  error: unknown;
  #id: string | undefined;
  readonly #idNumber: number;
  #settle: { resolve: (value: unknown) => void; reject: (error: unknown) => void } | undefined;
  #result: Promise<unknown> | undefined;
  readonly #host: JobHost;

  constructor(host: JobHost, idNumber: number, spec: JobSpec, now: number, deadlineAt: number, resources: readonly Resource[] | undefined) {
    super(spec.priority ?? TaskPriority.NORMAL, now, deadlineAt);
    const c = spec.constraints;
    this.#host = host;
    this.#idNumber = idNumber;
    this.#id = spec.id;
    this.name = spec.name;
    this.fn = spec.fn;
    this.args = spec.args ?? NO_ARGS;
    this.executor = spec.executor;
    this.preemptible = c?.preemptible ?? true;
    this.hardRealtime = c?.hardRealtime ?? false;
    this.timeoutMs = c?.timeoutMs;
    this.retry = c?.retry;
    this.resources = resources;
  }

  get id(): string {
    if (this.#id === undefined) {
      this.#id = `job-${this.#idNumber}`;
      this.#host.idAssigned(this);
    }
    return this.#id;
  }

  /** Whether anyone has seen (and so could refer to) this job's id. */
  get idKnown(): boolean {
    return this.#id !== undefined;
  }

  get final(): boolean {
    return isFinalState(this.state);
  }

  get result(): Promise<unknown> {
    if (this.#result !== undefined) return this.#result;
    if (this.state === TaskState.COMPLETED) this.#result = Promise.resolve(this.value);
    else if (this.final) this.#result = Promise.reject(this.error);
    else {
      this.#result = new Promise((resolve, reject) => {
        this.#settle = { resolve, reject };
      });
    }
    return this.#result;
  }

  /** @internal Deliver the final outcome to whoever holds `result`. */
  settle(): void {
    const settle = this.#settle;
    if (settle === undefined) return;
    this.#settle = undefined;
    if (this.state === TaskState.COMPLETED) settle.resolve(this.value);
    else settle.reject(this.error);
  }

  cancel(reason = 'cancelled'): boolean {
    return this.#host.cancel(this, reason);
  }

  sleep(ms: number): Promise<void> {
    return this.#host.sleep(ms, this.signal);
  }

  shouldYield(): boolean {
    return this.#host.shouldYield(this);
  }

  yield(): Promise<void> {
    if (this.state !== TaskState.RUNNING) return Promise.reject(new AbortError(`job ${JSON.stringify(this.name)} is ${this.state}, not running`));
    return this.#host.yieldSlot(this);
  }

  acquire(...resources: string[]): Promise<() => void> {
    return this.#host.acquire(this, resources);
  }

  start(): void {
    this.#host.start(this);
  }

  onTimer(now: number): void {
    this.#host.onTimer(this, now);
  }

  priorityChanged(): void {
    this.#host.priorityChanged(this);
  }
}
