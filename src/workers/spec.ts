/**
 * What `spawn()` and `new WorkerManager()` accept, with defaults, validated eagerly: a spec that
 * fails spawns nothing, and the message names the field and repeats the bad value.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { Clock } from '../time/clock.js';
import { parseOrThrow } from '../validation.js';
import { nameSchema } from './protocol.js';
import type { BackoffOptions, RestartBudgetOptions } from './restart-policy.js';
import type { Launcher } from './launch/connection.js';

/** How a worker's loops wait for a release (see runtime/precise-sleeper.ts). */
export type LoopTiming =
  /** Atomics.wait until 0.12 ms before, then spin: microsecond lateness, ~12 % of a core at 1 kHz. */
  | 'default'
  /** Atomics.wait until 0.02 ms before: tens of microseconds, ~3 % of a core at 1 kHz. */
  | 'economy'
  /** Atomics.wait only: no spin at all. */
  | 'wait'
  | { spinMarginUs: number };

/**
 * Workers start with a 1 us timer slack (launch/timer-slack.ts), so a futex wait wakes ~20 us late
 * at the median on the reference VM (p99 60-80 us): the default margin leaves ~100 us of headroom
 * for the wake-up's tail, economy just covers the median.
 */
export const SPIN_MARGIN_MS: Record<Exclude<LoopTiming, object>, number> = { default: 0.12, economy: 0.02, wait: 0 };

/** Heap limits of a worker, in MB (the names and meaning of Node's `ResourceLimits`). */
export interface ResourceLimits {
  maxOldGenerationSizeMb?: number;
  /** Threads only. */
  maxYoungGenerationSizeMb?: number;
  /** Threads only. */
  stackSizeMb?: number;
}

/** The data plane's shape for a thread worker (a shared ring). */
export interface RingSpec {
  /** Records the ring holds (rounded up to a power of two; default 1024). */
  slots?: number;
  /** Largest payload in bytes (default 64 KiB). */
  slotBytes?: number;
  /** What a publish into a full ring does (default 'drop-oldest'). */
  overflow?: 'drop-oldest' | 'reject';
}

export interface WorkerSpec {
  /** Unique among the manager's workers: letters, digits, `_ . : -`. */
  name: string;
  /** The worker module (default export `defineWorker(...)`): a file URL, or an absolute path. */
  module: string | URL;
  /** `'thread'` (default; worker_threads, shared-memory heartbeat and data) or `'process'` (child process, pipes). */
  isolation?: 'thread' | 'process';
  /** Passed to the worker's `setup(config)`; JSON only, at most maxMessageBytes. */
  config?: unknown;
  /** Extra environment variables for the worker (e.g. a vendor SDK's paths). */
  env?: Record<string, string>;
  /** What kind of device this is, for the monitor (seed 004's category); default none. */
  category?: string;
  /** Heartbeat period (default: the manager's heartbeatMs, 100). */
  heartbeatMs?: number;
  /** How the worker's loops wait (default `'default'`). */
  timing?: LoopTiming;
  /**
   * OS scheduling niceness (-20..19) of the thread that runs the worker's loops (Linux: that thread
   * only, for a thread worker too). Negative values need CAP_SYS_NICE; without it the worker logs
   * a warning and runs at the default. Under CPU contention it decides who runs first. Default: unchanged.
   */
  niceness?: number;
  /** Data plane settings (threads: the shared ring). */
  ring?: RingSpec;
  /**
   * V8 heap limits of the worker (Node's `Worker` `resourceLimits`). A thread that exceeds them
   * dies with `ERR_WORKER_OUT_OF_MEMORY`, reported as exit reason `'out-of-memory'`, and is
   * restarted per policy while the parent's heap is untouched. Processes take
   * `maxOldGenerationSizeMb` only (`--max-old-space-size`); V8 aborts them (a `'crashed'` exit, SIGABRT).
   */
  resourceLimits?: ResourceLimits;
  /** Time allowed from spawn to ready, setup included (default: the manager's startTimeoutMs). */
  startTimeoutMs?: number;
  /** Node flags for the worker (default: the parent's, minus --test/--inspect/--watch/--eval). */
  execArgv?: string[];
}

export interface WorkerManagerOptions {
  /** Time source for every supervision timer (default a SystemClock). Pass a ManualClock in tests. */
  clock?: Clock;
  /** pino-compatible logger (default silent). */
  logger?: Logger;
  /** Default heartbeat period (default 100 ms). */
  heartbeatMs?: number;
  /** Missed beats before a worker is suspect (default 3). */
  suspectAfterBeats?: number;
  /** Missed beats before a worker is killed and restarted (default 5). */
  killAfterBeats?: number;
  /** How long a stopping worker may take before it is killed (default 5000 ms). */
  stopTimeoutMs?: number;
  /** How long a starting worker may take to report ready (default 10000 ms), counted from its launch. */
  startTimeoutMs?: number;
  /**
   * How many workers may boot at once, from launch to ready (default: the number of cores, at
   * least 4). More wait their turn in state `starting`, so spawning many workers at once does not
   * slow every boot past its start timeout.
   */
  maxConcurrentStarts?: number;
  /** Default timeout of `request()` (default 5000 ms). */
  requestTimeoutMs?: number;
  /** How often workers report their loop stats (default 250 ms). */
  statsIntervalMs?: number;
  /** Size limit of one control message, both ways (default 1 MiB). */
  maxMessageBytes?: number;
  /** Restart backoff (default 100 ms doubling to 30 s, +-10 % jitter, reset after 60 s running). */
  backoff?: BackoffOptions;
  /** Restart budget (default: more than 5 failures in 10 s degrades the worker). */
  restartBudget?: RestartBudgetOptions;
  /** Random source in [0, 1) for backoff jitter (default Math.random). */
  random?: () => number;
  /** How workers are started (default: real threads and processes). A seam for supervision tests. */
  launcher?: Launcher;
}

