/**
 * Supervision of one named worker across its generations (seed 002's process manager, with the
 * reliability plan's A- and D-cases as the rules).
 *
 * States: starting -> running <-> suspect; any live state -> restarting (backoff) or degraded
 * (budget spent) on failure; stopping -> stopped on request. Every timer (start timeout,
 * watchdog ticks, request timeouts, backoff, stop timeout) lives on the manager's one timeline
 * over an injected clock, so the rules run the same under ManualClock as on real time.
 *
 * Generation fencing: each start gets generation + 1 and its own connection; every event of a
 * connection is checked against the current generation, and every message must carry it, so a
 * dead worker's late heartbeat, response or exit can never touch its successor (A18, D2).
 *
 * Restarts pre-launch: right after a failure the next generation's thread or process is started,
 * so it boots (Node, the runtime, its libraries) during the backoff; only when the backoff has
 * elapsed does it get `init` and open the device. Restart-to-running is then the backoff plus the
 * worker's own setup, not plus a cold start.
 *
 * Failure is anything the supervisor did not ask for: a crash or a clean exit of a long-lived
 * worker (A6), a closed control channel (D5), a hang (A3/A4: the watchdog, which counts progress,
 * not time, and discounts the parent's own lag), a start that never reports ready. Each is
 * reported as a `safety` event, then restarted after backoff, or degraded when the budget is spent.
 */
import type { Logger } from '../logger.js';
import type { Clock } from '../time/clock.js';
import type { Timed, TimerQueue } from '../scheduler/timer-queue.js';
import { encodeMessage, type RejectReason } from './codec.js';
import { errorFromWire, ProtocolError, WorkerRequestTimeoutError, WorkerUnavailableError } from './errors.js';
import type { ExitReason, WorkerManagerEventName, WorkerManagerEvents, WorkerState } from './events.js';
import { exitReason, launchGeneration, type Generation } from './generation.js';
import type { ExitInfo, Launcher } from './launch/connection.js';
import { PendingRequests } from './pending-requests.js';
import { WorkerInbox } from './inbox.js';
import type { ReadyMessage, WorkerMessage } from './protocol.js';
import { RestartPolicy } from './restart-policy.js';
import type { WorkerLoopSnapshot, WorkerSnapshot } from './snapshot.js';
import type { ParsedSpec } from './spec.js';
import type { StartGate } from './start-gate.js';
import { Watchdog } from './watchdog.js';
import type { WorkerPayload } from './data-plane/payload.js';
import { WorkerData } from './worker-data.js';

/** How long a closed control channel waits for the worker's exit before it counts as a disconnect. */
export const DISCONNECT_GRACE_MS = 10;

/** What the manager gives each supervisor. */
export interface SupervisorEnvironment {
  clock: Clock;
  timers: TimerQueue;
  logger: Logger;
  launcher: Launcher;
  heartbeatMs: number;
  suspectAfterBeats: number;
  killAfterBeats: number;
  stopTimeoutMs: number;
  startTimeoutMs: number;
  requestTimeoutMs: number;
  statsIntervalMs: number;
  maxMessageBytes: number;
  /** Bounds how many workers boot at once (shared by the manager's supervisors). */
  startGate: StartGate;
  newRestartPolicy(): RestartPolicy;
  emit<K extends WorkerManagerEventName>(event: K, ...args: WorkerManagerEvents[K]): void;
}

/** A timeline entry that calls back. */
class Timer implements Timed {
  timerAt = 0;
  timerIndex = -1;
  readonly #fire: (now: number) => void;

  constructor(fire: (now: number) => void) {
    this.#fire = fire;
  }

  onTimer(now: number): void {
    this.#fire(now);
  }
}

type Waiter = { resolve: () => void; reject: (error: Error) => void };

