/**
 * The Scheduler: seed 003's one facade over time. Nothing outside it touches the event loop's
 * timers: loops, one-shots, cron schedules, sleeps and (later) submitted jobs are task kinds of
 * ONE engine.
 *
 * How it fits together: every release, deadline watch and sleep is an entry on one timeline
 * (`TimerQueue`, one heap, one clock alarm). A release creates a `Run` and hands it to the
 * `Dispatcher`, which starts runs from the policy's ready queue while slots are free; each run
 * records its jitter, execution time and deadline outcome in its task's stats, and anomalies
 * become typed events. Time comes from an injected `Clock`, so the whole engine runs under
 * `ManualClock` in tests exactly as it does on the real one.
 */
import { EventEmitter } from 'node:events';
import { z } from 'zod';
import { AbortError, DuplicateTaskError, SchedulerStoppedError, TaskCancelledError, UnknownTaskError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { Clock, TimerPrecision } from '../time/clock.js';
import { SystemClock } from '../time/system-clock.js';
import { parseOrThrow } from '../validation.js';
import {
  parseCron,
  parseOnce,
  parsePeriodic,
  parseRecurring,
  type CronTaskConfig,
  type OnceTaskConfig,
  type RealtimeTaskConfig,
  type RecurringTaskConfig,
  type TaskFunction,
} from './config.js';
import { describeTask, formatDescription, type SchedulerDescription, type TaskDescription } from './describe.js';
import { Dispatcher } from './dispatcher.js';
import type { Engine } from './engine.js';
import type { SchedulerEventName, SchedulerEvents } from './events.js';
import { RealtimeTaskHandle } from './handle.js';
import type { LoopTask } from './loop-task.js';
import { DEFAULT_AGING_STEP_MS } from './policies/priority.js';
import { createReadyQueue, POLICIES, type FairOptions, type SchedulingPolicy } from './policies/index.js';
import { JobEngine, type JobSummary } from './jobs/job-engine.js';
import type { TaskHandle } from './jobs/job.js';
import type { JobSpec } from './jobs/job-spec.js';
import { LatencyMonitor, type LatencyAlerts, type LatencyStats } from './latency-monitor.js';
import { ResourceManager, type ResourceDescription } from './resources/resource-manager.js';
import { PRIORITY_NAMES } from './priority.js';
import { CronTask } from './tasks/cron-task.js';
import { OnceTask } from './tasks/once-task.js';
import { PeriodicTask } from './tasks/periodic-task.js';
import { RecurringTask } from './tasks/recurring-task.js';
import { TimerQueue } from './timer-queue.js';

export interface SchedulerOptions {
  /** Time source; default a `SystemClock` with `precision`. Pass a `ManualClock` in tests. */
  clock?: Clock;
  /** Timer precision of the default clock: `'coarse'` (default) or `'precise'` (spins; costs CPU). */
  precision?: TimerPrecision;
  /** pino-compatible logger; default silent. */
  logger?: Logger;
  /** Waiting this long is worth one priority class (seed 003's aging); default 1000; Infinity = off. */
  agingStepMs?: number;
  /** Runs in flight at most (seed 001's max_workers); default unbounded. */
  maxConcurrency?: number;
  /** Ready-queue order: 'priority' (default, with aging), 'edf', 'fair' (MLFQ), 'realtime', 'fifo'. */
  policy?: SchedulingPolicy;
  /** The fair policy's quantum, levels and boost interval. */
  fair?: FairOptions;
  /** p95 thresholds per priority class, e.g. `{ REALTIME: { schedulingMs: 10, executionMs: 100 } }`. */
  latencyAlerts?: LatencyAlerts;
  /** How many finished jobs (whose id was read) stay resolvable for `dependsOn`; default 10,000. */
  retainFinished?: number;
}

/**
 * Seed 000's isolation hook: loops that run in isolated workers report their task descriptions
 * here, so `describe()` shows them beside local tasks (marked `isolated: true`).
 */
export interface IsolatedTaskSource {
  isolatedTasks(): TaskDescription[];
}

export type SchedulerState = 'created' | 'running' | 'stopping' | 'stopped';

export interface RunImmediatelyOptions {
  /** Why: required, recorded in the `safety-override` event and the log. */
  reason: string;
  /** Who asked (a user or service name), for the audit trail. */
  principal?: string;
}

const optionsSchema = z.strictObject({
  clock: z.custom<Clock>((v) => typeof v === 'object' && v !== null && typeof (v as Clock).now === 'function', 'must be a Clock').optional(),
  precision: z.enum(['coarse', 'precise']).optional(),
  logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null && typeof (v as Logger).warn === 'function', 'must be a logger').optional(),
  agingStepMs: z.number().positive().or(z.literal(Number.POSITIVE_INFINITY)).optional(),
  maxConcurrency: z.number().int().positive().or(z.literal(Number.POSITIVE_INFINITY)).optional(),
  policy: z.enum(POLICIES).optional(),
  fair: z
    .strictObject({
      quantumMs: z.number().positive().max(2 ** 31 - 1).optional(),
      levels: z.number().int().min(1).max(64).optional(),
      boostIntervalMs: z.number().positive().max(2 ** 31 - 1).optional(),
    })
    .optional(),
  latencyAlerts: z
    .partialRecord(
      z.enum(PRIORITY_NAMES as unknown as [string, ...string[]]),
      z.strictObject({ schedulingMs: z.number().nonnegative().optional(), executionMs: z.number().nonnegative().optional() }),
    )
    .optional(),
  retainFinished: z.number().int().nonnegative().max(10_000_000).optional(),
});

