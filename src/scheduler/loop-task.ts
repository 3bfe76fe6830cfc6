/**
 * A scheduled task (periodic, recurring, one-shot or cron): the common life of all four kinds.
 *
 * Kinds decide only WHEN releases happen (`arm`, `onTimer`, `afterRun`, `rearm`). This base decides
 * what a release does: apply the overrun policy when the previous run is still queued or running,
 * create the run, hand it to the dispatcher, account its start (jitter), watch the deadline of a
 * run that goes asynchronous,
 * its end (execution time, deadline miss, failure) and raise backpressure after
 * `backpressureAfter` bad releases in a row. Every user callback is guarded: a throwing task or
 * callback is counted and reported, never an unhandled rejection.
 */
import { isTaskNonFatal, TaskCancelledError, TactusError } from '../errors.js';
import type { BackpressureInfo, CommonTaskConfig, OverrunPolicy, TaskFunction } from './config.js';
import type { Engine } from './engine.js';
import { TaskPriority } from './priority.js';
import { Run, type RunOwner } from './run.js';
import { TaskStatsRecorder, type TaskStats } from './task-stats.js';
import { histograms } from '../stats/histogram-arena.js';
import type { Timed } from './timer-queue.js';

export type TaskKind = 'periodic' | 'recurring' | 'once' | 'cron';
export type LoopState = 'idle' | 'scheduled' | 'running' | 'paused' | 'stopped' | 'completed' | 'cancelled' | 'failed';

type Lifecycle = 'active' | 'paused' | 'stopped' | 'completed' | 'cancelled' | 'failed';

export const DEFAULT_BACKPRESSURE_AFTER = 3;

/** Raised into a run's signal when its deadline passes and `abortOnDeadline` is set. */
export class DeadlineExceededError extends TactusError {
  constructor(name: string) {
    super('ERR_TACTUS_DEADLINE_EXCEEDED', `task ${JSON.stringify(name)} passed its deadline`);
  }
}

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

export abstract class LoopTask implements Timed, RunOwner {
  timerAt = 0;
  timerIndex = -1;
  abstract readonly kind: TaskKind;
  readonly name: string;
  readonly priority: number;
  readonly stats = new TaskStatsRecorder();
  // what a release touches is kept here, in the task, so the recorder stays cold (one object less
  // per release: ~0.2 us at 10,000 tasks): the histogram ids, the last execution time, and
  // whether a streak of bad releases is open
  readonly #jitterId = this.stats.jitter.id;
  readonly #execId = this.stats.exec.id;
  #lastExecMs = 0;
  #inBadStreak = false;
  protected readonly engine: Engine;
  protected readonly config: CommonTaskConfig;
  readonly #fn: TaskFunction;
  readonly #overrun: OverrunPolicy;
  /** Copied from the config, which stays cold on the release path. */
  readonly #maxJitterMs: number | undefined;
  /**
   * Runs queued or running: the first in a field, any others (only `overrun: 'parallel'` has
   * them) in an array made on first need, so the common release touches no array (at 10,000
   * tasks each one a cold cache line: finishing a run read it to pop the next).
   */
  #active: Run | undefined;
  #moreActive: Run[] | undefined;
  #pending: Run | undefined;
  /** The last run, when its body returned synchronously: the next release reuses it (see run.ts). */
  #spare: Run | undefined;
  #lifecycle: Lifecycle = 'active';
  #backpressureRaised = false;
  /** Cancelled or completed: its stats (and a completed task's name) retire once no run is left. */
  #retired = false;

  constructor(engine: Engine, config: CommonTaskConfig, fn: TaskFunction) {
    this.engine = engine;
    this.config = config;
    this.#fn = fn;
    this.name = config.name;
    this.priority = config.priority ?? TaskPriority.NORMAL;
    this.#overrun = config.overrun ?? 'skip';
    this.#maxJitterMs = config.maxJitterMs;
  }

  /** Deadline relative to the scheduled start, or undefined for none. */
  get deadlineMs(): number | undefined {
    return this.config.deadlineMs;
  }

  get overrunPolicy(): OverrunPolicy {
    return this.#overrun;
  }

