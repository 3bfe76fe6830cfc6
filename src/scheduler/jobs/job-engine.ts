/**
 * Submitted jobs on the engine (seed 001): the lifecycle PENDING -> READY -> RUNNING -> final,
 * with BLOCKED while declared resources are short, dependencies, retries, timeouts, hard and soft
 * deadlines, cooperative preemption and the summary counters.
 *
 * Jobs share the periodic runs' dispatcher and ready queue: a job is READY when its dependencies
 * have completed; the dispatcher grants it a slot in policy order; if its declared resources are
 * not all free it waits BLOCKED in the resources' queues (its holders inheriting its priority)
 * and returns to the ready queue when granted; a job that waits in `ctx.acquire` gives its slot
 * back the same way (a slot never waits on a resource, whose holder may be queued for that very
 * slot). Preemption is cooperative: when more urgent work is ready and no slot is free, the least
 * urgent preemptible running job is asked to yield (`ctx.shouldYield()`), and `await ctx.yield()`
 * hands its slot over until it is dispatched again.
 *
 * Costs a plain job nothing it does not use: no id string, signal or result promise unless asked,
 * no id bookkeeping unless the id was read, no timer unless it has a hard deadline, timeout or
 * retry.
 */
import {
  DeadlineMissedError,
  DependencyCycleError,
  DependencyFailedError,
  InvalidConfigError,
  SchedulerStoppedError,
  TaskCancelledError,
  isTaskNonFatal,
  TaskTimeoutError,
  UnknownDependencyError,
} from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../time/clock.js';
import type { Dispatcher } from '../dispatcher.js';
import type { SchedulerEventName, SchedulerEvents } from '../events.js';
import type { LatencyMonitor } from '../latency-monitor.js';
import { isPromiseLike } from '../loop-task.js';
import { FairReadyQueue } from '../policies/fair.js';
import type { ResourceManager } from '../resources/resource-manager.js';
import type { TimerQueue } from '../timer-queue.js';
import { Job, type JobHost, type TaskHandle } from './job.js';
import { RunningJobs } from './running-jobs.js';
import { parseJobSpec, TaskState, type JobSpec } from './job-spec.js';

export interface JobEngineOptions {
  clock: Clock;
  timers: TimerQueue;
  dispatcher: Dispatcher;
  resources: ResourceManager;
  latency: LatencyMonitor;
  logger: Logger;
  emit: <K extends SchedulerEventName>(event: K, ...args: SchedulerEvents[K]) => void;
  /** Whether anyone listens to `state-change` (transitions are not reported otherwise). */
  observed: () => boolean;
  /** Whether new submissions are accepted, and the state to name when not. */
  acceptingState: () => string | undefined;
  runSettled: () => void;
  /** Pump the dispatcher (and request preemption) on the next microtask. */
  schedulePump: () => void;
  /** Final outcomes of jobs whose id was seen, kept for late `dependsOn` lookups. */
  retainFinished: number;
}

export interface JobSummary {
  submitted: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Hard-realtime jobs that never ran plus soft ones that finished late. */
  deadlineMissed: number;
  successRatePercent: number;
  throughputPerSecond: number;
  queueSize: number;
  running: number;
  /** Jobs submitted and not finished yet: pending (dependencies, retry backoff), ready, blocked or running. */
  live: number;
}

/** A finished dependency known only by its outcome (the job itself is gone). */
interface FinishedDependency {
  id: string;
  state: TaskState;
}

type Dependency = Job | FinishedDependency;

const NO_BATCH: ReadonlyMap<string, JobSpec> = new Map();
const NO_DEPENDENCIES: readonly Dependency[] = Object.freeze([]);

export class JobEngine implements JobHost {
  readonly #o: JobEngineOptions;
  readonly #fair: FairReadyQueue | undefined;
  /** Live jobs whose id was seen. */
  readonly #byId = new Map<string, Job>();
  /** Final states of jobs whose id was seen, oldest first, bounded. */
  readonly #finished = new Map<string, TaskState>();
  /** Jobs holding a slot, and the one preemption would ask to yield. */
  readonly #running: RunningJobs;
  #idCounter = 0;
  #live = 0;
  #submitted = 0;
  #completed = 0;
  #failed = 0;
  #cancelled = 0;
  #deadlineMissed = 0;
  #startedAt: number | undefined;

