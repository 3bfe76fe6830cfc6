/**
 * The supervisory Monitor (seed 004): observes, never controls, never blocks.
 *
 * Once per `intervalMs`, on one alarm of the injected clock, it samples its sources (the
 * scheduler, worker managers, queues) with synchronous snapshot calls, judges stale workers
 * (`StaleDetector`, discounting its own blind spots) and system idleness (`IdleDetector`), reads
 * the event loop's health, and publishes ONE frozen `MonitorSnapshot` with its HUD line; then it
 * emits what changed. Between samples it records the sources' events (worker state changes,
 * deadline misses, overrides, alerts) on a timeline ring. It never calls a mutating method of a
 * source and never sets the `stop` / `terminate` signals; a source that throws is logged once and
 * skipped, and a listener that throws is logged, so the monitor cannot take the system down.
 */
import { EventEmitter } from 'node:events';
import { z } from 'zod';
import { AbortError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { SchedulerDescription } from '../scheduler/describe.js';
import type { Alarm, Clock } from '../time/clock.js';
import { parseOrThrow } from '../validation.js';
import { logAnomaly } from './anomalies.js';
import { BlindSpots } from './blind-spots.js';
import { deepFreeze } from './deep-freeze.js';
import { toDetail, type JsonObject } from './detail.js';
import { EventLoopProbe, QUIET_EVENT_LOOP } from './event-loop-probe.js';
import { formatHud } from './hud.js';
import { IdleDetector, type IdleSample } from './idle-detector.js';
import { parseMonitorOptions, SCHEDULER_QUEUE, type MonitorOptions, type ResolvedMonitorOptions } from './options.js';
import { copyWorker, jobRunsInFlight, summarizeTasks, type BacklogView, type MonitorSnapshot, type TasksView } from './snapshot.js';
import type { LatencyStats } from '../scheduler/latency-monitor.js';
import type { EventSource, SchedulerSummary, WorkerSnapshot } from './sources.js';
import { StaleDetector, type StaleChange } from './stale-detector.js';
import { Timeline, type TimelineEntry, type TimelineKind, type TimelineQuery } from './timeline.js';

export interface StaleEvent extends StaleChange {
  at: number;
  wallAt: number;
}

export interface IdleEvent {
  at: number;
  wallAt: number;
  /** When the quiet window began. */
  since: number;
}

export interface BusyEvent {
  at: number;
  wallAt: number;
}

export interface MonitorEvents {
  stale: [StaleEvent];
  'stale-cleared': [StaleEvent];
  idle: [IdleEvent];
  busy: [BusyEvent];
  timeline: [TimelineEntry];
  snapshot: [MonitorSnapshot];
}

type MonitorEventName = keyof MonitorEvents;

/** Source events recorded on the timeline, by the kind they are recorded as. */
const SCHEDULER_EVENTS: readonly (readonly [string, TimelineKind])[] = [
  ['deadline-miss', 'deadline-miss'],
  ['backpressure', 'backpressure'],
  ['safety-override', 'safety-override'],
  ['task-error', 'task-error'],
  ['latency-alert', 'latency-alert'],
];
const WORKER_EVENTS: readonly (readonly [string, TimelineKind])[] = [
  ['state-change', 'worker-state'],
  ['suspect', 'worker-suspect'],
  ['restart', 'worker-restart'],
  ['degraded', 'worker-degraded'],
  ['safety', 'worker-safety'],
  ['exit', 'worker-exit'],
];

/** Workers in these states may hold or be about to hold work: never idle. */
const BUSY_STATES: ReadonlySet<string> = new Set(['starting', 'restarting']);

/** Tasks whose deadline-miss entries are throttled at once (the oldest is forgotten beyond). */
const MAX_MISS_TRACKED = 10_000;

/** A tick later than this share of the interval marks its gap as a blind spot. */
const BLIND_LATENESS = 0.25;

const querySchema = z.strictObject({
  sinceMs: z.number().finite().optional(),
  afterSeq: z.number().int().nonnegative().optional(),
  kinds: z.array(z.string().max(64)).max(64).optional(),
  limit: z.number().int().nonnegative().optional(),
});

interface Sample {
  workers: WorkerSnapshot[];
  backlog: BacklogView;
  description: SchedulerDescription | undefined;
  tasks: TasksView | null;
  idle: IdleSample;
}

interface IdleWaiter {
  resolve: () => void;
  reject: (error: unknown) => void;
  cleanup: () => void;
}

export class Monitor extends EventEmitter<MonitorEvents> {
  readonly clock: Clock;
  readonly #o: ResolvedMonitorOptions;
  readonly #logger: Logger;
  readonly #timeline: Timeline;
  readonly #blind = new BlindSpots();
  readonly #stale: StaleDetector;
  readonly #idle: IdleDetector;
  readonly #probe: EventLoopProbe;
  readonly #alarm: Alarm;
  readonly #failing = new Set<object>();
  readonly #waiters = new Set<IdleWaiter>();
  #detachers: (() => void)[] = [];
  #missesSeen = new Map<string, number>();
  readonly #misses = new Map<string, { at: number; suppressed: number; pending: number }>();
  #running = false;
  #dueAt = 0;
  #lastTickAt: number | undefined;
  #seq = 0;
  #hudBlocked = false;
  #snapshot: MonitorSnapshot;

  constructor(options: MonitorOptions = {}) {
    super();
    this.#o = parseMonitorOptions(options);
    this.clock = this.#o.clock;
    this.#logger = this.#o.logger;
    this.#timeline = new Timeline(this.#o.timelineSize);
    this.#stale = new StaleDetector(this.#o.staleAfterMs, this.#o.clearAfterBeats, this.#blind);
    this.#idle = new IdleDetector(this.#o.idleDebounceMs);
    this.#probe = new EventLoopProbe(this.#o.eventLoopResolutionMs);
    this.#alarm = this.clock.createAlarm(() => this.#tick());
    const nothing: Sample = { workers: [], backlog: { total: 0, byQueue: {}, byCategory: {} }, description: undefined, tasks: null, idle: { busy: true, activity: [] } };
    this.#snapshot = this.#publish(0, this.clock.now(), 0, nothing, QUIET_EVENT_LOOP);
  }

  get running(): boolean {
    return this.#running;
  }

  /** Start sampling: one sample now, then one per interval. Idempotent. */
  start(): this {
    if (this.#running) return this;
    const now = this.clock.now();
    if (this.#o.terminate?.aborted === true) {
      this.#sample(now, 0);
      return this;
    }
    this.#running = true;
    // Whatever happened while the monitor was stopped, it did not see: a blind spot.
    if (this.#lastTickAt !== undefined) this.#blind.record(this.#lastTickAt, now);
    this.#idle.reset();
    this.#attach();
    this.#probe.start();
    this.#dueAt = now;
    this.#tick();
    return this;
  }

  /** Stop sampling and detach from the sources; pending `whenIdle()` calls reject. Idempotent. */
  stop(): this {
    if (!this.#running) return this;
    this.#running = false;
    this.#alarm.disarm();
    for (const detach of this.#detachers) detach();
    this.#detachers = [];
    this.#probe.stop();
    for (const waiter of [...this.#waiters]) {
      waiter.cleanup();
      waiter.reject(new AbortError('the monitor stopped'));
    }
    return this;
  }

  /** The latest sample: frozen, JSON-serialisable, shared by every reader. */
  snapshot(): MonitorSnapshot {
    return this.#snapshot;
  }

  /** The latest HUD line. */
  hudLine(): string {
    return this.#snapshot.hud;
  }

  /** Timeline entries, oldest first; see `TimelineQuery`. */
  timeline(query: TimelineQuery = {}): TimelineEntry[] {
    return this.#timeline.query(parseOrThrow(querySchema, query, 'monitor.timeline') as TimelineQuery);
  }

  /** Resolves once the system is idle (at once if it is now); rejects if `signal` aborts or the monitor stops. */
  whenIdle(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(new AbortError('whenIdle was aborted', { cause: signal.reason }));
    if (this.#idle.idle) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        waiter.cleanup();
        reject(new AbortError('whenIdle was aborted', { cause: signal?.reason }));
      };
      const waiter: IdleWaiter = {
        resolve,
        reject,
        cleanup: () => {
          this.#waiters.delete(waiter);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      this.#waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  // ---- sampling ----

  #tick(): void {
    const now = this.clock.now();
    const lagMs = Math.max(0, now - this.#dueAt);
    if (this.#lastTickAt !== undefined && lagMs > this.#o.intervalMs * BLIND_LATENESS) {
      this.#blind.record(this.#lastTickAt, now);
      if (lagMs >= this.#o.intervalMs) this.#record('monitor-lag', undefined, { lagMs, blindMs: now - this.#lastTickAt });
    }
    this.#lastTickAt = now;
    this.#dueAt += this.#o.intervalMs;
    if (this.#dueAt <= now) this.#dueAt = now + this.#o.intervalMs;
    if (this.#running) this.#alarm.arm(this.#dueAt);
    this.#sample(now, lagMs);
  }

  #sample(now: number, lagMs: number): void {
    try {
      const sample = this.#read();
      const staleChanges = this.#stale.evaluate(sample.workers, now);
      const idleChange = this.#idle.observe(sample.idle, now);
      this.#checkMissBursts(sample.description, now);
      this.#snapshot = this.#publish(++this.#seq, now, lagMs, sample, this.#probe.sample());
      for (const change of staleChanges) this.#onStaleChange(change, now);
      if (idleChange?.kind === 'idle') this.#onIdle(now, idleChange.since);
      else if (idleChange?.kind === 'busy') this.#onBusy(now);
      this.#writeHud(this.#snapshot.hud);
      this.#emitSafely('snapshot', this.#snapshot);
    } catch (error) {
      this.#logger.error({ err: error }, 'monitor sample failed');
    }
  }

  #read(): Sample {
    const workers: WorkerSnapshot[] = [];
    const activity: number[] = [];
    let busy = false;
    for (const source of this.#o.workers) {
      const listed = this.#guard(source, 'workers', () => source.list());
      if (listed === undefined) continue;
      for (const worker of listed) {
        workers.push(worker);
        if (worker.task !== null || BUSY_STATES.has(worker.state)) busy = true;
        activity.push(worker.generation, worker.restarts);
      }
    }
    const byQueue: Record<string, number> = {};
    const byCategory: Record<string, number> = {};
    let total = 0;
    const addBacklog = (name: string, category: string | undefined, size: number): void => {
      byQueue[name] = size;
      const key = category ?? name;
      byCategory[key] = (byCategory[key] ?? 0) + size;
      total += size;
      if (size > 0) busy = true;
    };
    for (const queue of this.#o.queues) {
      const size = this.#guard(queue, `queue ${queue.name}`, () => queue.size());
      const known = typeof size === 'number' && Number.isFinite(size);
      if (!known) busy = true; // an unreadable queue might hold work
      addBacklog(queue.name, queue.category, known && size > 0 ? size : 0);
      // An unreadable counter is NaN, which equals nothing: no idle while a source fails.
      if (queue.enqueuedTotal !== undefined) activity.push(this.#guard(queue, `queue ${queue.name}`, () => queue.enqueuedTotal!()) ?? Number.NaN);
    }
    const scheduler = this.#o.scheduler;
    let description: SchedulerDescription | undefined;
    let tasks: TasksView | null = null;
    if (scheduler !== undefined) {
      description = this.#guard(scheduler, 'scheduler', () => scheduler.describe());
      const jobs: SchedulerSummary | null = this.#guard(scheduler, 'scheduler', () => scheduler.summary?.()) ?? null;
      const latency: LatencyStats | null = this.#guard(scheduler, 'scheduler', () => scheduler.latency?.stats()) ?? null;
      if (description !== undefined) {
        tasks = summarizeTasks(description, jobs, latency === null ? null : structuredClone(latency));
        addBacklog(SCHEDULER_QUEUE, undefined, tasks.queued);
        // unfinished jobs (waiting on dependencies, resources or a retry backoff too) keep it busy
        if (jobRunsInFlight(description, jobs) > 0 || (jobs?.live ?? 0) > 0) busy = true;
      } else busy = true;
      if (jobs !== null) activity.push(jobs.submitted, jobs.completed, jobs.failed, jobs.cancelled);
    }
    return { workers, backlog: { total, byQueue, byCategory }, description, tasks, idle: { busy, activity } };
  }

  /** Call a source; on a throw, log it once (until it recovers) and return undefined. */
  #guard<T>(source: object, what: string, read: () => T): T | undefined {
    try {
      const value = read();
      this.#failing.delete(source);
      return value;
    } catch (error) {
      if (!this.#failing.has(source)) {
        this.#failing.add(source);
        this.#logger.error({ err: error, source: what }, 'a monitor source threw; skipped until it recovers');
        this.#record('source-error', what, { source: what, error: toDetail(error) });
      }
      return undefined;
    }
  }

  #publish(seq: number, now: number, lagMs: number, sample: Sample, eventLoop: MonitorSnapshot['eventLoop']): MonitorSnapshot {
    const stale = this.#stale.staleNames();
    const flags = { stop: this.#o.stop?.aborted === true, terminate: this.#o.terminate?.aborted === true };
    const workers = sample.workers.map((worker) => copyWorker(worker, this.#stale.isStale(worker.name)));
    const idle = this.#idle.idle;
    return deepFreeze({
      at: now,
      wallAt: this.clock.wallNow(),
      seq,
      intervalMs: this.#o.intervalMs,
      staleAfterMs: this.#o.staleAfterMs,
      lagMs,
      workers,
      backlog: sample.backlog,
      eventLoop: { ...eventLoop },
      stale,
      idle,
      idleSince: idle ? this.#idle.quietSince : null,
      flags,
      hud: formatHud({ workers, backlogByCategory: sample.backlog.byCategory, stale, idle, flags }),
      tasks: sample.tasks,
    });
  }

  #checkMissBursts(description: SchedulerDescription | undefined, now: number): void {
    if (description === undefined) return;
    const seen = new Map<string, number>();
    const windowMs = this.#o.intervalMs;
    for (const task of description.tasks) {
      const total = task.stats.deadlineMisses;
      seen.set(task.name, total);
      const misses = total - (this.#missesSeen.get(task.name) ?? total);
      if (misses >= this.#o.missBurstThreshold) {
        logAnomaly(this.#logger, now, { event: 'deadline-miss-burst', task: task.name, misses, windowMs, totalMisses: total });
      }
    }
    this.#missesSeen = seen;
  }

  // ---- reactions ----

  #onStaleChange(change: StaleChange, now: number): void {
    const event: StaleEvent = { ...change, at: now, wallAt: this.clock.wallNow() };
    this.#record(change.kind, change.worker, { ...change });
    if (change.kind === 'stale') {
      logAnomaly(this.#logger, now, {
        event: 'stale',
        worker: change.worker,
        generation: change.generation,
        heartbeatAgeMs: change.heartbeatAgeMs,
        silentMs: change.silentMs,
        staleAfterMs: this.#o.staleAfterMs,
      });
    } else {
      this.#logger.info({ event: 'stale-cleared', worker: change.worker, reason: change.reason, at: now }, 'worker no longer stale');
    }
    this.#emitSafely(change.kind, event);
  }

  #onIdle(now: number, since: number): void {
    this.#record('idle', undefined, { since, quietMs: now - since });
    this.#emitSafely('idle', { at: now, wallAt: this.clock.wallNow(), since });
    for (const waiter of [...this.#waiters]) {
      waiter.cleanup();
      waiter.resolve();
    }
  }

  #onBusy(now: number): void {
    this.#record('busy', undefined, {});
    this.#emitSafely('busy', { at: now, wallAt: this.clock.wallNow() });
  }

  #onSourceEvent(kind: TimelineKind, payload: unknown): void {
    const at = this.clock.now();
    const name = typeof (payload as { name?: unknown } | null)?.name === 'string' ? (payload as { name: string }).name : undefined;
    if (kind === 'deadline-miss' && name !== undefined && this.#throttleMiss(name, at)) return;
    const detail = toDetail(payload);
    if (kind === 'deadline-miss' && name !== undefined) detail.suppressedBefore = this.#misses.get(name)!.suppressed;
    this.#record(kind, name, detail);
    if (kind === 'safety-override') {
      logAnomaly(this.#logger, at, {
        event: 'safety-override',
        task: name ?? '',
        reason: typeof detail.reason === 'string' ? detail.reason : '',
        principal: typeof detail.principal === 'string' ? detail.principal : null,
        coalesced: detail.coalesced === true,
      });
    } else if (kind === 'latency-alert') logAnomaly(this.#logger, at, { event: 'latency-alert', detail });
    else if (kind === 'worker-safety') logAnomaly(this.#logger, at, { event: 'worker-escalation', worker: name ?? null, detail });
    else if (kind === 'worker-degraded') logAnomaly(this.#logger, at, { event: 'degraded', worker: name ?? null, detail });
  }

  /**
   * At most one deadline-miss entry per task per interval, so a task missing every run cannot
   * push worker state changes and stale marks out of the ring; the next entry counts the misses
   * left out before it (`suppressedBefore`). True when this miss is left out.
   */
  #throttleMiss(name: string, at: number): boolean {
    const last = this.#misses.get(name);
    if (last !== undefined && at - last.at < this.#o.intervalMs) {
      last.pending++;
      return true;
    }
    this.#misses.set(name, { at, suppressed: last?.pending ?? 0, pending: 0 });
    if (this.#misses.size > MAX_MISS_TRACKED) this.#misses.delete(this.#misses.keys().next().value!);
    return false;
  }

  #onFlag(flag: 'stop' | 'terminate'): void {
    this.#record('flag', undefined, { flag });
    if (flag !== 'terminate') return;
    // Seed 004: on terminate the monitor loop exits at once, after one last sample showing the flag.
    this.#sample(this.clock.now(), 0);
    this.stop();
  }

  #record(kind: TimelineKind, name: string | undefined, detail: JsonObject): void {
    const entry = this.#timeline.push(this.clock.now(), this.clock.wallNow(), kind, name, deepFreeze(detail));
    this.#emitSafely('timeline', entry);
  }

  #attach(): void {
    const subscribe = (source: Partial<EventSource> | undefined, events: readonly (readonly [string, TimelineKind])[]): void => {
      if (source?.on === undefined || source.off === undefined) return;
      for (const [event, kind] of events) {
        const listener = (payload: unknown): void => this.#onSourceEvent(kind, payload);
        source.on(event, listener);
        this.#detachers.push(() => source.off?.(event, listener));
      }
    };
    subscribe(this.#o.scheduler, SCHEDULER_EVENTS);
    for (const source of this.#o.workers) subscribe(source, WORKER_EVENTS);
    for (const flag of ['stop', 'terminate'] as const) {
      const signal = this.#o[flag];
      if (signal === undefined || signal.aborted) continue;
      const listener = (): void => this.#onFlag(flag);
      signal.addEventListener('abort', listener, { once: true });
      this.#detachers.push(() => signal.removeEventListener('abort', listener));
    }
  }

  #writeHud(line: string): void {
    const stream = this.#o.hudStream;
    if (stream === undefined || this.#hudBlocked) return;
    // Never block and never queue without bound: while the stream is full, lines are dropped.
    if (!stream.write(`${line}\n`)) {
      this.#hudBlocked = true;
      stream.once('drain', () => {
        this.#hudBlocked = false;
      });
    }
  }

  #emitSafely<K extends MonitorEventName>(event: K, ...args: MonitorEvents[K]): void {
    try {
      (this.emit as (event: K, ...args: MonitorEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      this.#logger.error({ err: error, event }, 'a monitor event listener threw');
    }
  }
}