export class Supervisor {
  readonly name: string;
  readonly spec: ParsedSpec;
  readonly #env: SupervisorEnvironment;
  readonly #policy: RestartPolicy;
  readonly #requests: PendingRequests;
  readonly #heartbeatMs: number;
  readonly #inbox: WorkerInbox;
  readonly #data: WorkerData;
  #state: WorkerState = 'starting';
  #generationNumber = 0;
  #current: Generation | undefined;
  /** The current generation holds a start-gate slot (from launch until ready or exit). */
  #holdsStartSlot = false;
  /** Set while an activation waits for a start-gate slot: withdraws the wait. */
  #cancelStartWait: (() => void) | undefined;
  #restarts = 0;
  #pid: number | null = null;
  #threadId: number | null = null;
  #task: string | null = null;
  #lastBeatAt: number | null = null;
  #loops = new Map<string, WorkerLoopSnapshot>();
  #stopping: Promise<void> | undefined;
  #shuttingDown = false;
  readonly #stoppedWaiters: (() => void)[] = [];
  readonly #runningWaiters: Waiter[] = [];
  readonly #tick = new Timer((now) => this.#onTick(now));
  readonly #startTimer = new Timer(() => this.#onStartTimeout());
  readonly #stopTimer = new Timer(() => this.#kill('killed'));
  readonly #backoffTimer = new Timer(() => this.#activate('backoff elapsed'));
  readonly #disconnectTimer = new Timer(() => this.#onDisconnectGraceOver());

  constructor(spec: ParsedSpec, env: SupervisorEnvironment) {
    this.name = spec.name;
    this.spec = spec;
    this.#env = env;
    this.#heartbeatMs = spec.heartbeatMs ?? env.heartbeatMs;
    this.#policy = env.newRestartPolicy();
    this.#inbox = new WorkerInbox(this.#heartbeatMs, env.maxMessageBytes);
    this.#data = new WorkerData(spec.name, spec.isolation, spec.ring, env.logger);
    this.#requests = new PendingRequests(env.timers, () => env.clock.now(), (command, timeoutMs) => new WorkerRequestTimeoutError(this.name, command, timeoutMs));
  }

  get state(): WorkerState {
    return this.#state;
  }

  get generation(): number {
    return this.#generationNumber;
  }

  get pid(): number | null {
    return this.#pid;
  }

  get threadId(): number | null {
    return this.#threadId;
  }

  /** Start generation 1. */
  start(): void {
    this.#activate('spawned');
  }

  // ---- data ----

  /** The worker's payloads across restarts (one consumer at a time). */
  payloads(signal: AbortSignal | undefined): AsyncIterable<WorkerPayload> {
    return this.#data.payloads(signal);
  }

  /** Emit every payload as a manager `payload` event, until `stopPump`. */
  startPump(): void {
    this.#data.startPump((payload) => this.#env.emit('payload', this.name, payload));
  }

  stopPump(): void {
    this.#data.stopPump();
  }

  // ---- requests ----

