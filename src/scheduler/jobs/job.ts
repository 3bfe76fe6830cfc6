/**
 * One submitted job: at once the caller's `TaskHandle`, the function's `JobContext`, the
 * dispatcher's queue item, a resource claimant and an entry on the timeline (its hard deadline
 * while waiting, its timeout while running, its retry backoff in between).
 *
 * Why this shape: a scheduler holds up to hundreds of thousands of queued jobs, and each one's
 * bytes are copied by the young-generation GC and touched cold when it is dispatched; the record
 * size was the main cost of a deep queue. So a job is one small object: what every job uses
 * (queue keys, state, function, outcome) as fields, the booleans, both priorities and the attempt
 * packed in one integer, its place in the running list sharing the ready queue's field (it is never
 * in both), and everything only some jobs use (arguments, constraints, a finite deadline, executor,
 * timers, dependencies, resource waits, yields, the fair policy's level, the abort signal, a
 * custom or read id, the result promise) in a `JobExtras` made on first need.
 */
import { AbortError } from '../../errors.js';
import type { Claim, Resource, ResourceClaimant } from '../resources/resource-manager.js';
import { WorkItem } from '../work-item.js';
import { LEAST_URGENT, TaskPriority } from '../priority.js';
import { isFinalState, TaskState, type Executor, type JobContext, type JobFunction, type JobSpec, type RetryPolicy } from './job-spec.js';

const NO_ARGS: readonly unknown[] = Object.freeze([]);

/** What a job needs from the engine that runs it. */
export interface JobHost {
  start(job: Job, now?: number): void;
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

/** The parts of a job only some jobs use, made on first need. */
class JobExtras {
  id: string | undefined = undefined;
  args: readonly unknown[] | undefined = undefined;
  executor: Executor | undefined = undefined;
  timeoutMs: number | undefined = undefined;
  retry: RetryPolicy | undefined = undefined;
  resources: readonly Resource[] | undefined = undefined;
  timer: JobTimer = 'none';
  /** The fair policy's level. */
  level = 0;
  controller: AbortController | undefined = undefined;
  /** A finite deadline (most jobs have none: no boxed Infinity per job). */
  deadlineAt = Number.POSITIVE_INFINITY;
  /** Its place on the timeline (`Timed`); a double from the start, so no field migrates. */
  timerAt = Number.NaN;
  timerIndex = -1;
  unmetDependencies = 0;
  dependents: Job[] | undefined = undefined;
  waitingFor: Claim | undefined = undefined;
  resume: (() => void) | undefined = undefined;
  abandonWait: ((reason: unknown) => void) | undefined = undefined;
  /** When the job last got its slot (the fair policy's quantum; set only under that policy). */
  resumedAt = Number.NaN;
  settle: { resolve: (value: unknown) => void; reject: (error: unknown) => void } | undefined = undefined;
  result: Promise<unknown> | undefined = undefined;
}

// the booleans of a job, one bit each of `flags`
const PREEMPTIBLE = 1;
const HARD_REALTIME = 2;
const HOLDS_SLOT = 4;
const RESOURCES_HELD = 8;
const TOOK_RESOURCES = 16;
const TIMED_OUT = 32;
const YIELD_REQUESTED = 64;

const withBit = (flags: number, bit: number, on: boolean): number => (on ? flags | bit : flags & ~bit);

// above the booleans, the declared and the effective priority (0 to 6, three bits each), then the attempt
const BASE_SHIFT = 7;
const EFFECTIVE_SHIFT = 10;
const PRIORITY_MASK = 7;
const ATTEMPT_SHIFT = 13;

export class Job extends WorkItem implements TaskHandle, JobContext, ResourceClaimant {
  readonly name: string;
  readonly fn: JobFunction;
  state: TaskState = TaskState.PENDING;
  /** The value once COMPLETED, the error once FAILED, CANCELLED or DEADLINE_MISSED. */
  outcome: unknown = undefined;
  /** The booleans, the priorities and the attempt, in one small integer. (No start time on the
   * job: it is a double, one more object per job for the GC; the run's completion callback holds it.) */
  #flags: number;
  readonly #idNumber: number;
  readonly #host: JobHost;
  #x: JobExtras | undefined = undefined;