const positiveMs = z.number().finite().positive().max(2 ** 31 - 1);
const beats = z.number().int().min(1).max(1000);

export const managerOptionsSchema = z
  .strictObject({
    clock: z.custom<Clock>((v) => typeof v === 'object' && v !== null && typeof (v as Clock).now === 'function', 'must be a Clock').optional(),
    logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null && typeof (v as Logger).warn === 'function', 'must be a logger').optional(),
    heartbeatMs: z.number().finite().min(1).max(60_000).optional(),
    suspectAfterBeats: beats.optional(),
    killAfterBeats: beats.optional(),
    stopTimeoutMs: positiveMs.optional(),
    startTimeoutMs: positiveMs.optional(),
    maxConcurrentStarts: z.number().int().min(1).max(10_000).optional(),
    requestTimeoutMs: positiveMs.optional(),
    statsIntervalMs: z.number().finite().min(10).max(60_000).optional(),
    maxMessageBytes: z.number().int().min(1024).max(64 * 1024 * 1024).optional(),
    backoff: z
      .strictObject({
        initialMs: positiveMs.optional(),
        maxMs: positiveMs.optional(),
        factor: z.number().finite().min(1).max(100).optional(),
        jitter: z.number().finite().min(0).max(1).optional(),
        resetAfterMs: positiveMs.optional(),
      })
      .optional(),
    restartBudget: z.strictObject({ maxRestarts: z.number().int().min(0).max(1_000_000).optional(), windowMs: positiveMs.optional() }).optional(),
    random: z.custom<() => number>((v) => typeof v === 'function', 'must be a function').optional(),
    launcher: z.custom<Launcher>((v) => typeof v === 'function', 'must be a function').optional(),
  })
  .refine((o) => o.killAfterBeats === undefined || o.suspectAfterBeats === undefined || o.suspectAfterBeats <= o.killAfterBeats, {
    message: 'must not exceed killAfterBeats',
    path: ['suspectAfterBeats'],
  });

const moduleSchema = z.union([
  z.instanceof(URL).refine((url) => url.protocol === 'file:', 'must be a file: URL'),
  z
    .string()
    .min(1)
    .max(4096)
    .refine((text) => text.startsWith('file:') || isAbsolute(text), 'must be a file: URL or an absolute path'),
]);

const specSchema = z.strictObject({
  name: nameSchema,
  module: moduleSchema,
  isolation: z.enum(['thread', 'process']).optional(),
  config: z.json().optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').max(200), z.string().max(32_768)).optional(),
  category: z.string().min(1).max(200).optional(),
  heartbeatMs: z.number().finite().min(1).max(60_000).optional(),
  niceness: z.number().int().min(-20).max(19).optional(),
  timing: z.union([z.enum(['default', 'economy', 'wait']), z.strictObject({ spinMarginUs: z.number().finite().min(0).max(5000) })]).optional(),
  ring: z
    .strictObject({
      slots: z.number().int().min(2).max(2 ** 24).optional(),
      slotBytes: z.number().int().min(1).max(2 ** 28).optional(),
      overflow: z.enum(['drop-oldest', 'reject']).optional(),
    })
    .optional(),
  resourceLimits: z
    .strictObject({
      maxOldGenerationSizeMb: z.number().int().min(4).max(1 << 20).optional(),
      maxYoungGenerationSizeMb: z.number().int().min(1).max(1 << 16).optional(),
      stackSizeMb: z.number().finite().min(0.25).max(1024).optional(),
    })
    .optional(),
  startTimeoutMs: positiveMs.optional(),
  execArgv: z.array(z.string().max(4096)).max(100).optional(),
}).refine((s) => s.isolation !== 'process' || (s.resourceLimits?.maxYoungGenerationSizeMb === undefined && s.resourceLimits?.stackSizeMb === undefined), {
  message: 'a process worker takes maxOldGenerationSizeMb only',
  path: ['resourceLimits'],
});

export type ParsedSpec = Omit<WorkerSpec, 'module'> & { module: string; isolation: 'thread' | 'process' };

export function parseSpec(spec: unknown): ParsedSpec {
  const name = spec !== null && typeof spec === 'object' && typeof (spec as { name?: unknown }).name === 'string' ? (spec as { name: string }).name : undefined;
  const parsed = parseOrThrow(specSchema, spec, name === undefined ? 'spawn' : `spawn(${JSON.stringify(name.slice(0, 60))})`);
  const module = parsed.module instanceof URL ? parsed.module.href : parsed.module.startsWith('file:') ? new URL(parsed.module).href : pathToFileURL(parsed.module).href;
  return { ...(parsed as Omit<WorkerSpec, 'module'>), module, isolation: parsed.isolation ?? 'thread' };
}

export function spinMarginMs(timing: LoopTiming | undefined): number {
  if (timing === undefined) return SPIN_MARGIN_MS.default;
  return typeof timing === 'object' ? timing.spinMarginUs / 1000 : SPIN_MARGIN_MS[timing];
}
