/**
 * Submitted jobs (seed 001's Task): the spec, the constraints, the lifecycle states and the
 * context a job function receives. Validation is eager: a spec that fails submits nothing.
 */
import { z } from 'zod';
import { parseOrThrow } from '../../validation.js';
import { prioritySchema, taskNameSchema } from '../config.js';

/** Seed 001's lifecycle: PENDING -> READY -> RUNNING -> COMPLETED | FAILED, with BLOCKED, CANCELLED, DEADLINE_MISSED. */
export const TaskState = {
  PENDING: 'PENDING',
  READY: 'READY',
  RUNNING: 'RUNNING',
  BLOCKED: 'BLOCKED',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
  DEADLINE_MISSED: 'DEADLINE_MISSED',
} as const;
export type TaskState = (typeof TaskState)[keyof typeof TaskState];

/** Whether a job in `state` is done for good (COMPLETED, FAILED, CANCELLED or DEADLINE_MISSED). */
export function isFinalState(state: TaskState): boolean {
  return state === TaskState.COMPLETED || state === TaskState.FAILED || state === TaskState.CANCELLED || state === TaskState.DEADLINE_MISSED;
}

export interface RetryPolicy {
  /** Retries after the first failure (0 = none). Never on cancel. */
  attempts: number;
  /** Delay before the first retry. */
  backoffMs: number;
  /** Multiplier per further retry (default 2). */
  factor?: number;
}

export interface TaskConstraints {
  /** Absolute deadline on the scheduler's clock (`scheduler.now() + ms`). */
  deadline?: number;
  /** Deadline relative to submission; the earlier of the two applies. */
  maxLatencyMs?: number;
  /** A hard-realtime job that cannot start before its deadline goes to DEADLINE_MISSED unrun. */
  hardRealtime?: boolean;
  /** May be asked to yield its slot to more urgent work (default true). */
  preemptible?: boolean;
  /** Ids of jobs that must complete first. */
  dependsOn?: readonly string[];
  /** Resources acquired all-or-nothing before start, released at the end. */
  resources?: readonly string[];
  /** Abort `ctx.signal` and fail the attempt after this long running. */
  timeoutMs?: number;
  retry?: RetryPolicy;
}

/** What a job function receives as its first argument. */
export interface JobContext {
  readonly id: string;
  readonly name: string;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
  /** Absolute deadline, or Infinity. */
  readonly deadline: number;
  /** Aborted on cancel, timeout and scheduler terminate. */
  readonly signal: AbortSignal;
  sleep(ms: number): Promise<void>;
  /** True when more urgent work waits for this job's slot: reach a safe point and `await ctx.yield()`. */
  shouldYield(): boolean;
  /** Give the slot up; resolves when the job is dispatched again. */
  yield(): Promise<void>;
  /**
   * Acquire resources (all or nothing, waiting if needed); resolves to a release function. While
   * it waits the job is BLOCKED and gives its slot back (it goes on once granted and dispatched
   * again); a cancel or timeout rejects the wait. Anything not released is released at the end.
   */
  acquire(...resources: string[]): Promise<() => void>;
}

export type JobFunction<A extends unknown[] = unknown[], R = unknown> = (ctx: JobContext, ...args: A) => R | PromiseLike<R>;

/** Where a job's function runs: in-process by default; a pool or a remote queue plugs in here. */
export interface Executor {
  readonly name: string;
  execute(fn: JobFunction, ctx: JobContext, args: readonly unknown[]): unknown;
}

export interface JobSpec<A extends unknown[] = unknown[], R = unknown> {
  /** Unique among live and recent jobs; default `job-<n>`. */
  id?: string;
  name: string;
  fn: JobFunction<A, R>;
  args?: A;
  /** 0 (REALTIME) to 6 (IDLE); default 3 (NORMAL). */
  priority?: number;
  constraints?: TaskConstraints;
  executor?: Executor;
}

const delay = z.number().finite().nonnegative().max(2 ** 31 - 1);

const constraintsSchema = z.strictObject({
  deadline: z.number().finite().optional(),
  maxLatencyMs: delay.optional(),
  hardRealtime: z.boolean().optional(),
  preemptible: z.boolean().optional(),
  dependsOn: z.array(z.string().min(1).max(200)).max(10_000).optional(),
  resources: z.array(z.string().min(1).max(200)).max(100).optional(),
  timeoutMs: delay.optional(),
  retry: z
    .strictObject({
      attempts: z.number().int().nonnegative().max(1000),
      backoffMs: delay,
      factor: z.number().finite().min(1).max(100).optional(),
    })
    .optional(),
});

const specSchema = z.strictObject({
  id: taskNameSchema.optional(),
  name: taskNameSchema,
  fn: z.custom<JobFunction>((v) => typeof v === 'function', 'must be a function'),
  args: z.array(z.unknown()).optional(),
  priority: prioritySchema.optional(),
  constraints: constraintsSchema.optional(),
  executor: z
    .custom<Executor>((v) => typeof v === 'object' && v !== null && typeof (v as Executor).execute === 'function', 'must have an execute() method')
    .optional(),
});

const SIMPLE_NAME = /^[A-Za-z0-9][\w.:-]*$/;
/** Names already seen valid: jobs reuse a few names many times, so the regex runs once per name. */
const validNames = new Set<string>();
const MAX_REMEMBERED_NAMES = 1024;

let lastValidName: string | undefined;

function isValidName(name: string): boolean {
  if (name === lastValidName) return true; // a burst of one kind of job: no hashing
  if (validNames.has(name)) {
    lastValidName = name;
    return true;
  }
  const valid = name.length <= 200 && name !== 'constructor' && name !== 'prototype' && name !== '__proto__' && SIMPLE_NAME.test(name);
  if (valid && validNames.size < MAX_REMEMBERED_NAMES) validNames.add(name);
  return valid;
}

/** Whether every key of `spec` is a known one (a misspelt key must not pass unnoticed). */
function hasOnlySpecKeys(spec: object): boolean {
  for (const key in spec) {
    if (key !== 'name' && key !== 'fn' && key !== 'priority' && key !== 'args' && key !== 'constraints' && key !== 'executor' && key !== 'id') return false;
  }
  return true;
}

/**
 * The common spec `{ name, fn, args?, priority? }` is checked inline (the same rules as the
 * schema); anything else, and every failure, goes through zod for the full, named error.
 */
function isSimpleValidSpec(spec: JobSpec): boolean {
  const { name, priority, args } = spec;
  return (
    hasOnlySpecKeys(spec) &&
    spec.constraints === undefined &&
    spec.executor === undefined &&
    spec.id === undefined &&
    typeof spec.fn === 'function' &&
    typeof name === 'string' &&
    isValidName(name) &&
    (priority === undefined || (Number.isInteger(priority) && priority >= 0 && priority <= 6)) &&
    (args === undefined || Array.isArray(args))
  );
}

export function parseJobSpec(spec: unknown, where = 'submit'): JobSpec {
  if (typeof spec === 'object' && spec !== null && isSimpleValidSpec(spec as JobSpec)) return spec as JobSpec;
  const label = typeof spec === 'object' && spec !== null && typeof (spec as { name?: unknown }).name === 'string' ? `${where}(${JSON.stringify((spec as { name: string }).name.slice(0, 60))})` : where;
  parseOrThrow(specSchema, spec, label);
  return spec as JobSpec;
}