  constructor(host: JobHost, idNumber: number, spec: JobSpec, now: number, deadlineAt: number, resources: readonly Resource[] | undefined) {
    super(now);
    this.#host = host;
    this.#idNumber = idNumber;
    this.name = spec.name;
    this.fn = spec.fn;
    const c = spec.constraints;
    const priority = spec.priority ?? TaskPriority.NORMAL; // validated: an integer 0 to 6
    this.#flags =
      (c?.preemptible ?? true ? PREEMPTIBLE : 0) | (c?.hardRealtime === true ? HARD_REALTIME : 0) | (priority << BASE_SHIFT) | (priority << EFFECTIVE_SHIFT);
    if (spec.args !== undefined && spec.args.length > 0) Job.#extrasOf(this).args = spec.args;
    if (spec.id !== undefined || spec.executor !== undefined || c?.timeoutMs !== undefined || c?.retry !== undefined || resources !== undefined || deadlineAt !== Number.POSITIVE_INFINITY) {
      const x = Job.#extrasOf(this);
      x.deadlineAt = deadlineAt;
      x.id = spec.id;
      x.executor = spec.executor;
      x.timeoutMs = c?.timeoutMs;
      x.retry = c?.retry;
      x.resources = resources;
    }
  }

  // static, like `withBit` below: a private instance method would give every job a brand field
  static #extrasOf(job: Job): JobExtras {
    return (job.#x ??= new JobExtras());
  }

  get id(): string {
    const x = Job.#extrasOf(this);
    if (x.id === undefined) {
      x.id = `job-${this.#idNumber}`;
      this.#host.idAssigned(this);
    }
    return x.id;
  }

  /** Whether anyone has seen (and so could refer to) this job's id. */
  get idKnown(): boolean {
    return this.#x?.id !== undefined;
  }