  get state(): LoopState {
    if (this.#lifecycle !== 'active') return this.#lifecycle;
    if (this.#active !== undefined) return 'running';
    return this.engine.releasing ? 'scheduled' : 'idle';
  }

  /** Whether the task still accepts releases and overrides. */
  get live(): boolean {
    return this.#lifecycle === 'active' || this.#lifecycle === 'paused';
  }

  get nextRunAt(): number | undefined {
    return this.timerIndex >= 0 ? this.timerAt : undefined;
  }

  get nextDeadline(): number | undefined {
    let earliest = Number.POSITIVE_INFINITY;
    for (let i = 0, run = this.#activeAt(0); run !== undefined; run = this.#activeAt(++i)) {
      if (run.deadlineAt < earliest) earliest = run.deadlineAt;
    }
    if (earliest < Number.POSITIVE_INFINITY) return earliest;
    const next = this.nextRunAt;
    const deadlineMs = this.deadlineMs;
    return next === undefined || deadlineMs === undefined ? undefined : next + deadlineMs;
  }

  /** Runs queued or running now. */
  get activeRuns(): number {
    return this.#active === undefined ? 0 : 1 + (this.#moreActive?.length ?? 0);
  }

  snapshotStats(): TaskStats {
    return this.stats.snapshot();
  }

  /** Arm the first release; called at scheduler start, or at registration once started. */
  abstract arm(now: number): void;
  abstract onTimer(now: number): void;
  /** Re-arm after `resume()`. */
  protected abstract rearm(now: number): void;
  /** A run ended and was accounted. */
  protected afterRun(_now: number): void {}

  // ---- releases ----

  /** Release one run due at `scheduledAt`. */
  protected release(scheduledAt: number): void {
    if (this.#active !== undefined && this.#overrun !== 'parallel') {
      this.stats.overruns++;
      for (let i = 0, run = this.#activeAt(0); run !== undefined; run = this.#activeAt(++i)) run.overran = true;
      if (this.#overrun === 'queue-one' && this.#pending === undefined) {
        this.#pending = this.#newRun(scheduledAt);
        this.#emitOverrun(scheduledAt, 'queued');
      } else {
        this.stats.skipped++;
        this.#emitOverrun(scheduledAt, 'skipped');
        this.#countBadRelease();
      }
      return;
    }
    if (this.#active !== undefined) {
      this.stats.overruns++;
      this.#emitOverrun(scheduledAt, 'parallel');
    }
    const run = this.#newRun(scheduledAt);
    this.#addActive(run);
    this.engine.dispatcher.enqueue(run);
  }

  /** Seed 000's safety override: run now, ahead of everything, never a second concurrent run. */
  override(now: number): { coalesced: boolean } {
    if (this.#overrun !== 'parallel' && this.#active !== undefined) {
      for (let i = 0, run = this.#activeAt(0); run !== undefined; run = this.#activeAt(++i)) {
        if (run.queueIndex >= 0) {
          run.override = true;
          this.engine.dispatcher.startNow(run);
          return { coalesced: true };
        }
      }
      this.#pending ??= this.#newRun(now);
      this.#pending.override = true;
      return { coalesced: true };
    }
    const run = this.#newRun(now);
    run.override = true;
    this.#addActive(run);
    this.engine.dispatcher.startNow(run);
    return { coalesced: false };
  }

  #newRun(scheduledAt: number): Run {
    const deadlineMs = this.deadlineMs;
    const deadlineAt = deadlineMs === undefined ? Number.POSITIVE_INFINITY : scheduledAt + deadlineMs;
    const spare = this.#spare;
    if (spare === undefined) return new Run(this, this.name, scheduledAt, deadlineAt, this.priority);
    this.#spare = undefined;
    spare.reuse(scheduledAt, deadlineAt);
    return spare;
  }

  // ---- runs ----

  startRun(run: Run): void {
    const now = this.engine.clock.now();
    run.startedAt = now;
    const jitterMs = now - run.scheduledAt;
    histograms.record(this.#jitterId, jitterMs);
    this.engine.latency.recordScheduling(this.priority, jitterMs, now);
    const maxJitterMs = this.#maxJitterMs;
    if (maxJitterMs !== undefined && jitterMs > maxJitterMs) {
      this.stats.jitterWarnings++;
      this.engine.emit('jitter-warning', { name: this.name, scheduledAt: run.scheduledAt, startedAt: now, jitterMs, maxJitterMs });
    }
    this.#execute(run);
  }

  /** Call the body; a synchronous body is accounted at once, a promise when it settles. */
  #execute(run: Run): void {
    let result: unknown;
    try {
      result = this.#fn(run);
    } catch (error) {
      this.#finish(run, true, error);
      this.#spare = run;
      return;
    }
    if (isPromiseLike(result)) {
      // only a run still going can miss its deadline unseen: watch it (a run that finished
      // synchronously is judged at once, without two timeline operations per release)
      if (run.deadlineAt !== Number.POSITIVE_INFINITY) this.engine.timers.schedule(run, run.deadlineAt);
      result.then(
        () => this.#finish(run, false, undefined),
        (error: unknown) => this.#finish(run, true, error),
      );
    } else {
      this.#finish(run, false, undefined);
      this.#spare = run;
    }
  }

  #finish(run: Run, failed: boolean, error: unknown): void {
    const { engine, stats } = this;
    const now = engine.clock.now();
    engine.timers.cancel(run);
    this.#removeActive(run);
    if (this.#lifecycle !== 'cancelled') {
      const execMs = now - run.startedAt;
      histograms.record(this.#execId, execMs);
      this.#lastExecMs = execMs;
      engine.latency.recordExecution(this.priority, execMs, now);
      if (failed) {
        stats.failed++;
        this.#onFailure(run, error);
      }
      if (!run.missCounted && now > run.deadlineAt) this.#countMiss(run, now, now);
      else if (!run.missCounted && !run.overran) this.#clean();
      this.#startPending();
      this.afterRun(now);
    }
    if (this.#retired) this.#retireWhenIdle();
    engine.dispatcher.release();
    engine.runSettled();
  }

  #startPending(): void {
    const pending = this.#pending;
    if (pending === undefined || !this.live) return;
    this.#pending = undefined;
    this.#addActive(pending);
    if (pending.override) this.engine.dispatcher.startNow(pending);
    else this.engine.dispatcher.enqueue(pending);
  }

  onRunDeadline(run: Run, now: number): void {
    // A miss is a finish after the deadline: woken exactly at it, the run may still end on time
    // within this very instant (a sleep due at the same time), so judge it once that has settled.
    if (now <= run.deadlineAt) setImmediate(() => this.#missDeadline(run, this.engine.clock.now()));
    else this.#missDeadline(run, now);
  }

  #missDeadline(run: Run, now: number): void {
    if (run.missCounted || this.#lifecycle === 'cancelled' || !this.#isActive(run)) return;
    this.#countMiss(run, now, undefined);
    if (this.config.abortOnDeadline === true) run.abort(new DeadlineExceededError(this.name));
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return this.engine.timers.sleep(ms, signal);
  }

  // ---- accounting ----

  #countMiss(run: Run, now: number, finishedAt: number | undefined): void {
    run.missCounted = true;
    this.stats.deadlineMisses++;
    this.engine.emit('deadline-miss', {
      name: this.name,
      scheduledAt: run.scheduledAt,
      deadline: run.deadlineAt,
      finishedAt,
      lateMs: now - run.deadlineAt,
    });
    this.#countBadRelease();
  }

  #clean(): void {
    if (!this.#inBadStreak) return; // the usual case: touch nothing
    this.#inBadStreak = false;
    this.stats.consecutiveMisses = 0;
    this.#backpressureRaised = false;
  }

  #countBadRelease(): void {
    this.#inBadStreak = true;
    const count = ++this.stats.consecutiveMisses;
    const threshold = this.config.backpressureAfter ?? DEFAULT_BACKPRESSURE_AFTER;
    if (count < threshold || this.#backpressureRaised) return;
    this.#backpressureRaised = true;
    const info: BackpressureInfo = {
      name: this.name,
      consecutive: count,
      periodMs: this.periodMs,
      lastExecMs: this.#lastExecMs,
      meanExecMs: this.stats.exec.meanMs,
      at: this.engine.clock.now(),
    };
    const callback = this.config.onBackpressure;
    if (callback !== undefined) {
      try {
        callback(info);
      } catch (error) {
        this.engine.logger.error({ task: this.name, err: error }, 'onBackpressure callback threw');
      }
    }
    this.engine.emit('backpressure', info);
  }

  /** The period, for kinds that have one (used in backpressure info). */
  get periodMs(): number | undefined {
    return undefined;
  }

  #onFailure(run: Run, error: unknown): void {
    if (isTaskNonFatal(error)) {
      this.engine.logger.warn({ task: this.name, err: error }, 'task reported a non-fatal error; rescheduled');
      return;
    }
    const stopped = this.config.onError === 'stop';
    this.engine.logger.error({ task: this.name, err: error, stopped }, 'task failed');
    this.engine.emit('task-error', { name: this.name, error, scheduledAt: run.scheduledAt, stopped });
    if (stopped) this.#end('failed');
  }

  #emitOverrun(releaseAt: number, action: 'skipped' | 'queued' | 'parallel'): void {
    this.engine.emit('overrun', { name: this.name, releaseAt, policy: this.#overrun, action });
  }

  // ---- control ----

  /** No releases until `resume()`; what has not started is dropped, as by `halt()`, but an override. */
  pause(): void {
    if (this.#lifecycle !== 'active') return;
    this.#lifecycle = 'paused';
    const pending = this.#pending;
    this.#stopReleasing();
    // a paused task may still be overridden: one accepted behind the run in flight still follows it
    if (pending?.override === true) this.#pending = pending;
  }

  resume(): void {
    if (this.#lifecycle !== 'paused') return;
    this.#lifecycle = 'active';
    if (this.engine.releasing) this.rearm(this.engine.clock.now());
  }

  /** Stop releasing for good and drop what has not started; runs in flight continue. */
  halt(): void {
    if (!this.live) return;
    this.#lifecycle = 'stopped';
    this.#stopReleasing();
  }

  /** Cancel: no further releases, queued runs dropped, running runs aborted; stats freeze. */
  cancel(): void {
    if (this.#lifecycle === 'cancelled') return;
    if (this.#lifecycle === 'completed') {
      // a one-shot that ran may still have a run going (an override behind its own): it ends now
      this.#dropPending();
      this.abortRuns(new TaskCancelledError(this.name, 'cancelled'));
      return;
    }
    this.#lifecycle = 'cancelled';
    this.#stopReleasing();
    for (let i = 0, run = this.#activeAt(0); run !== undefined; run = this.#activeAt(++i)) {
      run.abort(new TaskCancelledError(this.name, 'cancelled'));
    }
    this.#retire();
  }

  /** Abort runs in flight (scheduler terminate). */
  abortRuns(reason: unknown): void {
    for (let i = 0, run = this.#activeAt(0); run !== undefined; run = this.#activeAt(++i)) run.abort(reason);
  }

  /** A one-shot ran, or an error stopped the task. */
  protected complete(): void {
    this.#end('completed');
  }

  #end(lifecycle: 'completed' | 'failed'): void {
    if (!this.live) return;
    this.#lifecycle = lifecycle;
    this.#stopReleasing();
    if (lifecycle === 'completed') this.#retire();
  }

  #retire(): void {
    // a cancelled task's runs were aborted: its name is free at once; a completed one's last runs
    // (an override behind the one-shot's run) keep it registered, for terminate() to abort
    if (this.#lifecycle === 'cancelled') this.engine.retire(this.name);
    this.#retired = true;
    this.#retireWhenIdle();
  }

  /** Runs still going are accounted first (a completed task's last run may still be in flight). */
  #retireWhenIdle(): void {
    if (this.#active !== undefined || this.#pending !== undefined) return;
    if (this.#lifecycle === 'completed') this.engine.retire(this.name);
    this.stats.retire();
  }

  #stopReleasing(): void {
    this.engine.timers.cancel(this);
    this.#dropPending();
    // from the last: a removal moves the last run into the hole, which has then been seen
    for (let i = this.activeRuns - 1; i >= 0; i--) {
      const run = this.#activeAt(i);
      if (run === undefined || run.queueIndex < 0) continue;
      this.engine.dispatcher.withdraw(run);
      this.engine.timers.cancel(run);
      this.#removeActive(run);
      this.engine.runSettled();
    }
  }

  /** The `i`-th run queued or running (0 is `#active`); undefined past the last. */
  #activeAt(i: number): Run | undefined {
    return i === 0 ? this.#active : this.#moreActive?.[i - 1];
  }

  #addActive(run: Run): void {
    if (this.#active === undefined) this.#active = run;
    else (this.#moreActive ??= []).push(run);
  }

  #isActive(run: Run): boolean {
    for (let i = 0, active = this.#activeAt(0); active !== undefined; active = this.#activeAt(++i)) if (active === run) return true;
    return false;
  }

  #removeActive(run: Run): void {
    const more = this.#moreActive;
    if (run === this.#active) {
      this.#active = more?.pop();
      return;
    }
    if (more === undefined) return;
    const index = more.indexOf(run);
    if (index < 0) return;
    more[index] = more[more.length - 1]!;
    more.pop();
  }

  #dropPending(): void {
    if (this.#pending === undefined) return;
    this.engine.timers.cancel(this.#pending);
    this.#pending = undefined;
  }

  /** Whether new releases may be armed now. */
  protected get armable(): boolean {
    return this.#lifecycle === 'active' && this.engine.releasing;
  }
}
