/**
 * The worker side of the control plane: the life of one worker generation.
 *
 * 1. Wait for `init` (the first message; anything before it is counted and ignored).
 * 2. Import the worker module, check its `defineWorker` brand and its loops, validate the config,
 *    run `setup`. A failure is reported as `fatal` and the worker exits 1: a failed start.
 * 3. Start the loop runner, answer `ready`. Requests that arrived early are answered now.
 * 4. On every runner step: bump the heartbeat (shared cell for threads; a heartbeat message every
 *    `heartbeatMs` for processes), flush the current task, coalesced loop events (at most every
 *    EVENT_FLUSH_MS, as totals and deltas) and loop stats (every `statsIntervalMs`).
 * 5. On `stop`: stop releasing, abort `ctx.signal`, run `teardown`, flush, exit 0. If the parent's
 *    end of the channel closes, exit at once.
 * Every message in is decoded by the codec; rejects are counted by reason and reported with stats.
 */
import { setPriority } from 'node:os';
import { z } from 'zod';
import { MAX_DELAY_MS } from '../../scheduler/config.js';
import { decodeMessage, encodeMessage, RejectCounter } from '../codec.js';
import { nameSchema, parentMessageSchemas, type InitMessage, type LoopEventKind, type RequestMessage, type WorkerMessage } from '../protocol.js';
import { toWireError } from '../wire-error.js';
import { CommandTable } from './commands.js';
import { BaseContext, SlotContext } from './context.js';
import { WORKER_DEFINITION, type LoopContext, type WorkerDefinition, type WorkerLog } from './define-worker.js';
import { LoopRunner } from './loop-runner.js';
import { LoopSlot } from './loop-slot.js';
import { PreciseSleeper } from './precise-sleeper.js';
import type { WorkerChannel } from './worker-channel.js';

/** Loop events are reported at most this often (as totals and deltas). */
export const EVENT_FLUSH_MS = 50;
/** Log messages forwarded per second at most; the rest are counted and reported. */
export const MAX_LOGS_PER_SECOND = 100;

/** Where `ctx.publish` goes (the data plane); undefined when the worker has none. */
export interface DataSink {
  publish(type: string, data: Uint8Array): boolean;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  channel: WorkerChannel;
  maxMessageBytes: number;
  now(): number;
  /** Build the data sink once `init` is known. */
  openSink(init: InitMessage, channel: WorkerChannel): DataSink | undefined;
  exit(code: number): void;
}

const loopSchema = z
  .object({
    name: nameSchema,
    periodMs: z.number().finite().positive().max(MAX_DELAY_MS),
    deadlineMs: z.number().finite().positive().max(MAX_DELAY_MS).optional(),
    maxJitterMs: z.number().finite().nonnegative().max(MAX_DELAY_MS).optional(),
    run: z.custom<() => unknown>((v) => typeof v === 'function', 'must be a function'),
  })
  .refine((l) => l.deadlineMs === undefined || l.deadlineMs <= l.periodMs, { message: 'must not exceed periodMs', path: ['deadlineMs'] });
const loopsSchema = z
  .array(loopSchema)
  .max(64)
  .refine((loops) => new Set(loops.map((l) => l.name)).size === loops.length, 'loop names must be unique');

type EventCounter = { kind: LoopEventKind; reported: number };

export class WorkerRuntime {
  readonly #options: RuntimeOptions;
  readonly #channel: WorkerChannel;
  readonly #rejected = new RejectCounter();
  readonly #abort = new AbortController();
  readonly #early: RequestMessage[] = [];
  #init: InitMessage | undefined;
  #context: BaseContext | undefined;
  #commands: CommandTable | undefined;
  #definition: WorkerDefinition | undefined;
  #slots: LoopSlot[] = [];
  #runner: LoopRunner | undefined;
  #sink: DataSink | undefined;
  #events: EventCounter[][] = [];
  #ready = false;
  #stopping = false;
  #beat = 0;
  #lastBeatSentAt = Number.NEGATIVE_INFINITY;
  #lastEventsAt = Number.NEGATIVE_INFINITY;
  #lastStatsAt = Number.NEGATIVE_INFINITY;
  #task: string | null = null;
  #taskDirty = false;
  #logWindowAt = 0;
  #logsInWindow = 0;
  #logsDropped = 0;

  constructor(options: RuntimeOptions) {
    this.#options = options;
    this.#channel = options.channel;
  }