  get basePriority(): number {
    return (this.#flags >>> BASE_SHIFT) & PRIORITY_MASK;
  }

  /** The declared priority, or a more urgent one inherited through a resource. */
  get effectivePriority(): number {
    return (this.#flags >>> EFFECTIVE_SHIFT) & PRIORITY_MASK;
  }

  set effectivePriority(priority: number) {
    if (priority >>> 0 !== priority || priority > LEAST_URGENT) throw new RangeError(`job priority must be an integer 0 to 6 (got ${priority})`);
    this.#flags = (this.#flags & ~(PRIORITY_MASK << EFFECTIVE_SHIFT)) | (priority << EFFECTIVE_SHIFT);
  }

  /** 0 before the first start, 1 during the first attempt, 2 during the first retry, ... */
  get attempt(): number {
    return this.#flags >>> ATTEMPT_SHIFT;
  }

  set attempt(attempt: number) {
    this.#flags = (this.#flags & ((1 << ATTEMPT_SHIFT) - 1)) | (attempt << ATTEMPT_SHIFT);
  }

  get final(): boolean {
    return isFinalState(this.state);
  }

  // ---- rarely used parts ----

  get args(): readonly unknown[] {
    return this.#x?.args ?? NO_ARGS;
  }

  get executor(): Executor | undefined {
    return this.#x?.executor;
  }

  get timeoutMs(): number | undefined {
    return this.#x?.timeoutMs;
  }

  get retry(): RetryPolicy | undefined {
    return this.#x?.retry;
  }

  /** Resources declared in the constraints, acquired all-or-nothing before the first start. */
  get resources(): readonly Resource[] | undefined {
    return this.#x?.resources;
  }

  get timer(): JobTimer {
    return this.#x?.timer ?? 'none';
  }

  set timer(kind: JobTimer) {
    if (kind !== 'none' || this.#x !== undefined) Job.#extrasOf(this).timer = kind;
  }

  get deadlineAt(): number {
    return this.#x?.deadlineAt ?? Number.POSITIVE_INFINITY;
  }

  get level(): number {
    return this.#x?.level ?? 0;
  }

  set level(level: number) {
    if (level !== 0 || this.#x !== undefined) Job.#extrasOf(this).level = level;
  }

  protected get controller(): AbortController | undefined {
    return this.#x?.controller;
  }

  protected set controller(controller: AbortController | undefined) {
    if (controller !== undefined || this.#x !== undefined) Job.#extrasOf(this).controller = controller;
  }

  get timerAt(): number {
    return this.#x?.timerAt ?? Number.NaN;
  }

  set timerAt(at: number) {
    Job.#extrasOf(this).timerAt = at;
  }

  get timerIndex(): number {
    return this.#x?.timerIndex ?? -1;
  }

  set timerIndex(index: number) {
    if (index !== -1 || this.#x !== undefined) Job.#extrasOf(this).timerIndex = index;
  }

  /** Dependencies not yet completed. */
  get unmetDependencies(): number {
    return this.#x?.unmetDependencies ?? 0;
  }

  set unmetDependencies(count: number) {
    Job.#extrasOf(this).unmetDependencies = count;
  }

  /** Jobs waiting on this one. */
  get dependents(): Job[] | undefined {
    return this.#x?.dependents;
  }

  set dependents(jobs: Job[] | undefined) {
    Job.#extrasOf(this).dependents = jobs;
  }

  get waitingFor(): Claim | undefined {
    return this.#x?.waitingFor;
  }

  set waitingFor(claim: Claim | undefined) {
    if (claim !== undefined || this.#x !== undefined) Job.#extrasOf(this).waitingFor = claim;
  }

  /** Set while it waits for a slot to go on (after a yield, or an in-run acquire granted): resumes the function when dispatched. */
  get resume(): (() => void) | undefined {
    return this.#x?.resume;
  }

  set resume(resume: (() => void) | undefined) {
    if (resume !== undefined || this.#x !== undefined) Job.#extrasOf(this).resume = resume;
  }

  /** Set while its function waits in `ctx.acquire`: rejects that wait (cancel, timeout). */
  get abandonWait(): ((reason: unknown) => void) | undefined {
    return this.#x?.abandonWait;
  }

  set abandonWait(abandon: ((reason: unknown) => void) | undefined) {
    if (abandon !== undefined || this.#x !== undefined) Job.#extrasOf(this).abandonWait = abandon;
  }

  /** When the job last got its slot (start, or resume after a yield): the fair policy's quantum. */
  get resumedAt(): number {
    return this.#x?.resumedAt ?? Number.NaN;
  }

  set resumedAt(at: number) {
    Job.#extrasOf(this).resumedAt = at;
  }

  // ---- flags ----

  get preemptible(): boolean {
    return (this.#flags & PREEMPTIBLE) !== 0;
  }

  get hardRealtime(): boolean {
    return (this.#flags & HARD_REALTIME) !== 0;
  }

  /** Holds a dispatcher slot (running, not yielded). */
  get holdsSlot(): boolean {
    return (this.#flags & HOLDS_SLOT) !== 0;
  }

  set holdsSlot(on: boolean) {
    this.#flags = withBit(this.#flags, HOLDS_SLOT, on);
  }

  /** The declared resources are held (granted before start). */
  get resourcesHeld(): boolean {
    return (this.#flags & RESOURCES_HELD) !== 0;
  }

  set resourcesHeld(on: boolean) {
    this.#flags = withBit(this.#flags, RESOURCES_HELD, on);
  }

  /** It took resources at some point (declared or through `ctx.acquire`): release on finish. */
  get tookResources(): boolean {
    return (this.#flags & TOOK_RESOURCES) !== 0;
  }

  set tookResources(on: boolean) {
    this.#flags = withBit(this.#flags, TOOK_RESOURCES, on);
  }

  /** The current attempt passed its timeoutMs. */
  get timedOut(): boolean {
    return (this.#flags & TIMED_OUT) !== 0;
  }

  set timedOut(on: boolean) {
    this.#flags = withBit(this.#flags, TIMED_OUT, on);
  }

  get yieldRequested(): boolean {
    return (this.#flags & YIELD_REQUESTED) !== 0;
  }

  set yieldRequested(on: boolean) {
    this.#flags = withBit(this.#flags, YIELD_REQUESTED, on);
  }

  // ---- the handle and the context ----

  get result(): Promise<unknown> {
    const x = Job.#extrasOf(this);
    if (x.result !== undefined) return x.result;
    if (this.state === TaskState.COMPLETED) x.result = Promise.resolve(this.outcome);
    else if (this.final) x.result = Promise.reject(this.outcome);
    else {
      x.result = new Promise((resolve, reject) => {
        x.settle = { resolve, reject };
      });
    }
    return x.result;
  }

  /** @internal Deliver the final outcome to whoever holds `result`. */
  settle(): void {
    const x = this.#x;
    if (x?.settle === undefined) return;
    const settle = x.settle;
    x.settle = undefined;
    if (this.state === TaskState.COMPLETED) settle.resolve(this.outcome);
    else settle.reject(this.outcome);
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

  start(now?: number): void {
    this.#host.start(this, now);
  }

  onTimer(now: number): void {
    this.#host.onTimer(this, now);
  }

  priorityChanged(): void {
    this.#host.priorityChanged(this);
  }
}
