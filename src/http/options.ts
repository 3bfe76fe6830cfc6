/**
 * The plugin's options, documented per field with its default, validated eagerly: a bad option
 * fails `register` with an `InvalidConfigError` naming the field and the value.
 */
import { z } from 'zod';
import { parseOrThrow } from '../validation.js';
import type { BridgeSource, MetricsRegistry, MonitorSource, SchedulerSource, WorkersSource } from './sources.js';

export interface TelemetryOptions {
  /** Path of the WebSocket; default `'/ws/telemetry'`. */
  path?: string;
  /** Open sockets at most; further upgrades get 503. Default 64. */
  maxClients?: number;
  /** A client whose unsent data exceeds this is dropped (producers never wait). Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Largest frame a client may send (they send only small control messages). Default 4096. */
  maxMessageBytes?: number;
  /** The fan-out tick: the fastest rate any topic is sent at is 1000 / tickMs Hz. Default 20 (50 Hz). */
  tickMs?: number;
}

export interface TactusPluginOptions {
  /** The scheduler to serve and steer. Required. */
  scheduler: SchedulerSource;
  /** The worker manager (seed 002); default none: `GET {prefix}/workers` answers `[]`. */
  workers?: WorkersSource;
  /** The supervisory monitor (seed 004); default none. */
  monitor?: MonitorSource;
  /** The bridge whose topics (e.g. `ft_sample`) the telemetry socket streams; default none. */
  bridge?: BridgeSource;
  /**
   * What `GET /metrics` renders: a prom-client `Registry` you filled; default a new registry with
   * `registerMetrics` over the scheduler, workers and monitor (`tactus/metrics`); `false`: no route.
   */
  metrics?: MetricsRegistry | false;
  auth: {
    /** The bearer token: 16-256 characters of letters, digits and `-._~`. Required. */
    token: string;
    /** Who the token stands for in the audit trail; default `'operator'`. */
    principal?: string;
    /** Browser origins allowed besides the served port's loopback origins; default none. */
    allowedOrigins?: string[];
  };
  /** Where the routes and the dashboard live; default `'/tactus'`. */
  prefix?: string;
  /** Serve the dashboard at `{prefix}/`; default true. */
  dashboard?: boolean;
  /** Refuse every control route with 403; default false. */
  readOnly?: boolean;
  /** Start the scheduler (and monitor) on `onReady`, drain them on `onClose`; default true. */
  lifecycle?: boolean;
  /** Rate limit of the run-now safety override, per client address; default 10 per 60000 ms. */
  runNow?: { max?: number; timeWindowMs?: number };
  /**
   * A worker restart is answered once its fresh generation runs, or after this long with the
   * worker's row as it stands (a crash-looping worker would hold the request until it degrades);
   * default 5000 ms.
   */
  restartReplyWithinMs?: number;
  /** Path of the Prometheus route; default `'/metrics'`. */
  metricsPath?: string;
  telemetry?: TelemetryOptions;
}

/** The token alphabet is also valid in a WebSocket subprotocol, where browsers send it. */
export const tokenSchema = z.string().regex(/^[A-Za-z0-9._~-]{16,256}$/, 'must be 16-256 characters of letters, digits and -._~');

const path = z.string().regex(/^(\/[\w.~-]+)+$/, 'must be a path like /tactus');
const hasMethods = (...names: string[]) => (value: unknown): boolean =>
  typeof value === 'object' && value !== null && names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');

const schema = z.strictObject({
  scheduler: z.custom<SchedulerSource>(hasMethods('describe', 'get', 'has', 'runImmediately', 'on'), 'must be a Scheduler'),
  workers: z.custom<WorkersSource>(hasMethods('list', 'restart', 'resetDegraded'), 'must be a WorkerManager').optional(),
  monitor: z.custom<MonitorSource>(hasMethods('snapshot', 'hudLine', 'timeline'), 'must be a Monitor').optional(),
  bridge: z.custom<BridgeSource>(hasMethods('subscribe'), 'must be a bridge').optional(),
  metrics: z.union([z.literal(false), z.custom<MetricsRegistry>(hasMethods('metrics'), 'must be a prom-client Registry')]).optional(),
  auth: z.strictObject({
    token: tokenSchema,
    principal: z.string().min(1).max(100).optional(),
    allowedOrigins: z.array(z.url().max(200)).max(50).optional(),
  }),
  prefix: path.or(z.literal('')).optional(),
  dashboard: z.boolean().optional(),
  readOnly: z.boolean().optional(),
  lifecycle: z.boolean().optional(),
  runNow: z.strictObject({ max: z.number().int().min(1).max(10_000).optional(), timeWindowMs: z.number().int().min(100).max(86_400_000).optional() }).optional(),
  restartReplyWithinMs: z.number().int().min(10).max(600_000).optional(),
  metricsPath: path.optional(),
  telemetry: z
    .strictObject({
      path: path.optional(),
      maxClients: z.number().int().min(1).max(10_000).optional(),
      maxBufferedBytes: z.number().int().min(1024).max(1 << 30).optional(),
      maxMessageBytes: z.number().int().min(64).max(1 << 20).optional(),
      tickMs: z.number().int().min(5).max(10_000).optional(),
    })
    .optional(),
  // Fastify adds these to every plugin's options.
  logLevel: z.string().optional(),
  logSerializers: z.unknown().optional(),
});

export interface ResolvedOptions {
  scheduler: SchedulerSource;
  workers: WorkersSource | undefined;
  monitor: MonitorSource | undefined;
  bridge: BridgeSource | undefined;
  metrics: MetricsRegistry | false | undefined;
  token: string;
  principal: string;
  allowedOrigins: string[];
  prefix: string;
  dashboard: boolean;
  readOnly: boolean;
  lifecycle: boolean;
  runNow: { max: number; timeWindowMs: number };
  restartReplyWithinMs: number;
  metricsPath: string;
  telemetry: Required<TelemetryOptions>;
}

export function resolveOptions(options: unknown): ResolvedOptions {
  const parsed = parseOrThrow(schema, options, 'tactus/fastify');
  return {
    scheduler: parsed.scheduler,
    workers: parsed.workers,
    monitor: parsed.monitor,
    bridge: parsed.bridge,
    metrics: parsed.metrics,
    token: parsed.auth.token,
    principal: parsed.auth.principal ?? 'operator',
    allowedOrigins: parsed.auth.allowedOrigins ?? [],
    prefix: parsed.prefix ?? '/tactus',
    dashboard: parsed.dashboard ?? true,
    readOnly: parsed.readOnly ?? false,
    lifecycle: parsed.lifecycle ?? true,
    runNow: { max: parsed.runNow?.max ?? 10, timeWindowMs: parsed.runNow?.timeWindowMs ?? 60_000 },
    restartReplyWithinMs: parsed.restartReplyWithinMs ?? 5000,
    metricsPath: parsed.metricsPath ?? '/metrics',
    telemetry: {
      path: parsed.telemetry?.path ?? '/ws/telemetry',
      maxClients: parsed.telemetry?.maxClients ?? 64,
      maxBufferedBytes: parsed.telemetry?.maxBufferedBytes ?? 1 << 20,
      maxMessageBytes: parsed.telemetry?.maxMessageBytes ?? 4096,
      tickMs: parsed.telemetry?.tickMs ?? 20,
    },
  };
}
