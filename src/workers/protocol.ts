/**
 * The control plane's closed protocol: every message between a manager and a worker is one of the
 * types below, a discriminated union on `type`, validated with zod on arrival at BOTH ends (see
 * `codec.ts` for framing, size and shape limits). Nothing outside this list is ever acted on.
 *
 * Worker -> parent messages carry the worker's generation (`gen`): the parent drops any message
 * whose generation is not the one it launched on that channel, so a dead worker's late words can
 * never move its successor's state. Data (frames, samples) never travels here: see the data plane.
 */
import { z } from 'zod';
import type { TaskStats } from '../scheduler/task-stats.js';

/** Command, loop and worker names: 1-200 characters of letters, digits, `_ . : -`. */
export const nameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][\w.:-]*$/, 'must start with a letter or digit and use only letters, digits, _ . : -')
  .refine((name) => name !== '__proto__' && name !== 'constructor' && name !== 'prototype', 'is a reserved name');

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const ms = z.number().finite().nonnegative();
const gen = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const json = z.json();
const wireError = z.strictObject({ code: z.string().min(1).max(100), message: z.string().max(2000) });
const text = (max: number) => z.string().max(max);

const percentiles = z.strictObject({ p50: ms, p95: ms, p99: ms, max: ms });
const taskStatsSchema: z.ZodType<TaskStats> = z.strictObject({
  runs: count,
  completed: count,
  failed: count,
  skipped: count,
  overruns: count,
  deadlineMisses: count,
  jitterWarnings: count,
  consecutiveMisses: count,
  totalExecMs: ms,
  totalJitterMs: ms,
  jitterMs: percentiles,
  execMs: percentiles,
});

/** The worker's data plane: largest payload, and what a publish does when the ring or pipe queue is full. */
const dataPlaneSchema = z.strictObject({ maxBytes: z.number().int().min(1).max(2 ** 31), overflow: z.enum(['drop-oldest', 'reject']) });
export type DataPlaneInit = z.infer<typeof dataPlaneSchema>;

/**
 * How the worker's loops wait for a release (Atomics.wait until `spinMarginMs` before it, then
 * spin) and the OS niceness of the loop thread (null: leave it).
 */
const timingSchema = z.strictObject({ spinMarginMs: z.number().finite().min(0).max(5), niceness: z.number().int().min(-20).max(19).nullable() });

// ---- parent -> worker ----

export const parentMessageSchemas = {
  init: z.strictObject({
    type: z.literal('init'),
    name: nameSchema,
    generation: gen,
    isolation: z.enum(['thread', 'process']),
    module: z.string().min(1).max(4096),
    config: json.optional(),
    heartbeatMs: z.number().finite().min(1).max(60_000),
    statsIntervalMs: z.number().finite().min(10).max(60_000),
    timing: timingSchema,
    data: dataPlaneSchema,
    maxMessageBytes: z.number().int().min(1024).max(64 * 1024 * 1024),
  }),
  request: z.strictObject({ type: z.literal('request'), id: count, command: z.string().min(1).max(200), payload: json }),
  stop: z.strictObject({ type: z.literal('stop'), reason: text(200) }),
} as const;

export type InitMessage = z.infer<typeof parentMessageSchemas.init>;
export type RequestMessage = z.infer<typeof parentMessageSchemas.request>;
export type StopMessage = z.infer<typeof parentMessageSchemas.stop>;
export type ParentMessage = InitMessage | RequestMessage | StopMessage;

// ---- worker -> parent ----

export const LOOP_EVENT_KINDS = ['deadline-miss', 'jitter-warning', 'overrun', 'error', 'backpressure'] as const;
export type LoopEventKind = (typeof LOOP_EVENT_KINDS)[number];

const loopInfo = z.strictObject({ name: nameSchema, periodMs: z.number().finite().positive(), deadlineMs: z.number().finite().positive() });

export const workerMessageSchemas = {
  ready: z.strictObject({
    type: z.literal('ready'),
    gen,
    pid: count,
    loops: z.array(loopInfo).max(64),
    commands: z.array(nameSchema).max(256),
  }),
  heartbeat: z.strictObject({ type: z.literal('heartbeat'), gen, beat: count, task: z.string().max(200).nullable() }),
  task: z.strictObject({ type: z.literal('task'), gen, task: z.string().max(200).nullable() }),
  response: z.discriminatedUnion('ok', [
    z.strictObject({ type: z.literal('response'), gen, id: count, ok: z.literal(true), result: json }),
    z.strictObject({ type: z.literal('response'), gen, id: count, ok: z.literal(false), error: wireError }),
  ]),
  stats: z.strictObject({
    type: z.literal('stats'),
    gen,
    loops: z.array(z.strictObject({ name: nameSchema, periodMs: z.number().finite().positive(), stats: taskStatsSchema })).max(64),
    rejected: z.record(z.string().max(40), count),
  }),
  'loop-event': z.strictObject({
    type: z.literal('loop-event'),
    gen,
    loop: nameSchema,
    kind: z.enum(LOOP_EVENT_KINDS),
    /** Running total of this kind for this loop, and the change since the previous report (ROS 2 style). */
    total: count,
    delta: count,
    detail: text(500).nullable(),
  }),
  log: z.strictObject({
    type: z.literal('log'),
    gen,
    level: z.enum(['debug', 'info', 'warn', 'error']),
    msg: text(2000),
    fields: z.record(z.string().max(100), json).nullable(),
  }),
  fatal: z.strictObject({ type: z.literal('fatal'), gen, error: wireError }),
} as const;

export type WorkerMessageType = keyof typeof workerMessageSchemas;
export type ReadyMessage = z.infer<typeof workerMessageSchemas.ready>;
export type HeartbeatMessage = z.infer<typeof workerMessageSchemas.heartbeat>;
export type TaskMessage = z.infer<typeof workerMessageSchemas.task>;
export type ResponseMessage = z.infer<typeof workerMessageSchemas.response>;
export type StatsMessage = z.infer<typeof workerMessageSchemas.stats>;
export type LoopEventMessage = z.infer<typeof workerMessageSchemas['loop-event']>;
export type LogMessage = z.infer<typeof workerMessageSchemas.log>;
export type FatalMessage = z.infer<typeof workerMessageSchemas.fatal>;
export type WorkerMessage =
  | ReadyMessage
  | HeartbeatMessage
  | TaskMessage
  | ResponseMessage
  | StatsMessage
  | LoopEventMessage
  | LogMessage
  | FatalMessage;

/**
 * The exact text a heartbeat starts with, as `JSON.stringify` writes it: a flood of heartbeats is
 * coalesced on this prefix before any parsing (reliability plan D1).
 */
export const HEARTBEAT_PREFIX = '{"type":"heartbeat",';