const overrideSchema = z.strictObject({
  reason: z.string().trim().min(1).max(500),
  principal: z.string().min(1).max(200).optional(),
});

export class Scheduler extends EventEmitter<SchedulerEvents> {
  readonly clock: Clock;
  readonly #logger: Logger;
  readonly #timers: TimerQueue;
  readonly #dispatcher: Dispatcher;
  readonly #tasks = new Map<string, LoopTask>();
  readonly #engine: Engine;
  readonly #isolatedSources = new Set<IsolatedTaskSource>();
  readonly #policy: SchedulingPolicy;
  readonly #resources = new ResourceManager();
  readonly #latency: LatencyMonitor;
  readonly #jobs: JobEngine;
  #pumpScheduled = false;
  #stateChangeObserved = false;
  #state: SchedulerState = 'created';
  readonly #stopped: Promise<void>;
  #markStopped!: () => void;

  constructor(options: SchedulerOptions = {}) {
    super();
    const parsed = parseOrThrow(optionsSchema, options, 'new Scheduler');
    this.clock = parsed.clock ?? new SystemClock({ precision: parsed.precision ?? 'coarse' });
    this.#logger = parsed.logger ?? silentLogger;
    this.#policy = parsed.policy ?? 'priority';
    this.#dispatcher = new Dispatcher(
      createReadyQueue(this.#policy, {
        agingStepMs: parsed.agingStepMs ?? DEFAULT_AGING_STEP_MS,
        fair: (parsed.fair ?? {}) as FairOptions,
        now: () => this.clock.now(),
      }),
      parsed.maxConcurrency ?? Number.POSITIVE_INFINITY,
    );
    this.#timers = new TimerQueue(
      this.clock,
      () => this.#pump(),
      (error) => this.#logger.error({ err: error }, 'a scheduler timer callback threw'),
    );
    this.#latency = new LatencyMonitor((parsed.latencyAlerts ?? {}) as LatencyAlerts, (event) => {
      this.#logger.warn({ event: 'latency-alert', ...event }, 'latency alert');
      this.#emitSafely('latency-alert', event);
    });
    this.#stopped = new Promise((resolve) => {
      this.#markStopped = resolve;
    });
    const isReleasing = (): boolean => this.#state === 'running';
    this.#engine = {
      clock: this.clock,
      timers: this.#timers,
      dispatcher: this.#dispatcher,
      logger: this.#logger,
      get releasing() {
        return isReleasing();
      },
      latency: this.#latency,
      emit: (event, ...args) => this.#emitSafely(event, ...args),
      retire: (name) => this.#tasks.delete(name),
      runSettled: () => this.#checkDrained(),
    };
    this.#jobs = new JobEngine({
      clock: this.clock,
      timers: this.#timers,
      dispatcher: this.#dispatcher,
      resources: this.#resources,
      latency: this.#latency,
      logger: this.#logger,
      emit: (event, ...args) => this.#emitSafely(event, ...args),
      observed: () => this.#stateChangeObserved,
      acceptingState: () => (this.#state === 'stopping' || this.#state === 'stopped' ? this.#state : undefined),
      runSettled: () => this.#checkDrained(),
      schedulePump: () => this.#schedulePump(),
      retainFinished: parsed.retainFinished ?? 10_000,
    });
    // job transitions are only reported while someone listens: 'newListener' fires just before
    // a listener is added, 'removeListener' just after one is removed
    const emitter = this as EventEmitter;
    emitter.on('newListener', (event: string | symbol) => {
      if (event === 'state-change') this.#stateChangeObserved = true;
    });
    emitter.on('removeListener', (event: string | symbol) => {
      if (event === 'state-change') this.#stateChangeObserved = this.listenerCount('state-change') > 0;
    });
  }

  /** The ready-queue policy in force. */
  get policy(): SchedulingPolicy {
    return this.#policy;
  }

  /** Seed 001's latency monitor: per priority class, scheduling and execution percentiles. */
  get latency(): { stats(): LatencyStats } {
    return this.#latency;
  }

  /**
   * Submit a job (seed 001): it runs once its dependencies completed and its resources are free,
   * in policy order, within `maxConcurrency`. Submitted before `start()`, it waits for the start.
   */
  submit<A extends unknown[], R>(spec: JobSpec<A, R>): TaskHandle<Awaited<R>> {
    return this.#jobs.submit(spec) as TaskHandle<Awaited<R>>;
  }

  /** Submit several jobs, all or nothing; members may depend on each other by custom `id`. */
  submitBatch(specs: readonly JobSpec[]): TaskHandle[] {
    return this.#jobs.submitBatch(specs);
  }

  /** Declare a resource jobs can hold (`constraints.resources`, `ctx.acquire`); capacity default 1. */
  defineResource(name: string, options: { capacity?: number } = {}): void {
    this.#resources.define(name, options.capacity ?? 1);
  }

  /** Resources with their holders and waiters. */
  resources(): ResourceDescription[] {
    return this.#resources.describe();
  }

  /** Seed 001's summary metrics over submitted jobs. */
  summary(): JobSummary {
    return this.#jobs.summary(this.clock.now());
  }

  /**
   * New ready work: with a free slot, pump on the next microtask (so a burst of submissions is
   * dispatched in policy order); with none, a finishing run will pump, and only a preemption
   * request can help now.
   */
  #schedulePump(): void {
    if (this.#state !== 'running' && this.#state !== 'stopping') return; // before start(), start() pumps
    if (!this.#dispatcher.hasFreeSlot) {
      this.#jobs.requestPreemption();
      return;
    }
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    queueMicrotask(() => {
      this.#pumpScheduled = false;
      if (this.#state === 'running' || this.#state === 'stopping') this.#pump();
    });
  }

  #pump(): void {
    this.#dispatcher.pump();
    this.#jobs.requestPreemption();
  }

  get state(): SchedulerState {
    return this.#state;
  }

  /** Monotonic time on the scheduler's clock. */
  now(): number {
    return this.clock.now();
  }

  /** Start releasing. Tasks registered before start have their first release anchored now. */
  start(): this {
    if (this.#state !== 'created') return this;
    this.#state = 'running';
    const now = this.clock.now();
    this.#jobs.markStarted(now);
    for (const task of this.#tasks.values()) task.arm(now);
    this.#pump();
    return this;
  }

  /** A fixed-rate loop (seed 000's RealtimeTaskConfig): release k at t0 + k * periodMs. */
  schedulePeriodic(config: RealtimeTaskConfig, fn: TaskFunction): RealtimeTaskHandle {
    const parsed = parsePeriodic(config, fn);
    return this.#register(new PeriodicTask(this.#engine, parsed, fn));
  }

  /** A fixed-delay loop: the next run starts `delayMs` after the previous one completed. */
  scheduleRecurring(config: RecurringTaskConfig, fn: TaskFunction): RealtimeTaskHandle {
    const parsed = parseRecurring(config, fn);
    return this.#register(new RecurringTask(this.#engine, parsed, fn));
  }

  /** Run once after `delayMs`, or at the wall-clock time `at` (a Date or epoch ms). */
  scheduleOnce(config: OnceTaskConfig, fn: TaskFunction): RealtimeTaskHandle {
    const parsed = parseOnce(config, fn);
    return this.#register(new OnceTask(this.#engine, parsed, fn));
  }

  /**
   * A wall-clock schedule from a cron expression (seconds field allowed), through croner. A jump of
   * the wall clock releases at most one run. Daylight-saving changes in `timezone`: a local time
   * that does not exist that night runs once, at the change; one that happens twice runs once, the
   * first time; an hourly schedule keeps one run per real hour.
   */
  scheduleCron(config: CronTaskConfig, fn: TaskFunction): RealtimeTaskHandle {
    const parsed = parseCron(config, fn);
    return this.#register(new CronTask(this.#engine, parsed, fn));
  }

  /** The handle of a registered task. */
  get(name: string): RealtimeTaskHandle {
    const task = this.#tasks.get(name);
    if (task === undefined) throw new UnknownTaskError(name);
    return new RealtimeTaskHandle(task);
  }

  has(name: string): boolean {
    return this.#tasks.has(name);
  }

  /**
   * Seed 000's safety override: start a run of `name` now, ahead of everything queued and beyond
   * the concurrency bound. If the task is already running (and its overrun policy is not
   * `'parallel'`), the override becomes one immediate re-run after it: never a second concurrent
   * run. Emits `safety-override` and logs a warning with the reason and principal.
   */
  runImmediately(name: string, options: RunImmediatelyOptions): { coalesced: boolean } {
    const task = this.#tasks.get(name);
    if (task === undefined) throw new UnknownTaskError(name);
    const { reason, principal } = parseOrThrow(overrideSchema, options, `runImmediately(${JSON.stringify(name)})`);
    // a stopping scheduler halts its tasks: say why (it stops), not what it did to the task
    if (this.#state !== 'running') throw new SchedulerStoppedError(this.#state);
    if (!task.live) throw new TaskCancelledError(name, task.state);
    const at = this.clock.now();
    const result = task.override(at);
    const event = { name, reason, principal, at, wallAt: this.clock.wallNow(), coalesced: result.coalesced };
    this.#logger.warn({ event: 'safety-override', ...event }, 'safety override');
    this.#emitSafely('safety-override', event);
    return result;
  }

  /** Sleep on the scheduler's clock (seed 003's `Scheduler.sleep`). */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.#timers.sleep(ms, signal);
  }

  /** Let other work (I/O, timers, other tasks) run before continuing (seed 003's `yield_control`). */
  yieldControl(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  describe(): SchedulerDescription {
    return {
      state: this.#state,
      policy: this.#policy,
      now: this.clock.now(),
      wallNow: this.clock.wallNow(),
      maxConcurrency: Number.isFinite(this.#dispatcher.maxConcurrency) ? this.#dispatcher.maxConcurrency : null,
      running: this.#dispatcher.running,
      queued: this.#dispatcher.queued,
      tasks: [...this.#tasks.values()].map(describeTask).concat(this.#isolatedTasks()),
    };
  }

  /** Show an isolated worker's loops in `describe()`; returns a function that detaches it. */
  addIsolatedSource(source: IsolatedTaskSource): () => void {
    this.#isolatedSources.add(source);
    return () => this.#isolatedSources.delete(source);
  }

  #isolatedTasks(): TaskDescription[] {
    const tasks: TaskDescription[] = [];
    for (const source of this.#isolatedSources) {
      try {
        for (const task of source.isolatedTasks()) tasks.push({ ...task, isolated: true });
      } catch (error) {
        this.#logger.error({ err: error }, 'an isolated task source threw');
      }
    }
    return tasks;
  }

  /** `describe()` as readable text. */
  dumpState(): string {
    return formatDescription(this.describe());
  }

  /**
   * Drain: no new releases or submissions, queued periodic runs dropped; submitted jobs run to
   * their end; resolves when nothing is in flight.
   */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    if (this.#state !== 'stopping') {
      this.#state = 'stopping';
      for (const task of this.#tasks.values()) task.halt();
    }
    await this.#drain();
  }

  /** Cancel queued jobs, abort running runs and jobs through their signals; resolves when they have settled. */
  async terminate(): Promise<void> {
    if (this.#state === 'stopped') return;
    const reason = new AbortError('the scheduler was terminated');
    if (this.#state !== 'stopping') this.#state = 'stopping';
    for (const task of this.#tasks.values()) {
      task.halt();
      task.abortRuns(reason);
    }
    this.#jobs.cancelAll('terminated');
    await this.#drain();
  }

  /** Seed 003's `run_forever()`: start if needed; resolves once the scheduler has stopped. */
  runForever(): Promise<void> {
    this.start();
    return this.#stopped;
  }

  #register(task: LoopTask): RealtimeTaskHandle {
    if (this.#state === 'stopping' || this.#state === 'stopped') throw new SchedulerStoppedError(this.#state);
    if (this.#tasks.has(task.name)) throw new DuplicateTaskError(task.name);
    this.#tasks.set(task.name, task);
    if (this.#state === 'running') {
      task.arm(this.clock.now());
      this.#dispatcher.pump();
    }
    return new RealtimeTaskHandle(task);
  }

  /** Resolves once nothing is in flight (at once when that is already so). */
  #drain(): Promise<void> {
    this.#checkDrained();
    return this.#stopped;
  }

  #checkDrained(): void {
    if (this.#state !== 'stopping' || this.#dispatcher.running > 0 || this.#dispatcher.queued > 0 || this.#jobs.live > 0) return;
    this.#state = 'stopped';
    this.#timers.clear();
    this.#markStopped();
  }

  #emitSafely<K extends SchedulerEventName>(event: K, ...args: SchedulerEvents[K]): void {
    try {
      (this.emit as (event: K, ...args: SchedulerEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      this.#logger.error({ err: error, event }, 'a scheduler event listener threw');
    }
  }
}
