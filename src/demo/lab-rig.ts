/**
 * The demo lab rig: every seed running on one tactus runtime behind the service, the way a real
 * lab coordinator would wire it (seed 000's lifespan singleton): build the scheduler and its
 * tasks, register the Fastify plugin (which starts them on ready and drains them on close),
 * listen on loopback. `close()` drains everything in order and resolves when it is all stopped.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { pino, type Logger as PinoLogger } from 'pino';
import { z } from 'zod';
import { tactus } from '../http/plugin.js';
import { resolveServiceToken } from '../http/token.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { parseOrThrow } from '../validation.js';
import { WorkerManager } from '../workers/manager.js';
import { Monitor } from '../monitor/monitor.js';
import { startDashcamPipeline } from './dashcam-pipeline.js';
import { startDevices } from './devices.js';
import { registerFirmwareTasks } from './firmware-tasks.js';
import { registerPerceptionJobs } from './perception-jobs.js';
import { registerStageLoops } from './stage-loops.js';

export interface LabRigOptions {
  /** Address to listen on; default `'127.0.0.1'`. Any other address needs `token` (or `TACTUS_TOKEN`). */
  host?: string;
  /** Port; default 7070; 0 picks a free one. */
  port?: number;
  /** Bearer token; default `TACTUS_TOKEN`, else a random one (loopback only). */
  token?: string;
  /** Browser origins allowed besides the loopback ones, e.g. `http://lab-host:7070` when serving the network. */
  allowedOrigins?: string[];
  /** Log level of the service's pino logger (JSON lines); default `'warn'`. */
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
  /** Where logs go; default stdout. */
  logStream?: NodeJS.WritableStream;
}

export interface LabRig {
  /** The dashboard's URL. */
  readonly url: string;
  /** The service's base URL (no path). */
  readonly origin: string;
  readonly token: string;
  /** True when the token was generated for this run (print it). */
  readonly tokenGenerated: boolean;
  readonly app: FastifyInstance;
  readonly scheduler: Scheduler;
  readonly workers: WorkerManager;
  readonly monitor: Monitor;
  /** Drain everything; idempotent. */
  close(): Promise<void>;
}

const optionsSchema = z.strictObject({
  host: z.string().min(1).max(255).optional(),
  port: z.number().int().min(0).max(65_535).optional(),
  token: z.string().optional(),
  allowedOrigins: z.array(z.string()).optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).optional(),
  logStream: z.custom<NodeJS.WritableStream>((v) => typeof v === 'object' && v !== null && typeof (v as { write?: unknown }).write === 'function').optional(),
});

export async function startLabRig(options: LabRigOptions = {}): Promise<LabRig> {
  const parsed = parseOrThrow(optionsSchema, options, 'startLabRig');
  const host = parsed.host ?? '127.0.0.1';
  const { token, generated } = resolveServiceToken(host, parsed.token ?? process.env['TACTUS_TOKEN']);
  const logger: PinoLogger = pino({ level: parsed.logLevel ?? 'warn' }, parsed.logStream ?? process.stdout);

  // The engine's own recoverable failures (a flaky Wi-Fi check, a retried job) are routine here: errors only.
  const scheduler = new Scheduler({ logger: logger.child({ component: 'scheduler' }, { level: 'error' }) });
  registerStageLoops(scheduler);
  registerPerceptionJobs(scheduler);
  registerFirmwareTasks(scheduler);

  const workers = new WorkerManager({ logger: logger.child({ component: 'workers' }) });
  workers.attachTo(scheduler);
  const bridge = startDevices(workers);
  const pipeline = startDashcamPipeline(scheduler, workers);
  // Seed 004's shutdown flags: the monitor reads them (and shows them in the HUD), never sets them.
  const stop = new AbortController();
  // The demo's anomalies are staged (slow patches, misses): they show on the dashboard, not as console warnings.
  const monitor = new Monitor({ scheduler, workers: [workers], queues: pipeline.queues, stop: stop.signal, logger: logger.child({ component: 'monitor' }, { level: 'error' }) });

  const app: FastifyInstance = Fastify({ loggerInstance: logger.child({ component: 'http' }) as FastifyBaseLogger });
  await app.register(tactus, { scheduler, workers, monitor, bridge, auth: { token, ...(parsed.allowedOrigins === undefined ? {} : { allowedOrigins: parsed.allowedOrigins }) } });
  try {
    await app.listen({ host, port: parsed.port ?? 7070 });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const port = address !== null && typeof address === 'object' ? address.port : (parsed.port ?? 7070);
  const origin = `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url: `${origin}${app.tactus.prefix}/`,
    origin,
    token,
    tokenGenerated: generated,
    app,
    scheduler,
    workers,
    monitor,
    close: () => {
      stop.abort();
      return (closing ??= app.close().then(() => undefined));
    },
  };
}