  constructor(options: JobEngineOptions) {
    this.#o = options;
    const queue = options.dispatcher.queue;
    this.#fair = queue instanceof FairReadyQueue ? queue : undefined;
    this.#running = new RunningJobs(queue, this.#fair === undefined);
  }

  /** Jobs not yet final. */
  get live(): number {
    return this.#live;
  }

  markStarted(now: number): void {
    this.#startedAt ??= now;
  }

  // ---- submission ----

  submit<A extends unknown[], R>(spec: JobSpec<A, R>): TaskHandle<R> {
    const parsed = parseJobSpec(spec);
    this.#assertAccepting();
    const dependencies = this.#resolveDependencies(parsed, NO_BATCH);
    this.#assertFreshId(parsed.id, parsed.name);
    const resources = parsed.constraints?.resources === undefined ? undefined : this.#o.resources.resolve(parsed.constraints.resources);
    return this.#create(parsed, dependencies, resources) as TaskHandle<R>;
  }

  /** Submit several jobs at once, all or nothing; they may depend on each other by custom id. */
  submitBatch(specs: readonly JobSpec[]): TaskHandle[] {
    if (!Array.isArray(specs)) throw new InvalidConfigError(`submitBatch: specs must be an array (got ${typeof specs})`);
    const parsed = specs.map((spec, i) => parseJobSpec(spec, `submitBatch[${i}]`));
    this.#assertAccepting();
    const byId = new Map<string, JobSpec>();
    for (const spec of parsed) {
      if (spec.id === undefined) continue;
      if (byId.has(spec.id)) throw new InvalidConfigError(`submitBatch: job id ${JSON.stringify(spec.id)} appears twice`);
      this.#assertFreshId(spec.id, spec.name);
      byId.set(spec.id, spec);
    }
    for (const spec of parsed) {
      this.#resolveDependencies(spec, byId);
      if (spec.constraints?.resources !== undefined) this.#o.resources.resolve(spec.constraints.resources);
    }
    const order = topologicalOrder(parsed, byId);
    const handles = new Map<JobSpec, TaskHandle>();
    for (const spec of order) {
      const dependencies = this.#resolveDependencies(spec, NO_BATCH);
      const resources = spec.constraints?.resources === undefined ? undefined : this.#o.resources.resolve(spec.constraints.resources);
      handles.set(spec, this.#create(spec, dependencies, resources));
    }
    return parsed.map((spec) => handles.get(spec) as TaskHandle);
  }

  #assertAccepting(): void {
    const state = this.#o.acceptingState();
    if (state !== undefined) throw new SchedulerStoppedError(state);
  }

  #assertFreshId(id: string | undefined, name: string): void {
    if (id !== undefined && (this.#byId.has(id) || this.#finished.has(id) || /^job-\d+$/.test(id))) {
      throw new InvalidConfigError(`submit(${JSON.stringify(name)}): id ${JSON.stringify(id)} is already used or reserved`);
    }
  }

