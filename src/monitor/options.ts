/** The Monitor's options: documented per field with its default, validated eagerly. */
import { z } from 'zod';
import { silentLogger, type Logger } from '../logger.js';
import { taskNameSchema } from '../scheduler/config.js';
import type { Clock } from '../time/clock.js';
import { SystemClock } from '../time/system-clock.js';
import { parseOrThrow } from '../validation.js';
import type { QueueSource, SchedulerSource, WorkerSource } from './sources.js';

export interface MonitorOptions {
  /** Sampling period in ms (seed 004's loop); default 1000. */
  intervalMs?: number;
  /** A worker silent this long (ms) is stale; default 10000; must exceed `intervalMs`. */
  staleAfterMs?: number;
  /** Samples in a row that must each see a new, fresh beat before a stale mark clears; default 2. */
  clearAfterBeats?: number;
  /** How long (ms) everything must stay idle before `idle`; default twice `intervalMs`. */
  idleDebounceMs?: number;
  /** Deadline misses of one task within one interval that make a `deadline-miss-burst` log; default 3. */
  missBurstThreshold?: number;
  /** Time source; default a `SystemClock`. Pass a `ManualClock` in tests. */
  clock?: Clock;
  /** pino-compatible logger for anomalies; default silent. */
  logger?: Logger;
  /** The scheduler: tasks summary, its ready queue as a backlog, its events on the timeline. */
  scheduler?: SchedulerSource;
  /** Worker managers (worker names must be unique across them); default none. */
  workers?: readonly WorkerSource[];
  /** Queues whose backlog counts (names unique, not `scheduler`); default none. */
  queues?: readonly QueueSource[];
  /** Seed 004's `stop` flag ("finish jobs, take no new ones"); read, never set. */
  stop?: AbortSignal;
  /** Seed 004's `terminate` flag; read, never set. When it aborts, the monitor takes a last sample and stops. */
  terminate?: AbortSignal;
  /** Print the HUD line to this stream once per interval; default off. */
  hud?: { stream: NodeJS.WritableStream };
  /** Timeline entries kept; default 1000. */
  timelineSize?: number;
  /** Resolution of the event-loop delay histogram (ms); default 20. */
  eventLoopResolutionMs?: number;
}

/** The name under which the scheduler's ready queue shows in the backlog. */
export const SCHEDULER_QUEUE = 'scheduler';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const hasMethod = (name: string) => (v: unknown): boolean => isObject(v) && typeof v[name] === 'function';

const queueSchema = z.custom<QueueSource>(
  (v) => isObject(v) && typeof v.size === 'function' && taskNameSchema.safeParse(v.name).success && (v.category === undefined || taskNameSchema.safeParse(v.category).success),
  'must be { name, category?, size() } with a name and category of letters, digits, _ . : -',
);

const optionsSchema = z
  .strictObject({
    intervalMs: z.number().finite().min(1).max(3_600_000).optional(),
    staleAfterMs: z.number().finite().positive().max(86_400_000).optional(),
    clearAfterBeats: z.number().int().min(1).max(1000).optional(),
    idleDebounceMs: z.number().finite().nonnegative().max(86_400_000).optional(),
    missBurstThreshold: z.number().int().min(1).optional(),
    clock: z.custom<Clock>(hasMethod('createAlarm'), 'must be a Clock').optional(),
    logger: z.custom<Logger>(hasMethod('warn'), 'must be a logger').optional(),
    scheduler: z.custom<SchedulerSource>(hasMethod('describe'), 'must have describe()').optional(),
    workers: z.array(z.custom<WorkerSource>(hasMethod('list'), 'must have list()')).optional(),
    queues: z.array(queueSchema).optional(),
    stop: z.instanceof(AbortSignal).optional(),
    terminate: z.instanceof(AbortSignal).optional(),
    hud: z.strictObject({ stream: z.custom<NodeJS.WritableStream>(hasMethod('write'), 'must be a writable stream') }).optional(),
    timelineSize: z.number().int().min(1).max(1_000_000).optional(),
    eventLoopResolutionMs: z.number().int().min(1).max(10_000).optional(),
  })
  .refine((o) => (o.staleAfterMs ?? 10_000) > (o.intervalMs ?? 1000), { message: 'must exceed intervalMs', path: ['staleAfterMs'] })
  .refine((o) => new Set((o.queues ?? []).map((q) => q.name)).size === (o.queues ?? []).length, { message: 'queue names must be unique', path: ['queues'] })
  .refine((o) => o.scheduler === undefined || !(o.queues ?? []).some((q) => q.name === SCHEDULER_QUEUE), {
    message: `"${SCHEDULER_QUEUE}" is the scheduler's ready queue`,
    path: ['queues'],
  });

export interface ResolvedMonitorOptions {
  intervalMs: number;
  staleAfterMs: number;
  clearAfterBeats: number;
  idleDebounceMs: number;
  missBurstThreshold: number;
  timelineSize: number;
  eventLoopResolutionMs: number;
  clock: Clock;
  logger: Logger;
  scheduler: SchedulerSource | undefined;
  workers: readonly WorkerSource[];
  queues: readonly QueueSource[];
  stop: AbortSignal | undefined;
  terminate: AbortSignal | undefined;
  hudStream: NodeJS.WritableStream | undefined;
}

export function parseMonitorOptions(options: MonitorOptions): ResolvedMonitorOptions {
  const parsed = parseOrThrow(optionsSchema, options, 'new Monitor');
  const intervalMs = parsed.intervalMs ?? 1000;
  return {
    intervalMs,
    staleAfterMs: parsed.staleAfterMs ?? 10_000,
    clearAfterBeats: parsed.clearAfterBeats ?? 2,
    idleDebounceMs: parsed.idleDebounceMs ?? 2 * intervalMs,
    missBurstThreshold: parsed.missBurstThreshold ?? 3,
    timelineSize: parsed.timelineSize ?? 1000,
    eventLoopResolutionMs: parsed.eventLoopResolutionMs ?? 20,
    clock: parsed.clock ?? new SystemClock(),
    logger: parsed.logger ?? silentLogger,
    scheduler: parsed.scheduler,
    workers: [...(parsed.workers ?? [])],
    queues: [...(parsed.queues ?? [])],
    stop: parsed.stop,
    terminate: parsed.terminate,
    hudStream: parsed.hud?.stream,
  };
}