  listen(): void {
    this.#channel.listen({
      message: (raw) => this.#receive(raw),
      tooLarge: () => this.#rejected.count('too-large'),
      closed: () => this.#options.exit(0),
    });
  }

  #receive(raw: unknown): void {
    const decoded = decodeMessage(raw, parentMessageSchemas, this.#init?.maxMessageBytes ?? this.#options.maxMessageBytes);
    if (!decoded.ok) {
      this.#rejected.count(decoded.reason);
      return;
    }
    const message = decoded.message;
    switch (message.type) {
      case 'init':
        if (this.#init !== undefined) {
          this.#rejected.count('unexpected');
          return;
        }
        this.#init = message;
        void this.#start(message);
        return;
      case 'request':
        if (this.#init === undefined) this.#rejected.count('unexpected');
        else if (this.#ready) void this.#answer(message);
        else this.#early.push(message);
        return;
      case 'stop':
        void this.#stop();
        return;
    }
  }

  async #start(init: InitMessage): Promise<void> {
    try {
      const definition = await this.#load(init.module);
      this.#definition = definition;
      const config = definition.config === undefined ? init.config : this.#validateConfig(definition, init.config);
      const loops = loopsSchema.safeParse(definition.loops ?? []);
      if (!loops.success) {
        const issue = loops.error.issues[0];
        throw new TypeError(`loops.${issue?.path.map(String).join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
      }
      this.#commands = new CommandTable(definition.commands);
      this.#sink = this.#options.openSink(init, this.#channel);
      const context = new BaseContext(
        { name: init.name, generation: init.generation, isolation: init.isolation, config, signal: this.#abort.signal },
        {
          now: this.#options.now,
          publish: (type, data) => this.#sink !== undefined && !this.#stopping && this.#sink.publish(type, data),
          setTask: (task) => this.#setTask(task),
          setPeriod: (loop, periodMs) => this.#setPeriod(loop, periodMs),
          log: this.#log,
        },
      );
      this.#context = context;
      this.#slots = (definition.loops ?? []).map((loop) => new LoopSlot(loop as never));
      if (definition.setup !== undefined) context.state = await definition.setup(config, context as BaseContext & { state: undefined });
      this.#events = this.#slots.map(() =>
        (['deadline-miss', 'jitter-warning', 'overrun', 'error', 'backpressure'] as const).map((kind) => ({ kind, reported: 0 })),
      );
      if (this.#stopping) return;
      this.#startRunner(init, context);
      this.#ready = true;
      this.#send({
        type: 'ready',
        gen: init.generation,
        pid: process.pid,
        loops: this.#slots.map((slot) => ({ name: slot.name, periodMs: slot.periodMs, deadlineMs: slot.deadlineMs })),
        commands: this.#commands.names.filter((name) => nameSchema.safeParse(name).success),
      });
      for (const request of this.#early.splice(0)) void this.#answer(request);
    } catch (error) {
      this.#send({ type: 'fatal', gen: init.generation, error: toWireError(error, 'ERR_TACTUS_WORKER_START') });
      await this.#channel.close();
      this.#options.exit(1);
    }
  }

  async #load(module: string): Promise<WorkerDefinition> {
    const loaded = (await import(module)) as { default?: unknown };
    const definition = loaded.default;
    if (definition === null || typeof definition !== 'object' || !(WORKER_DEFINITION in definition)) {
      throw new TypeError(`${module} must default-export defineWorker({...})`);
    }
    return definition as WorkerDefinition;
  }

  #validateConfig(definition: WorkerDefinition, config: unknown): unknown {
    const parsed = definition.config!.safeParse(config);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const field = issue === undefined || issue.path.length === 0 ? 'config' : `config.${issue.path.map(String).join('.')}`;
    throw Object.assign(new TypeError(`${field}: ${issue?.message ?? 'invalid'}`), { code: 'ERR_TACTUS_INVALID_CONFIG' });
  }

  #startRunner(init: InitMessage, context: BaseContext): void {
    if (init.timing.niceness !== null) this.#renice(init.timing.niceness);
    const now = this.#options.now;
    const sleeper = new PreciseSleeper(now, init.timing.spinMarginMs);
    const heartbeat = this.#channel.heartbeat;
    this.#runner = new LoopRunner({
      slots: this.#slots,
      contexts: this.#slots.map((slot) => new SlotContext(context, slot) as LoopContext<unknown, unknown>),
      heartbeatMs: init.heartbeatMs,
      now,
      waitUntil: (at) => sleeper.waitUntil(at),
      beat: heartbeat === undefined ? () => this.#beat++ : () => heartbeat.beat(),
      afterStep: (at) => this.#afterStep(at),
    });
    this.#runner.start();
  }

  /** Set this thread's niceness (on Linux, pid 0 means the calling thread). */
  #renice(niceness: number): void {
    try {
      setPriority(0, niceness);
    } catch (error) {
      this.#log.warn(`niceness ${niceness} could not be applied: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #afterStep(now: number): void {
    const init = this.#init!;
    if (this.#channel.heartbeat === undefined && now - this.#lastBeatSentAt >= init.heartbeatMs) {
      this.#lastBeatSentAt = now;
      this.#taskDirty = false;
      this.#send({ type: 'heartbeat', gen: init.generation, beat: this.#beat, task: this.#task });
    }
    if (this.#taskDirty) {
      this.#taskDirty = false;
      this.#send({ type: 'task', gen: init.generation, task: this.#task });
    }
    if (now - this.#lastEventsAt >= EVENT_FLUSH_MS) {
      this.#lastEventsAt = now;
      this.#flushEvents(init.generation);
    }
    if (now - this.#lastStatsAt >= init.statsIntervalMs) {
      this.#lastStatsAt = now;
      this.#sendStats();
    }
  }

  #flushEvents(gen: number): void {
    for (let i = 0; i < this.#slots.length; i++) {
      const slot = this.#slots[i]!;
      for (const counter of this.#events[i]!) {
        const total = eventTotal(slot, counter.kind);
        if (total === counter.reported) continue;
        const delta = total - counter.reported;
        counter.reported = total;
        const detail = counter.kind === 'error' ? slot.lastError : null;
        this.#send({ type: 'loop-event', gen, loop: slot.name, kind: counter.kind, total, delta, detail: detail === null ? null : detail.slice(0, 500) });
      }
    }
  }

  #sendStats(): void {
    this.#send({
      type: 'stats',
      gen: this.#init!.generation,
      loops: this.#slots.map((slot) => ({ name: slot.name, periodMs: slot.periodMs, stats: slot.stats.snapshot() })),
      rejected: this.#rejected.snapshot(),
    });
  }

  async #answer(request: RequestMessage): Promise<void> {
    const outcome = await this.#commands!.run(request.command, request.payload, this.#context!);
    const gen = this.#init!.generation;
    try {
      if (outcome.ok) {
        this.#sendOrThrow({ type: 'response', gen, id: request.id, ok: true, result: outcome.result as never });
      } else {
        this.#sendOrThrow({ type: 'response', gen, id: request.id, ok: false, error: outcome.error });
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#send({ type: 'response', gen, id: request.id, ok: false, error: { code: 'ERR_TACTUS_PROTOCOL', message: `the result could not be sent: ${message}` } });
    }
  }

  #setTask(task: string | null): void {
    const next = task === null ? null : String(task).slice(0, 200);
    if (next === this.#task) return;
    this.#task = next;
    this.#taskDirty = true;
  }

  #setPeriod(loop: string, periodMs: number): void {
    const slot = this.#slots.find((s) => s.name === loop);
    if (slot === undefined) throw new RangeError(`setPeriod: no loop named ${JSON.stringify(loop)}`);
    if (typeof periodMs !== 'number' || !Number.isFinite(periodMs) || periodMs <= 0 || periodMs > MAX_DELAY_MS) {
      throw new RangeError(`setPeriod(${JSON.stringify(loop)}): periodMs must be a finite number in (0, ${MAX_DELAY_MS}] (got ${String(periodMs)})`);
    }
    slot.setPeriod(periodMs, this.#options.now());
    this.#runner?.replan();
  }

  readonly #log: WorkerLog = {
    debug: (msg, fields) => this.#forwardLog('debug', msg, fields),
    info: (msg, fields) => this.#forwardLog('info', msg, fields),
    warn: (msg, fields) => this.#forwardLog('warn', msg, fields),
    error: (msg, fields) => this.#forwardLog('error', msg, fields),
  };

  #forwardLog(level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> | undefined): void {
    const init = this.#init;
    if (init === undefined) return;
    const now = this.#options.now();
    if (now - this.#logWindowAt >= 1000) {
      this.#logWindowAt = now;
      this.#logsInWindow = 0;
    }
    if (++this.#logsInWindow > MAX_LOGS_PER_SECOND) {
      this.#logsDropped++;
      return;
    }
    const dropped = this.#logsDropped;
    this.#logsDropped = 0;
    let safeFields: Record<string, unknown> | null = fields === undefined ? null : { ...fields };
    if (dropped > 0) safeFields = { ...safeFields, droppedLogs: dropped };
    try {
      this.#sendOrThrow({ type: 'log', gen: init.generation, level, msg: String(msg).slice(0, 2000), fields: safeFields as never });
    } catch {
      this.#send({ type: 'log', gen: init.generation, level, msg: String(msg).slice(0, 2000), fields: null });
    }
  }

  async #stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#runner?.stop();
    this.#abort.abort();
    const definition = this.#definition;
    const context = this.#context;
    try {
      if (this.#ready && definition?.teardown !== undefined && context !== undefined) await definition.teardown(context);
    } catch (error) {
      this.#log.error(`teardown failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (this.#ready) this.#sendStats();
    await this.#sink?.close();
    await this.#channel.close();
    this.#options.exit(0);
  }

  #send(message: WorkerMessage): void {
    try {
      this.#sendOrThrow(message);
    } catch {
      // too large to send: nothing sensible to tell the parent about it on this channel
    }
  }

  #sendOrThrow(message: WorkerMessage): void {
    this.#channel.send(encodeMessage(message, this.#init?.maxMessageBytes ?? this.#options.maxMessageBytes));
  }
}

function eventTotal(slot: LoopSlot, kind: LoopEventKind): number {
  switch (kind) {
    case 'deadline-miss':
      return slot.stats.deadlineMisses;
    case 'jitter-warning':
      return slot.stats.jitterWarnings;
    case 'overrun':
      return slot.stats.overruns;
    case 'error':
      return slot.stats.failed;
    case 'backpressure':
      return slot.backpressures;
  }
}