  /** Live jobs and known final states for each `dependsOn` id; batch members resolve later. */
  #resolveDependencies(spec: JobSpec, batch: ReadonlyMap<string, JobSpec>): readonly Dependency[] {
    const ids = spec.constraints?.dependsOn;
    if (ids === undefined || ids.length === 0) return NO_DEPENDENCIES;
    const resolved: Dependency[] = [];
    for (const id of ids) {
      if (id === spec.id) throw new DependencyCycleError([id, id]);
      const live = this.#byId.get(id);
      const finished = live === undefined ? this.#finished.get(id) : undefined;
      if (live !== undefined) resolved.push(live);
      else if (finished !== undefined) resolved.push({ id, state: finished });
      else if (!batch.has(id)) throw new UnknownDependencyError(spec.name, id);
    }
    return resolved;
  }

  #create(spec: JobSpec, dependencies: readonly Dependency[], resources: Job['resources']): Job {
    const now = this.#o.clock.now();
    const c = spec.constraints;
    let deadlineAt = c?.deadline ?? Number.POSITIVE_INFINITY;
    if (c?.maxLatencyMs !== undefined) deadlineAt = Math.min(deadlineAt, now + c.maxLatencyMs);
    const job = new Job(this, ++this.#idCounter, spec, now, deadlineAt, resources);
    this.#submitted++;
    this.#live++;
    if (spec.id !== undefined) this.#byId.set(spec.id, job);
    let failedDependency: FinishedDependency | undefined;
    for (let i = 0; i < dependencies.length; i++) {
      const dependency = dependencies[i]!;
      if (dependency.state === TaskState.COMPLETED) continue; // already met
      if (!(dependency instanceof Job) || dependency.final) {
        failedDependency ??= { id: dependency.id, state: dependency.state };
      } else {
        (dependency.dependents ??= []).push(job);
        job.unmetDependencies++;
      }
    }
    if (failedDependency !== undefined) {
      this.#end(job, TaskState.CANCELLED, new DependencyFailedError(failedDependency.id, failedDependency.state));
      return job;
    }
    if (job.hardRealtime && Number.isFinite(deadlineAt)) this.#arm(job, 'deadline', deadlineAt);
    if (job.unmetDependencies === 0) this.#makeReady(job, now);
    else this.#transition(job, TaskState.PENDING, TaskState.PENDING);
    return job;
  }

  // ---- dispatch ----

  #makeReady(job: Job, now: number): void {
    const from = job.state;
    job.state = TaskState.READY;
    job.readyAt = now;
    this.#o.dispatcher.enqueue(job);
    this.#transition(job, from, TaskState.READY);
    this.#o.schedulePump();
  }

  /** The dispatcher granted `job` a slot (`now`: a clock reading just taken, if the caller has one). */
  start(job: Job, now = this.#o.clock.now()): void {
    const dispatcher = this.#o.dispatcher;
    if (job.resume !== undefined) {
      this.#resume(job, now);
      return;
    }
    if (job.hardRealtime && now > job.deadlineAt) {
      this.#missDeadline(job);
      dispatcher.release();
      return;
    }
    if (job.resources !== undefined && !job.resourcesHeld) {
      if (!this.#o.resources.tryTake(job, job.resources)) {
        job.state = TaskState.BLOCKED;
        this.#o.resources.wait(job, job.resources, () => this.#unblock(job), false);
        this.#transition(job, TaskState.READY, TaskState.BLOCKED);
        dispatcher.release();
        return;
      }
      job.resourcesHeld = job.tookResources = true;
    }
    this.#run(job, now);
  }

  #unblock(job: Job): void {
    job.resourcesHeld = job.tookResources = true;
    this.#makeReady(job, this.#o.clock.now());
  }

  #run(job: Job, now: number): void {
    const from = job.state;
    if (job.attempt++ === 0) this.#o.latency.recordScheduling(job.basePriority, now - job.readyAt, now);
    job.state = TaskState.RUNNING;
    job.holdsSlot = true;
    job.timedOut = false;
    if (this.#fair !== undefined) job.resumedAt = now;
    if (job.timer === 'deadline') this.#disarm(job);
    if (job.timeoutMs !== undefined) this.#arm(job, 'timeout', now + job.timeoutMs);
    this.#running.add(job);
    this.#transition(job, from, TaskState.RUNNING);
    let result: unknown;
    try {
      const args = job.args;
      result =
        job.executor !== undefined
          ? job.executor.execute(job.fn, job, args)
          : args.length === 0
            ? job.fn(job)
            : job.fn(job, ...args);
    } catch (error) {
      this.#finish(job, false, error, now);
      return;
    }
    if (isPromiseLike(result)) {
      result.then(
        (value) => this.#finish(job, true, value, now),
        (error: unknown) => this.#finish(job, false, error, now),
      );
    } else {
      this.#finish(job, true, result, now);
    }
  }

  /** The attempt that started at `startedAt` ended. */
  #finish(job: Job, ok: boolean, outcome: unknown, startedAt: number): void {
    const now = this.#o.clock.now();
    this.#running.remove(job);
    if (job.timer === 'timeout') this.#disarm(job);
    this.#releaseResources(job);
    const holdsSlot = job.holdsSlot;
    job.holdsSlot = false;
    // `now` is handed to the next start when only engine code runs in between (no listener,
    // logger or alert): one clock read less per job
    let handoff: number | undefined;
    if (!job.final) {
      const alerts = this.#o.latency.alertsRaised;
      this.#o.latency.recordExecution(job.basePriority, now - startedAt, now);
      if (job.timedOut) {
        ok = false;
        outcome = new TaskTimeoutError(job.name, job.timeoutMs ?? 0);
      }
      if (ok) {
        job.outcome = outcome;
        if (now > job.deadlineAt) this.#countLate(job, now);
        else if (!this.#o.observed() && alerts === this.#o.latency.alertsRaised) handoff = now;
        this.#end(job, TaskState.COMPLETED, undefined);
      } else {
        this.#fail(job, outcome, now);
      }
    }
    if (holdsSlot) this.#o.dispatcher.release(handoff);
    this.#o.runSettled();
  }

  #fail(job: Job, error: unknown, now: number): void {
    const retry = job.retry;
    const nonFatal = isTaskNonFatal(error);
    if (retry !== undefined && job.attempt <= retry.attempts) {
      const delay = retry.backoffMs * (retry.factor ?? 2) ** (job.attempt - 1);
      this.#o.logger.warn({ job: job.name, attempt: job.attempt, err: error, retryInMs: delay }, 'job attempt failed; retrying');
      job.state = TaskState.PENDING;
      this.#arm(job, 'retry', now + delay);
      this.#transition(job, TaskState.RUNNING, TaskState.PENDING);
      return;
    }
    if (nonFatal) {
      this.#o.logger.warn({ job: job.name, err: error }, 'job failed with a non-fatal error');
    } else {
      this.#o.logger.error({ job: job.name, err: error }, 'job failed');
      this.#o.emit('task-error', { name: job.name, error, scheduledAt: job.readyAt, stopped: false });
    }
    this.#end(job, TaskState.FAILED, error);
  }

  // ---- timers ----

  #arm(job: Job, kind: Job['timer'], at: number): void {
    job.timer = kind;
    this.#o.timers.schedule(job, at);
  }

  #disarm(job: Job): void {
    job.timer = 'none';
    this.#o.timers.cancel(job);
  }

  onTimer(job: Job, now: number): void {
    const kind = job.timer;
    job.timer = 'none';
    if (job.final) return;
    if (kind === 'timeout') {
      const error = new TaskTimeoutError(job.name, job.timeoutMs ?? 0);
      job.timedOut = true;
      job.abort(error);
      if (job.abandonWait !== undefined) {
        job.state = TaskState.RUNNING; // slotless, until its function has unwound
        this.#transition(job, TaskState.BLOCKED, TaskState.RUNNING);
        this.#abandonWait(job, error);
      }
    } else if (kind === 'deadline') {
      if (job.state !== TaskState.RUNNING) this.#missDeadline(job);
    } else if (kind === 'retry') {
      job.resetSignal();
      if (job.hardRealtime && Number.isFinite(job.deadlineAt)) {
        if (now > job.deadlineAt) {
          this.#missDeadline(job);
          return;
        }
        this.#arm(job, 'deadline', job.deadlineAt);
      }
      this.#makeReady(job, now);
    }
  }

  // ---- deadlines, cancellation, the end ----

  /** A hard-realtime job that cannot start in time: it never ran, so nothing else gives back what it was granted. */
  #missDeadline(job: Job): void {
    this.#withdraw(job);
    this.#releaseResources(job);
    this.#o.emit('deadline-miss', { name: job.name, scheduledAt: job.readyAt, deadline: job.deadlineAt, finishedAt: undefined, lateMs: this.#o.clock.now() - job.deadlineAt });
    this.#end(job, TaskState.DEADLINE_MISSED, new DeadlineMissedError(job.name, job.deadlineAt));
  }

  #countLate(job: Job, now: number): void {
    this.#deadlineMissed++;
    this.#o.emit('deadline-miss', { name: job.name, scheduledAt: job.readyAt, deadline: job.deadlineAt, finishedAt: now, lateMs: now - job.deadlineAt });
  }

  cancel(job: Job, reason: string): boolean {
    return this.#cancelWith(job, new TaskCancelledError(job.name, typeof reason === 'string' ? reason.slice(0, 200) : 'cancelled'));
  }

  #cancelWith(job: Job, error: Error): boolean {
    if (job.final) return false;
    const wasRunning = job.state === TaskState.RUNNING || job.resume !== undefined || job.abandonWait !== undefined;
    this.#withdraw(job);
    if (wasRunning) job.abort(error);
    else this.#releaseResources(job);
    this.#abandonWait(job, error);
    this.#end(job, TaskState.CANCELLED, error);
    return true;
  }

  /**
   * Give back everything the job holds: at the end of a run, or when a job whose function is not
   * under way ends (its declared resources are granted while it queues for a slot).
   */
  #releaseResources(job: Job): void {
    if (job.tookResources) this.#o.resources.releaseAll(job);
    job.resourcesHeld = false;
  }

  /** Take a waiting job out of whatever it waits in: timer, ready queue, resource queue, a yield. */
  #withdraw(job: Job): void {
    if (job.timer !== 'none') this.#disarm(job);
    if (job.queueIndex >= 0) this.#o.dispatcher.withdraw(job);
    if (job.waitingFor !== undefined) this.#o.resources.withdraw(job.waitingFor);
    const resume = job.resume;
    if (resume !== undefined) {
      job.resume = undefined;
      resume(); // the function continues, sees its aborted signal, and ends
    }
  }

  #end(job: Job, state: TaskState, error: unknown): void {
    const from = job.state;
    job.state = state;
    if (state !== TaskState.COMPLETED) job.outcome = error;
    this.#live--;
    if (state === TaskState.COMPLETED) this.#completed++;
    else if (state === TaskState.FAILED) this.#failed++;
    else if (state === TaskState.CANCELLED) this.#cancelled++;
    else this.#deadlineMissed++;
    if (job.idKnown) {
      this.#byId.delete(job.id);
      this.#retainFinished(job.id, state);
    }
    job.settle();
    this.#transition(job, from, state);
    const dependents = job.dependents;
    if (dependents !== undefined) {
      job.dependents = undefined;
      const now = this.#o.clock.now();
      for (const dependent of dependents) {
        if (dependent.final) continue;
        if (state !== TaskState.COMPLETED) {
          this.#cancelWith(dependent, new DependencyFailedError(job.id, state, { cause: error }));
        } else if (--dependent.unmetDependencies === 0) {
          this.#makeReady(dependent, now);
        }
      }
    }
    this.#o.runSettled();
  }

  // ---- preemption ----

  shouldYield(job: Job): boolean {
    if (job.yieldRequested) return true;
    const fair = this.#fair;
    return fair !== undefined && fair.size > 0 && this.#o.clock.now() - job.resumedAt >= fair.quantumMs;
  }

  yieldSlot(job: Job): Promise<void> {
    const now = this.#o.clock.now();
    job.yieldRequested = false;
    this.#running.invalidate();
    this.#fair?.demoteIfQuantumUsed(job, now - job.resumedAt);
    if (this.#o.dispatcher.queued === 0) {
      job.resumedAt = now;
      return Promise.resolve();
    }
    this.#running.remove(job);
    job.holdsSlot = false;
    job.state = TaskState.READY;
    job.readyAt = now;
    const resumed = new Promise<void>((resolve) => {
      job.resume = resolve;
    });
    this.#o.dispatcher.enqueue(job);
    this.#transition(job, TaskState.RUNNING, TaskState.READY);
    this.#o.dispatcher.release();
    return resumed;
  }

  #resume(job: Job, now: number): void {
    const resume = job.resume;
    job.resume = undefined;
    job.state = TaskState.RUNNING;
    job.holdsSlot = true;
    job.resumedAt = now;
    this.#running.add(job);
    this.#transition(job, TaskState.READY, TaskState.RUNNING);
    resume?.();
  }

  /** When more urgent work waits and no slot is free, ask the least urgent preemptible job to yield. */
  requestPreemption(): void {
    const dispatcher = this.#o.dispatcher;
    if (dispatcher.hasFreeSlot || dispatcher.queued === 0 || this.#running.size === 0) return;
    const queue = dispatcher.queue;
    const head = queue.peek();
    if (head === undefined) return;
    const victim = this.#running.candidate();
    if (victim === undefined || queue.compare(head, victim) >= 0) return;
    victim.yieldRequested = true;
    this.#running.invalidate();
  }

  priorityChanged(job: Job): void {
    this.#running.invalidate();
    if (job.queueIndex >= 0) this.#o.dispatcher.queue.update(job);
  }

  // ---- context services ----

  acquire(job: Job, names: readonly string[]): Promise<() => void> {
    if (job.state !== TaskState.RUNNING) return Promise.reject(new InvalidConfigError(`acquire: job ${JSON.stringify(job.name)} is not running`));
    let resources;
    try {
      resources = this.#o.resources.resolve(names);
    } catch (error) {
      return Promise.reject(error);
    }
    job.tookResources = true;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.#o.resources.release(job, resources);
    };
    if (this.#o.resources.tryTake(job, resources)) return Promise.resolve(release);
    return new Promise((resolve, reject) => {
      try {
        this.#o.resources.wait(job, resources, () => this.#grantedInRun(job, () => resolve(release)), true);
      } catch (error) {
        reject(error);
        return;
      }
      job.abandonWait = reject;
      this.#blockInRun(job);
    });
  }

  /**
   * Its function waits in `ctx.acquire`: it gives its slot back while it waits, as a yield does.
   * A slot held by a job that waits for a resource could be the very slot the resource's holder
   * (granted its declared resources, queued) needs to run and release it: with every slot held so,
   * nothing would move, and no cycle of resources alone shows it.
   */
  #blockInRun(job: Job): void {
    this.#running.remove(job);
    job.holdsSlot = false;
    job.state = TaskState.BLOCKED;
    this.#transition(job, TaskState.RUNNING, TaskState.BLOCKED);
    this.#o.dispatcher.release();
  }

  /** Its in-run acquire was granted: it queues for a slot, and the acquire resolves once it has one. */
  #grantedInRun(job: Job, resolve: () => void): void {
    job.abandonWait = undefined;
    job.resume = resolve;
    this.#makeReady(job, this.#o.clock.now());
  }

  /** Reject a wait in `ctx.acquire` (cancel, timeout): the function goes on and sees `reason`. */
  #abandonWait(job: Job, reason: unknown): void {
    const abandon = job.abandonWait;
    if (abandon === undefined) return;
    job.abandonWait = undefined;
    if (job.waitingFor !== undefined) this.#o.resources.withdraw(job.waitingFor);
    abandon(reason);
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return this.#o.timers.sleep(ms, signal);
  }

  /** A job's id was read for the first time: from now on `dependsOn` can name it, even once it has ended. */
  idAssigned(job: Job): void {
    if (job.final) this.#retainFinished(job.id, job.state);
    else this.#byId.set(job.id, job);
  }

  #retainFinished(id: string, state: TaskState): void {
    this.#finished.set(id, state);
    if (this.#finished.size > this.#o.retainFinished) {
      const oldest = this.#finished.keys().next().value;
      if (oldest !== undefined) this.#finished.delete(oldest);
    }
  }

  // ---- shutdown and figures ----

  /** Cancel every live job and abort running ones (scheduler terminate). */
  cancelAll(reason: string): void {
    // Every live job is reachable without a list of its own (which would cost two cold writes per
    // job): running, queued, waiting for resources, in a timer (retry backoff, hard deadline), known
    // by id, or depending on one of those (cancelled with it).
    const victims = new Set<Job>(this.#running.list());
    const collect = (item: unknown): void => {
      if (item instanceof Job) victims.add(item);
    };
    this.#o.dispatcher.queue.forEach(collect);
    this.#o.timers.forEach(collect);
    this.#o.resources.forEachWaiting(collect);
    for (const job of this.#byId.values()) victims.add(job);
    for (const job of victims) this.cancel(job, reason);
  }

  summary(now: number): JobSummary {
    const finished = this.#completed + this.#failed + this.#deadlineMissed;
    const elapsedS = this.#startedAt === undefined ? 0 : (now - this.#startedAt) / 1000;
    return {
      submitted: this.#submitted,
      completed: this.#completed,
      failed: this.#failed,
      cancelled: this.#cancelled,
      deadlineMissed: this.#deadlineMissed,
      successRatePercent: finished === 0 ? 100 : (this.#completed / finished) * 100,
      throughputPerSecond: elapsedS > 0 ? this.#completed / elapsedS : 0,
      queueSize: this.#o.dispatcher.queued,
      running: this.#o.dispatcher.running,
      live: this.#live,
    };
  }

  #transition(job: Job, from: TaskState, to: TaskState): void {
    if (!this.#o.observed()) return;
    this.#o.emit('state-change', { id: job.id, name: job.name, from, to, at: this.#o.clock.now() });
  }
}

/** Order specs so each comes after the batch members it depends on; refuse cycles. */
function topologicalOrder(specs: readonly JobSpec[], byId: ReadonlyMap<string, JobSpec>): JobSpec[] {
  const order: JobSpec[] = [];
  const state = new Map<JobSpec, 'visiting' | 'done'>();
  const visit = (spec: JobSpec, path: string[]): void => {
    const mark = state.get(spec);
    if (mark === 'done') return;
    const label = spec.id ?? spec.name;
    if (mark === 'visiting') throw new DependencyCycleError([...path.slice(path.indexOf(label)), label]);
    state.set(spec, 'visiting');
    for (const id of spec.constraints?.dependsOn ?? []) {
      const dependency = byId.get(id);
      if (dependency !== undefined) visit(dependency, [...path, label]);
    }
    state.set(spec, 'done');
    order.push(spec);
  };
  for (const spec of specs) visit(spec, []);
  return order;
}