  request(command: string, payload: unknown, timeoutMs: number | undefined): Promise<unknown> {
    const state = this.#state;
    if (state === 'degraded' || state === 'stopping' || state === 'stopped' || state === 'restarting' || this.#current === undefined) {
      return Promise.reject(new WorkerUnavailableError(this.name, state));
    }
    const generation = this.#current;
    const timeout = timeoutMs ?? this.#env.requestTimeoutMs;
    return this.#requests.open(command, timeout, (id) => {
      const text = encodeMessage({ type: 'request', id, command, payload: payload === undefined ? null : payload }, this.#env.maxMessageBytes);
      if (!generation.connection.send(text)) throw new ProtocolError(`worker ${JSON.stringify(this.name)}: the control channel is closed or backed up`);
    });
  }

  /** Resolves when the worker is (next) running; rejects when it degrades or stops first. */
  whenRunning(): Promise<void> {
    if (this.#state === 'running' || this.#state === 'suspect') return Promise.resolve();
    if (this.#state === 'degraded' || this.#state === 'stopped' || this.#state === 'stopping') {
      return Promise.reject(new WorkerUnavailableError(this.name, this.#state));
    }
    return this.#nextRunning();
  }

  /** Resolves when the next generation reports ready; rejects if the worker stops or degrades first. */
  #nextRunning(): Promise<void> {
    return new Promise((resolve, reject) => this.#runningWaiters.push({ resolve, reject }));
  }

  // ---- lifecycle requests ----

  /**
   * The manager is shutting down: from now on a failure ends in `stopped`, never in a restart, and
   * a pending backoff restart is dropped (OTP: no restarts during shutdown).
   */
  shutdown(): void {
    this.#shuttingDown = true;
    if (this.#state !== 'restarting') return;
    this.#env.timers.cancel(this.#backoffTimer);
    if (this.#current === undefined) {
      this.#markStopped('shutdown');
    } else {
      this.#transition('stopping', 'shutdown'); // the pre-launched generation never got init
      this.#kill('terminated');
    }
  }

  /** Drain: ask the worker to stop, kill it after stopTimeoutMs. Idempotent. */
  stop(): Promise<void> {
    return this.#stopWith(() => this.#askToStop('stopped'));
  }

  /** Kill at once. Idempotent; escalates a stop in progress. */
  terminate(): Promise<void> {
    const done = this.#stopWith(() => this.#kill('terminated'));
    if (this.#current !== undefined && this.#current.intent !== 'terminated') this.#kill('terminated');
    return done;
  }

  /** Stop the current generation (gracefully) and start a fresh one at once; resolves when that one runs. */
  restart(): Promise<void> {
    switch (this.#state) {
      case 'stopping':
      case 'stopped':
      case 'degraded':
        return Promise.reject(new WorkerUnavailableError(this.name, this.#state));
      case 'restarting':
        this.#env.timers.cancel(this.#backoffTimer);
        this.#activate('restart requested');
        break;
      default:
        if (this.#current !== undefined && this.#current.intent === undefined) this.#askToStop('restarted');
    }
    // the next generation's ready: a running one is on its way out, so its state says nothing yet
    return this.#nextRunning();
  }

  /** Leave `degraded`: forget the budget and backoff, start again. False when not degraded. */
  resetDegraded(): boolean {
    if (this.#state !== 'degraded') return false;
    this.#policy.reset();
    this.#activate('degraded reset');
    return true;
  }

  #stopWith(begin: () => void): Promise<void> {
    if (this.#stopping !== undefined) return this.#stopping;
    this.#stopping = new Promise((resolve) => this.#stoppedWaiters.push(resolve));
    this.#env.timers.cancel(this.#backoffTimer);
    this.#cancelStartWait?.();
    this.#cancelStartWait = undefined;
    if (this.#current === undefined) {
      this.#markStopped('stop requested');
    } else {
      this.#transition('stopping', 'stop requested');
      begin();
    }
    return this.#stopping;
  }

  #markStopped(reason: string): void {
    this.#data.close();
    this.#transition('stopped', reason);
    for (const resolve of this.#stoppedWaiters.splice(0)) resolve();
    for (const waiter of this.#runningWaiters.splice(0)) waiter.reject(new WorkerUnavailableError(this.name, 'stopped'));
  }

  #askToStop(intent: 'stopped' | 'restarted'): void {
    const current = this.#current;
    if (current === undefined) return;
    current.intent = intent;
    current.relaunch = intent === 'restarted';
    try {
      current.connection.send(encodeMessage({ type: 'stop', reason: intent }, this.#env.maxMessageBytes));
    } catch {
      // the connection may already be gone; the stop timer decides
    }
    // a stop during a restart's stop keeps its deadline: the generation was asked once already
    if (this.#stopTimer.timerIndex < 0) this.#env.timers.schedule(this.#stopTimer, this.#env.clock.now() + this.#env.stopTimeoutMs);
  }

  #kill(intent: ExitReason): void {
    const current = this.#current;
    if (current === undefined) return;
    if (current.intent === undefined || intent === 'terminated' || intent === 'killed') current.intent = intent;
    current.connection.kill();
  }

  // ---- generations ----

  /**
   * Start the next generation: send `init` to the one pre-launched during the backoff, or launch
   * one as soon as the start gate has a slot (the state is `starting` meanwhile).
   */
  #activate(reason: string): void {
    this.#loops = new Map();
    this.#task = null;
    this.#transition('starting', reason);
    if (this.#current !== undefined) {
      this.#init(this.#current);
      return;
    }
    this.#cancelStartWait = this.#env.startGate.acquire(() => {
      this.#cancelStartWait = undefined;
      this.#boot();
      this.#init(this.#current!);
    });
  }

  #init(current: Generation): void {
    current.activated = true;
    // a restart counts once its generation starts (one withdrawn while waiting for the gate never did)
    if (current.number > 1) this.#restarts++;
    if (current.intent === 'spawn-failed') return; // the exit is on its way
    current.connection.send(current.initText);
    this.#env.timers.schedule(this.#startTimer, this.#env.clock.now() + (this.spec.startTimeoutMs ?? this.#env.startTimeoutMs));
  }

  #releaseStartSlot(): void {
    if (!this.#holdsStartSlot) return;
    this.#holdsStartSlot = false;
    this.#env.startGate.release();
  }

  /** Launch the next generation's thread or process (holding a start-gate slot); it boots and waits for `init`. */
  #boot(): void {
    this.#holdsStartSlot = true;
    const env = this.#env;
    const number = ++this.#generationNumber;
    const generation = launchGeneration(
      { spec: this.spec, number, launcher: env.launcher, heartbeatMs: this.#heartbeatMs, statsIntervalMs: env.statsIntervalMs, maxMessageBytes: env.maxMessageBytes, data: this.#data },
      {
        message: (raw) => this.#onMessage(number, raw),
        tooLarge: () => this.#reject(number, 'too-large'),
        disconnect: () => this.#onDisconnect(number),
        exit: (info) => this.#onExit(number, info),
      },
    );
    this.#current = generation;
    this.#pid = generation.connection.pid;
    this.#threadId = generation.connection.threadId;
    this.#data.connect(generation.connection);
  }

  #onReady(current: Generation, message: ReadyMessage): void {
    const env = this.#env;
    const now = env.clock.now();
    env.timers.cancel(this.#startTimer);
    this.#releaseStartSlot();
    if (this.spec.isolation === 'process') this.#pid = message.pid;
    for (const loop of message.loops) this.#loops.set(loop.name, { ...loop, stats: emptyStats() });
    current.watchdog = new Watchdog(
      { heartbeatMs: this.#heartbeatMs, suspectAfterBeats: env.suspectAfterBeats, killAfterBeats: env.killAfterBeats },
      now,
      this.#progress(current),
    );
    this.#lastBeatAt = now;
    this.#policy.running(now);
    this.#transition('running', 'ready');
    env.timers.schedule(this.#tick, now + current.watchdog.tickMs);
    for (const waiter of this.#runningWaiters.splice(0)) waiter.resolve();
  }

  #progress(current: Generation): number | undefined {
    return current.heartbeat !== undefined ? current.heartbeat.read() : current.beat;
  }

  #onTick(now: number): void {
    const current = this.#current;
    if (current?.watchdog === undefined || (this.#state !== 'running' && this.#state !== 'suspect')) return;
    const watchdog = current.watchdog;
    const verdict = watchdog.tick(now, this.#progress(current));
    if (watchdog.lastBeatAt !== undefined) this.#lastBeatAt = watchdog.lastBeatAt;
    switch (verdict) {
      case 'recovered':
        this.#transition('running', 'heartbeat resumed');
        break;
      case 'suspect': {
        this.#transition('suspect', `${watchdog.missedBeats} heartbeats missed`);
        const ageMs = this.#lastBeatAt === null ? null : now - this.#lastBeatAt;
        this.#env.logger.warn({ worker: this.name, generation: current.number, missedBeats: watchdog.missedBeats, heartbeatAgeMs: ageMs }, 'worker suspect');
        this.#env.emit('suspect', { name: this.name, generation: current.number, missedBeats: watchdog.missedBeats, heartbeatAgeMs: ageMs });
        break;
      }
      case 'kill':
        this.#env.logger.error({ worker: this.name, generation: current.number, missedBeats: watchdog.missedBeats }, 'worker hung: killing it');
        this.#kill('hung');
        return;
      default:
        break;
    }
    this.#env.timers.schedule(this.#tick, now + watchdog.tickMs);
  }

  #onStartTimeout(): void {
    if (this.#state !== 'starting') return;
    this.#env.logger.error({ worker: this.name, generation: this.#generationNumber }, 'worker did not report ready in time: killing it');
    this.#kill('start-timeout');
  }

  #onDisconnect(number: number): void {
    if (number !== this.#current?.number) return;
    if (this.#state === 'stopping') return; // a stopping worker closes its channel on the way out
    // A dying worker's channel usually closes a moment before its exit is reported: give the exit
    // DISCONNECT_GRACE_MS to arrive (and say why it died) before treating this as a disconnect.
    this.#env.timers.schedule(this.#disconnectTimer, this.#env.clock.now() + DISCONNECT_GRACE_MS);
  }

  #onDisconnectGraceOver(): void {
    const current = this.#current;
    // A stalled or busy event loop runs its due timers before it polls for I/O, so the exit may be
    // waiting right behind this timer: look again after the poll phase before calling it a disconnect.
    setImmediate(() => {
      if (this.#current === current) this.#kill('disconnected');
    });
  }

  #onExit(number: number, info: ExitInfo): void {
    const current = this.#current;
    if (current === undefined || number !== current.number) return;
    const env = this.#env;
    const now = env.clock.now();
    this.#current = undefined;
    this.#pid = null;
    this.#threadId = null;
    env.timers.cancel(this.#tick);
    env.timers.cancel(this.#startTimer);
    env.timers.cancel(this.#stopTimer);
    env.timers.cancel(this.#disconnectTimer); // a pre-launched generation's too: it would kill its successor
    this.#releaseStartSlot();
    if (!current.activated && this.#state === 'restarting') {
      // a pre-launched generation died while booting: the backoff goes on, and activation boots afresh
      env.logger.warn({ worker: this.name, generation: number, code: info.code, signal: info.signal, err: info.error }, 'pre-launched worker exited before init');
      return;
    }
    const reason = exitReason(current.intent, info);
    const expected = reason === 'stopped' || reason === 'terminated' || reason === 'restarted' || (reason === 'killed' && (this.#state === 'stopping' || current.relaunch));
    const error = current.fatal ?? info.error?.message ?? null;
    this.#requests.rejectAll(() => new WorkerUnavailableError(this.name, 'aborted'));
    env.emit('exit', { name: this.name, generation: number, code: info.code, signal: info.signal, reason, expected, error, at: now });
    if (this.#state === 'stopping' || this.#shuttingDown) {
      this.#markStopped(reason);
      return;
    }
    if (current.relaunch) {
      this.#activate('restart requested');
      return;
    }
    this.#fail(number, reason, error, now);
  }

  #fail(number: number, reason: ExitReason, error: string | null, now: number): void {
    const env = this.#env;
    const decision = this.#policy.failed(now);
    const action = decision.action === 'degrade' ? 'degraded' : 'restart';
    env.logger.error({ worker: this.name, generation: number, reason, error, action }, 'worker failed');
    env.emit('safety', { name: this.name, generation: number, reason, action, detail: error, at: now });
    if (decision.action === 'degrade') {
      this.#transition('degraded', `${decision.failures} failures within ${decision.windowMs}ms`);
      env.emit('degraded', { name: this.name, generation: number, failures: decision.failures, windowMs: decision.windowMs, reason });
      for (const waiter of this.#runningWaiters.splice(0)) waiter.reject(new WorkerUnavailableError(this.name, 'degraded'));
      return;
    }
    this.#transition('restarting', reason);
    env.emit('restart', { name: this.name, generation: number, attempt: decision.attempt, delayMs: decision.delayMs, reason });
    env.timers.schedule(this.#backoffTimer, now + decision.delayMs);
    if (env.startGate.tryAcquire()) this.#boot(); // else it launches when the backoff ends, through the gate
  }

  // ---- messages ----

  #reject(number: number, reason: RejectReason): void {
    if (number === this.#current?.number) this.#inbox.reject(reason);
  }

  #onMessage(number: number, raw: unknown): void {
    const current = this.#current;
    if (current === undefined || number !== current.number) {
      this.#inbox.reject('stale-generation');
      return;
    }
    const now = this.#env.clock.now();
    const message = this.#inbox.accept(raw, number, now);
    if (message !== undefined) this.#handle(current, message, now);
  }

  #handle(current: Generation, message: WorkerMessage, now: number): void {
    switch (message.type) {
      case 'ready':
        if (this.#state !== 'starting') this.#inbox.reject('unexpected');
        else this.#onReady(current, message);
        return;
      case 'heartbeat':
        if (current.beat !== undefined && message.beat <= current.beat) {
          this.#inbox.reject('non-monotonic');
          return;
        }
        this.#inbox.heartbeatProcessed();
        current.beat = message.beat;
        this.#task = message.task;
        return;
      case 'task':
        this.#task = message.task;
        return;
      case 'response': {
        const settled = this.#requests.settle(message.id, message.ok ? { ok: true, value: message.result } : { ok: false, error: errorFromWire(message.error) });
        if (!settled) this.#inbox.reject('unexpected');
        return;
      }
      case 'stats':
        for (const loop of message.loops) {
          const known = this.#loops.get(loop.name);
          if (known === undefined) continue;
          known.periodMs = loop.periodMs;
          known.stats = loop.stats;
        }
        this.#inbox.workerRejected(message.rejected as Partial<Record<RejectReason, number>>);
        return;
      case 'loop-event':
        this.#env.emit('loop-event', { name: this.name, generation: current.number, loop: message.loop, kind: message.kind, total: message.total, delta: message.delta, detail: message.detail, at: now });
        return;
      case 'log':
        this.#env.logger[message.level]({ ...(message.fields ?? {}), worker: this.name, generation: current.number }, message.msg);
        return;
      case 'fatal':
        current.fatal = `${message.error.code}: ${message.error.message}`;
        return;
    }
  }

  // ---- state ----

  #transition(to: WorkerState, reason: string): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.#env.emit('state-change', { name: this.name, from, to, generation: this.#generationNumber, reason });
  }

  snapshot(): WorkerSnapshot {
    const now = this.#env.clock.now();
    return {
      name: this.name,
      isolation: this.spec.isolation,
      pid: this.#pid,
      threadId: this.#threadId,
      category: this.spec.category ?? null,
      state: this.#state,
      task: this.#task,
      lastHeartbeatAt: this.#lastBeatAt,
      heartbeatAgeMs: this.#lastBeatAt === null ? null : now - this.#lastBeatAt,
      generation: this.#generationNumber,
      restarts: this.#restarts,
      loops: [...this.#loops.values()].map((loop) => ({ ...loop })),
      data: this.#data.snapshot(),
      ipc: this.#inbox.snapshot(),
    };
  }
}

function emptyStats(): WorkerLoopSnapshot['stats'] {
  const none = { p50: 0, p95: 0, p99: 0, max: 0 };
  return { runs: 0, completed: 0, failed: 0, skipped: 0, overruns: 0, deadlineMisses: 0, jitterWarnings: 0, consecutiveMisses: 0, totalExecMs: 0, totalJitterMs: 0, jitterMs: none, execMs: { ...none } };
}
