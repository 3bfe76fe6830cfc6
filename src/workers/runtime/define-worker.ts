/**
 * The worker side's one declaration (seed 002's device worker): what to set up, which loops run on
 * the worker's precise timer, which commands it answers, what to release on stop.
 *
 * A worker module's default export is `defineWorker({...})`. The manager spawns the built-in
 * runtime entry, which imports the module, validates the definition and the config, runs
 * `setup(config, ctx)`, starts the loops and answers commands. The returned definition also
 * carries the command types, so the parent gets a typed `handle.request(...)` from
 * `spawn<typeof myWorker>(...)` with a type-only import.
 */
import type { z } from 'zod';

export interface WorkerLog {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** What setup, commands and teardown receive. */
export interface WorkerContext<State = unknown, Config = unknown> {
  /** The worker's name, as spawned. */
  readonly name: string;
  /** Which start of this worker this is (1 for the first, +1 per restart). */
  readonly generation: number;
  readonly isolation: 'thread' | 'process';
  readonly config: Config;
  /** What `setup` returned (undefined during setup). */
  readonly state: State;
  /** Aborted when the worker is asked to stop. */
  readonly signal: AbortSignal;
  /** Monotonic milliseconds (this worker's timeline). */
  now(): number;
  /**
   * Seed 002's data plane: send a `WorkerPayload` of `type` (e.g. `frame`, `ft_sample`; 1-64 of
   * letters, digits, `_ . : -`) with these bytes, stamped now. Returns false when it was not
   * accepted (full under `overflow: 'reject'`, or stopping). Never blocks. Throws for a bad type
   * name or bytes beyond the spawn's `ring.slotBytes`.
   */
  publish(type: string, data: Uint8Array): boolean;
  /** What the worker is busy on, shown by the monitor (seed 004's category); null = idle. */
  setTask(task: string | null): void;
  /** Change a loop's period from its next release on (e.g. a camera's frame rate). */
  setPeriod(loop: string, periodMs: number): void;
  /** Log through the parent's logger (rate-limited). */
  readonly log: WorkerLog;
}

/** What a loop's `run` receives: the worker context plus this run's timing. One object per loop, reused. */
export interface LoopContext<State = unknown, Config = unknown> extends WorkerContext<State, Config> {
  readonly loop: string;
  /** Runs of this loop so far, this one included. */
  readonly iteration: number;
  readonly periodMs: number;
  /** When this run was due, and when it started (monotonic ms). */
  readonly scheduledAt: number;
  readonly startedAt: number;
}

export interface LoopDefinition<State = unknown, Config = unknown> {
  /** Unique within the worker: letters, digits, `_ . : -`. */
  name: string;
  /** Release k is due at t0 + k * periodMs (t0 = when the loops start). */
  periodMs: number;
  /** A run finishing later than scheduledAt + deadlineMs is a deadline miss (default periodMs). */
  deadlineMs?: number;
  /** A run starting later than this after its release is a jitter warning (default none). */
  maxJitterMs?: number;
  /**
   * The body. Synchronous bodies are the norm (a vendor SDK call, a sensor read); a returned
   * promise is awaited before the next release, and a release passing meanwhile is an overrun.
   */
  run(ctx: LoopContext<State, Config>): void | Promise<void>;
}

/**
 * A command's handler. It runs on the worker's thread between loop runs: keep it short, or make it
 * async. A handler that blocks the thread for `killAfterBeats` heartbeats stops the heartbeat too,
 * and the worker is killed as hung. The result must be JSON (undefined becomes null).
 */
export type CommandHandler<State = unknown, Config = unknown, In = unknown, Out = unknown> = (
  payload: In,
  ctx: WorkerContext<State, Config>,
) => Out | Promise<Out>;

/** A command with an input schema: payloads failing it are answered with `ERR_TACTUS_INVALID_PAYLOAD`. */
export interface CommandDefinition<State = unknown, Config = unknown, In = unknown, Out = unknown> {
  input: z.ZodType<In>;
  handle: CommandHandler<State, Config, In, Out>;
}

/**
 * Commands by name: a handler, or `{ input, handle }` whose payload type comes from the schema.
 * A payload without a schema is `unknown` to its handler, and reaches it unvalidated.
 */
export type CommandEntries<State, Config, Inputs> = {
  [K in keyof Inputs]: CommandDefinition<State, Config, Inputs[K]> | CommandHandler<State, Config, Inputs[K]>;
};

export interface WorkerDefinition<Config = unknown, State = unknown, Inputs = Record<never, never>, Entries = unknown> {
  /** Validates the spawn config in the worker before `setup`; a failure is a failed start. */
  config?: z.ZodType<Config>;
  /** Open the device; what it returns becomes `ctx.state`. A throw is a failed start. */
  setup?(config: Config, ctx: WorkerContext<undefined, Config>): State | Promise<State>;
  loops?: readonly LoopDefinition<State, Config>[];
  /** Commands the parent may `request`; `Entries` only captures their exact types for the parent. */
  commands?: CommandEntries<State, Config, Inputs> & Entries;
  /** Release the device on stop (bounded by the manager's stopTimeoutMs). */
  teardown?(ctx: WorkerContext<State, Config>): void | Promise<void>;
}

/** The brand the runtime checks on a module's default export. */
export const WORKER_DEFINITION = Symbol.for('tactus.worker-definition');

/** A declared worker: the definition, branded, with its command types for the parent. */
export type DefinedWorker<Config = unknown, State = unknown, Inputs = Record<never, never>, Entries = unknown> = WorkerDefinition<
  Config,
  State,
  Inputs,
  Entries
> & {
  readonly [WORKER_DEFINITION]: { readonly inputs: Inputs; readonly entries: Entries };
};

/** Declare a worker; make it the module's default export. */
export function defineWorker<Config = unknown, State = undefined, Inputs = Record<never, never>, Entries = unknown>(
  definition: WorkerDefinition<Config, State, Inputs, Entries>,
): DefinedWorker<Config, State, Inputs, Entries> {
  const brand = { inputs: undefined as Inputs, entries: undefined as Entries };
  return Object.freeze({ ...definition, [WORKER_DEFINITION]: brand });
}

/** What the parent sends: the schema's input type (before defaults and transforms), else the handler's payload type. */
type WireInputOf<E, Fallback> = E extends { input: z.ZodType<unknown, infer Wire> } ? Wire : Fallback;
type OutputOf<E> = E extends { handle: (...args: never[]) => infer Out } ? Awaited<Out> : E extends (...args: never[]) => infer Out ? Awaited<Out> : unknown;

/** The parent's view of a worker's commands: name -> { input, output }. */
export type CommandMap = Record<string, { input: unknown; output: unknown }>;

/** `CommandMap` of a defined worker, for `spawn<typeof worker>(...)` with a type-only import. */
export type CommandsOf<W> = W extends { readonly [WORKER_DEFINITION]: { readonly inputs: infer Inputs; readonly entries: infer Entries } }
  ? {
      [K in keyof Inputs & string]: {
        input: K extends keyof Entries ? WireInputOf<Entries[K], Inputs[K]> : Inputs[K];
        output: K extends keyof Entries ? OutputOf<Entries[K]> : unknown;
      };
    }
  : CommandMap;
