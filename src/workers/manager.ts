/**
 * `WorkerManager` (seed 002's process manager): spawns named workers in threads or processes,
 * supervises each (see supervisor.ts), and offers the read side the monitor, metrics and HTTP
 * layers build on: `list()` snapshots and typed events.
 *
 * All supervision timing runs on ONE timeline (the engine's TimerQueue: one heap, one alarm)
 * over an injected clock. `stop()` drains workers one by one in reverse start order (OTP);
 * `terminate()` kills them all at once; both are idempotent and may race each other. Seed 000's
 * isolation hook: `attachTo(scheduler)` shows every worker loop in `scheduler.describe()`, marked
 * isolated; a lagging worker raises events here and never blocks the scheduler's own tasks.
 */
import { EventEmitter } from 'node:events';
import { InvalidConfigError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { Clock } from '../time/clock.js';
import { SystemClock } from '../time/system-clock.js';
import { TimerQueue } from '../scheduler/timer-queue.js';
import type { IsolatedTaskSource } from '../scheduler/scheduler.js';
import type { TaskDescription } from '../scheduler/describe.js';
import { priorityName, TaskPriority } from '../scheduler/priority.js';
import { parseOrThrow } from '../validation.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './codec.js';
import { DuplicateWorkerError, UnknownWorkerError, WorkerManagerStoppedError } from './errors.js';
import type { WorkerManagerEventName, WorkerManagerEvents, WorkerState } from './events.js';
import { WorkerHandle } from './handle.js';
import { defaultLauncher } from './launch/launcher.js';
import { RestartPolicy, type BackoffOptions, type RestartBudgetOptions } from './restart-policy.js';
import type { CommandsOf } from './runtime/define-worker.js';
import type { WorkerSnapshot } from './snapshot.js';
import { managerOptionsSchema, parseSpec, type WorkerManagerOptions, type WorkerSpec } from './spec.js';
import { defaultMaxConcurrentStarts, StartGate } from './start-gate.js';
import { Supervisor, type SupervisorEnvironment } from './supervisor.js';

export type WorkerManagerState = 'running' | 'stopping' | 'stopped';

/** Room the init message needs besides the config. */
const CONFIG_HEADROOM_BYTES = 8192;

/** What `attachTo` needs from a scheduler. */
export interface IsolatedTaskHost {
  addIsolatedSource(source: IsolatedTaskSource): () => void;
}

const LOOP_STATE: Record<WorkerState, TaskDescription['state']> = {
  starting: 'idle',
  running: 'scheduled',
  suspect: 'scheduled',
  restarting: 'idle',
  degraded: 'failed',
  stopping: 'stopped',
  stopped: 'stopped',
};

export class WorkerManager extends EventEmitter<WorkerManagerEvents> implements IsolatedTaskSource {
  readonly clock: Clock;
  readonly #logger: Logger;
  readonly #timers: TimerQueue;
  readonly #env: SupervisorEnvironment;
  readonly #supervisors = new Map<string, Supervisor>();
  readonly #handles = new Map<string, WorkerHandle>();
  #state: WorkerManagerState = 'running';
  #stopping: Promise<void> | undefined;
  #terminating: Promise<void> | undefined;

  constructor(options: WorkerManagerOptions = {}) {
    super();
    // The data pumps run while anyone listens to 'payload' (e.g. a bridge), and only then.
    const untyped = this as unknown as EventEmitter;
    untyped.on('newListener', (event: string | symbol) => {
      if (event === 'payload' && this.listenerCount('payload') === 0) for (const supervisor of this.#supervisors.values()) supervisor.startPump();
    });
    untyped.on('removeListener', (event: string | symbol) => {
      if (event === 'payload' && this.listenerCount('payload') === 0) for (const supervisor of this.#supervisors.values()) supervisor.stopPump();
    });
    const parsed = parseOrThrow(managerOptionsSchema, options, 'new WorkerManager');
    this.clock = parsed.clock ?? new SystemClock();
    this.#logger = parsed.logger ?? silentLogger;
    this.#timers = new TimerQueue(this.clock, () => {});
    const backoff = (parsed.backoff ?? {}) as BackoffOptions;
    const budget = (parsed.restartBudget ?? {}) as RestartBudgetOptions;
    const random = parsed.random ?? Math.random;
    this.#env = {
      clock: this.clock,
      timers: this.#timers,
      logger: this.#logger,
      launcher: parsed.launcher ?? defaultLauncher,
      heartbeatMs: parsed.heartbeatMs ?? 100,
      suspectAfterBeats: parsed.suspectAfterBeats ?? 3,
      killAfterBeats: parsed.killAfterBeats ?? 5,
      stopTimeoutMs: parsed.stopTimeoutMs ?? 5000,
      startTimeoutMs: parsed.startTimeoutMs ?? 10_000,
      requestTimeoutMs: parsed.requestTimeoutMs ?? 5000,
      statsIntervalMs: parsed.statsIntervalMs ?? 250,
      maxMessageBytes: parsed.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      startGate: new StartGate(parsed.maxConcurrentStarts ?? defaultMaxConcurrentStarts()),
      newRestartPolicy: () => new RestartPolicy(backoff, budget, random),
      emit: (event, ...args) => this.#emitSafely(event, ...args),
    };
    if (this.#env.suspectAfterBeats > this.#env.killAfterBeats) {
      throw new InvalidConfigError(`new WorkerManager: suspectAfterBeats must not exceed killAfterBeats (got ${this.#env.suspectAfterBeats} > ${this.#env.killAfterBeats})`);
    }
  }

  get state(): WorkerManagerState {
    return this.#state;
  }

  /** Start a supervised worker. `W` is the worker's definition type (`typeof import('./camera.js').default`). */
  spawn<W = unknown>(spec: WorkerSpec): WorkerHandle<CommandsOf<W>> {
    if (this.#state !== 'running') throw new WorkerManagerStoppedError(this.#state);
    const parsed = parseSpec(spec);
    const configBytes = parsed.config === undefined ? 0 : Buffer.byteLength(JSON.stringify(parsed.config));
    if (configBytes > this.#env.maxMessageBytes - CONFIG_HEADROOM_BYTES) {
      throw new InvalidConfigError(`spawn(${JSON.stringify(parsed.name)}): config is ${configBytes} bytes of JSON, over the ${this.#env.maxMessageBytes - CONFIG_HEADROOM_BYTES}-byte limit (maxMessageBytes minus the init message)`);
    }
    const existing = this.#supervisors.get(parsed.name);
    if (existing !== undefined && existing.state !== 'stopped') throw new DuplicateWorkerError(parsed.name);
    this.#supervisors.delete(parsed.name); // a stopped worker's name may be reused; it moves to the end of the start order
    const supervisor = new Supervisor(parsed, this.#env);
    const handle = new WorkerHandle<CommandsOf<W>>(supervisor);
    this.#supervisors.set(parsed.name, supervisor);
    this.#handles.set(parsed.name, handle as WorkerHandle);
    if (this.listenerCount('payload') > 0) supervisor.startPump();
    supervisor.start();
    return handle;
  }

  get(name: string): WorkerHandle | undefined {
    return this.#handles.get(name);
  }

  /** One snapshot per worker, in start order (JSON-serialisable). */
  list(): WorkerSnapshot[] {
    return [...this.#supervisors.values()].map((supervisor) => supervisor.snapshot());
  }

  /** Restart `name` now: graceful stop of its current generation, then a fresh start (no backoff). */
  restart(name: string): Promise<void> {
    const supervisor = this.#supervisors.get(name);
    if (supervisor === undefined) return Promise.reject(new UnknownWorkerError(name));
    if (this.#state !== 'running') return Promise.reject(new WorkerManagerStoppedError(this.#state));
    return supervisor.restart();
  }

  /** Leave `degraded`: forget the worker's restart budget and backoff and start it again. No-op otherwise. */
  resetDegraded(name: string): void {
    const supervisor = this.#supervisors.get(name);
    if (supervisor === undefined) throw new UnknownWorkerError(name);
    if (this.#state !== 'running') throw new WorkerManagerStoppedError(this.#state);
    if (supervisor.resetDegraded()) this.#logger.warn({ worker: name }, 'degraded worker reset');
  }

  /** Drain: each worker gets a stop command and stopTimeoutMs before it is killed, in reverse start order. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stopAll();
    return this.#stopping;
  }

  /** Kill every worker at once; requests in flight reject as aborted. */
  terminate(): Promise<void> {
    if (this.#terminating === undefined) {
      this.#shutdown();
      this.#terminating = Promise.all([...this.#supervisors.values()].map((supervisor) => supervisor.terminate())).then(() => this.#finish());
    }
    return this.#terminating;
  }

  /**
   * No restarts from now on, and no launches: the start gate closes before anything is killed, or
   * a start waiting for a slot would get the one a stopping worker gives back and launch mid-drain
   * (it waits instead until its own stop withdraws it).
   */
  #shutdown(): void {
    if (this.#state === 'running') this.#state = 'stopping';
    this.#env.startGate.close();
    for (const supervisor of this.#supervisors.values()) supervisor.shutdown();
  }

  async #stopAll(): Promise<void> {
    this.#shutdown();
    for (const supervisor of [...this.#supervisors.values()].reverse()) await supervisor.stop();
    this.#finish();
  }

  #finish(): void {
    this.#state = 'stopped';
    this.#timers.clear();
  }

  /** Seed 000's isolation hook: show worker loops in `scheduler.describe()`; returns the detach function. */
  attachTo(scheduler: IsolatedTaskHost): () => void {
    return scheduler.addIsolatedSource(this);
  }

  /** Every worker loop as a task description named `worker/loop`, marked isolated. */
  isolatedTasks(): TaskDescription[] {
    const tasks: TaskDescription[] = [];
    for (const supervisor of this.#supervisors.values()) {
      const snapshot = supervisor.snapshot();
      for (const loop of snapshot.loops) {
        tasks.push({
          name: `${snapshot.name}/${loop.name}`,
          kind: 'periodic',
          priority: TaskPriority.NORMAL,
          priorityName: priorityName(TaskPriority.NORMAL),
          state: LOOP_STATE[snapshot.state],
          isolated: true,
          periodMs: loop.periodMs,
          delayMs: null,
          cron: null,
          deadlineMs: loop.deadlineMs,
          overrun: 'skip',
          nextRunAt: null,
          nextDeadline: null,
          stats: loop.stats,
        });
      }
    }
    return tasks;
  }

  #emitSafely<K extends WorkerManagerEventName>(event: K, ...args: WorkerManagerEvents[K]): void {
    try {
      (this.emit as (event: K, ...args: WorkerManagerEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      this.#logger.error({ err: error, event }, 'a worker manager event listener threw');
    }
  }
}
