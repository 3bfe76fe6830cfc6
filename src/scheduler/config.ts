/**
 * Task configurations (seed 000's RealtimeTaskConfig and its siblings) and their validation.
 * Validation is eager and total: a config that fails schedules nothing.
 */
import { z } from 'zod';
import { parseOrThrow } from '../validation.js';
import type { TaskContext } from './run.js';

/** What a release does while the task's previous run is still queued or running. */
export type OverrunPolicy = 'skip' | 'queue-one' | 'parallel';

/** The largest delay a timer can represent (2^31 - 1 ms, about 24.8 days). */
export const MAX_DELAY_MS = 2 ** 31 - 1;
export const MAX_NAME_LENGTH = 200;
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** Passed to `onBackpressure` and the `backpressure` event so the owner can downsample. */
export interface BackpressureInfo {
  name: string;
  /** Releases in a row that overran or missed their deadline. */
  consecutive: number;
  periodMs: number | undefined;
  lastExecMs: number;
  meanExecMs: number;
  /** Monotonic time of the signal. */
  at: number;
}

export type TaskFunction = (ctx: TaskContext) => unknown;

export interface CommonTaskConfig {
  /** Unique among the scheduler's tasks: 1-200 characters of letters, digits, `_ . : -`. */
  name: string;
  /** 0 (REALTIME) to 6 (IDLE); default 3 (NORMAL). */
  priority?: number;
  /** Deadline relative to the scheduled start; a run finishing later is a deadline miss. */
  deadlineMs?: number;
  /** Jitter budget; a run starting later than this after its scheduled start is a jitter warning. */
  maxJitterMs?: number;
  /** Default `'skip'`. */
  overrun?: OverrunPolicy;
  /** Consecutive overruns/misses before `onBackpressure` is called (default 3). */
  backpressureAfter?: number;
  onBackpressure?: (info: BackpressureInfo) => void;
  /** What a failing run (other than TaskNonFatalError) does to the task; default `'continue'`. */
  onError?: 'continue' | 'stop';
  /** Abort the run's `ctx.signal` when its deadline passes (default false). */
  abortOnDeadline?: boolean;
}

export interface RealtimeTaskConfig extends CommonTaskConfig {
  /** Release k happens at t0 + k * periodMs. */
  periodMs: number;
  /** Delay before release 0 (default 0: at start). */
  initialDelayMs?: number;
  /** The loop runs in an isolated worker; recorded for observability. */
  isolated?: boolean;
}

export interface RecurringTaskConfig extends CommonTaskConfig {
  /** Next release = previous run's completion + delayMs. */
  delayMs: number;
  initialDelayMs?: number;
}

export type OnceTaskConfig = CommonTaskConfig & ({ delayMs: number } | { at: Date | number });

export interface CronTaskConfig extends CommonTaskConfig {
  /** Cron expression (5 or 6 fields, seconds first when 6), through croner. */
  cron: string;
  /** IANA time zone, e.g. `Europe/Berlin`; default the process's. */
  timezone?: string;
}

const delay = z.number().finite().nonnegative().max(MAX_DELAY_MS);
const positiveDelay = z.number().finite().positive().max(MAX_DELAY_MS);

export const taskNameSchema = z
  .string()
  .min(1)
  .max(MAX_NAME_LENGTH)
  .regex(/^[A-Za-z0-9][\w.:-]*$/, 'must start with a letter or digit and use only letters, digits, _ . : -')
  .refine((name) => !RESERVED_NAMES.has(name), 'is a reserved name');

export const prioritySchema = z.number().int().min(0).max(6);

const common = {
  name: taskNameSchema,
  priority: prioritySchema.optional(),
  deadlineMs: positiveDelay.optional(),
  maxJitterMs: delay.optional(),
  overrun: z.enum(['skip', 'queue-one', 'parallel']).optional(),
  backpressureAfter: z.number().int().min(1).max(1_000_000).optional(),
  onBackpressure: z.custom<(info: BackpressureInfo) => void>((v) => typeof v === 'function', 'must be a function').optional(),
  onError: z.enum(['continue', 'stop']).optional(),
  abortOnDeadline: z.boolean().optional(),
};

const periodicSchema = z
  .strictObject({ ...common, periodMs: positiveDelay, initialDelayMs: delay.optional(), isolated: z.boolean().optional() })
  .refine((c) => c.deadlineMs === undefined || c.deadlineMs <= c.periodMs, {
    message: 'must not exceed periodMs',
    path: ['deadlineMs'],
  })
  .refine((c) => c.maxJitterMs === undefined || c.maxJitterMs <= c.periodMs, {
    message: 'must not exceed periodMs',
    path: ['maxJitterMs'],
  });

const recurringSchema = z.strictObject({ ...common, delayMs: delay, initialDelayMs: delay.optional() });

const onceSchema = z.union([
  z.strictObject({ ...common, delayMs: delay }),
  z.strictObject({ ...common, at: z.union([z.date().refine((d) => !Number.isNaN(d.getTime()), 'invalid date'), z.number().finite()]) }),
]);

const cronSchema = z.strictObject({ ...common, cron: z.string().min(1).max(200), timezone: z.string().min(1).max(64).optional() });

const functionSchema = z.custom<TaskFunction>((v) => typeof v === 'function', 'the task must be a function');

function label(kind: string, config: unknown): string {
  const name = config !== null && typeof config === 'object' && 'name' in config ? (config as { name: unknown }).name : undefined;
  return typeof name === 'string' ? `${kind}(${JSON.stringify(name.slice(0, 60))})` : kind;
}

/** Validate a task function and its config for `kind` (the method name, for messages). */
function parseTask<C>(kind: string, schema: z.ZodType, config: unknown, fn: unknown): C {
  const where = label(kind, config);
  parseOrThrow(functionSchema, fn, where);
  return parseOrThrow(schema, config, where) as C;
}

export const parsePeriodic = (config: unknown, fn: unknown): RealtimeTaskConfig => parseTask('schedulePeriodic', periodicSchema, config, fn);
export const parseRecurring = (config: unknown, fn: unknown): RecurringTaskConfig => parseTask('scheduleRecurring', recurringSchema, config, fn);
export const parseOnce = (config: unknown, fn: unknown): OnceTaskConfig => parseTask('scheduleOnce', onceSchema, config, fn);
export const parseCron = (config: unknown, fn: unknown): CronTaskConfig => parseTask('scheduleCron', cronSchema, config, fn);
