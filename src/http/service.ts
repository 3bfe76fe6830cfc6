/**
 * What the plugin decorates the Fastify instance with (`app.tactus`, seed 000's dependency
 * injection of the coordinator): the sources it serves, its settings and the telemetry hub, so
 * the application's own routes reach the same singletons.
 */
import type { ResolvedOptions } from './options.js';
import type { BridgeSource, MetricsRegistry, MonitorSource, SchedulerSource, WorkersSource } from './sources.js';
import type { TelemetryHub } from './telemetry/hub.js';

/**
 * How often the status is rebuilt while it is being read. The first read builds it (on the request
 * path); while reads keep coming, a timer rebuilds it every window, off the request path, so reads
 * at hundreds per second only copy out one pre-serialised body and none of them pays for a
 * `describe()` + snapshot + `JSON.stringify`. A window without reads stops the timer and drops the
 * body (an occasional reader builds a fresh one). Control routes drop it at once, so a change is
 * never hidden from the operator who made it.
 */
export const STATUS_CACHE_MS = 100;

interface BuiltStatus {
  value: object;
  /** `value` serialised once: what the route sends. */
  body: Buffer;
}

export class TactusService {
  readonly scheduler: SchedulerSource;
  readonly workers: WorkersSource | undefined;
  readonly monitor: MonitorSource | undefined;
  readonly bridge: BridgeSource | undefined;
  /** What `GET /metrics` renders (add your own metrics to it), or undefined with `metrics: false`. */
  readonly metrics: MetricsRegistry | undefined;
  readonly prefix: string;
  readonly readOnly: boolean;
  readonly telemetry: TelemetryHub;
  #status: BuiltStatus | undefined;
  #readSinceBuild = false;
  #refresh: ReturnType<typeof setInterval> | undefined;

  constructor(options: ResolvedOptions, telemetry: TelemetryHub, metrics: MetricsRegistry | undefined) {
    this.scheduler = options.scheduler;
    this.workers = options.workers;
    this.monitor = options.monitor;
    this.bridge = options.bridge;
    this.metrics = metrics;
    this.prefix = options.prefix;
    this.readOnly = options.readOnly;
    this.telemetry = telemetry;
  }

  #dataTopics(): readonly string[] {
    const bridge = this.bridge;
    if (bridge === undefined) return [];
    return bridge.topics?.() ?? Object.keys(bridge.stats?.().topics ?? {});
  }

  /** `GET {prefix}/status`: the scheduler's description, the monitor's snapshot, the workers. */
  status(): object {
    return this.#current().value;
  }

  /** `status()` as UTF-8 JSON, serialised once per build (what the route sends). */
  statusBody(): Buffer {
    return this.#current().body;
  }

  #current(): BuiltStatus {
    this.#readSinceBuild = true;
    if (this.#status !== undefined) return this.#status;
    this.#rebuild();
    this.#refresh ??= setInterval(this.#onRefresh, STATUS_CACHE_MS).unref();
    return this.#status!;
  }

  readonly #onRefresh = (): void => {
    if (this.#readSinceBuild) this.#rebuild();
    else this.close();
  };

  #rebuild(): void {
    const value = this.#buildStatus();
    this.#status = { value, body: Buffer.from(JSON.stringify(value)) };
    this.#readSinceBuild = false;
  }

  /** Something changed through a control route: the next status is built afresh. */
  changed(): void {
    this.#status = undefined;
  }

  /** Stop refreshing and drop the built status (on close, or when nobody reads it). */
  close(): void {
    clearInterval(this.#refresh);
    this.#refresh = undefined;
    this.#status = undefined;
  }

  #buildStatus(): object {
    return {
      readOnly: this.readOnly,
      scheduler: this.scheduler.describe(),
      summary: this.scheduler.summary?.() ?? null,
      latency: this.scheduler.latency?.stats() ?? null,
      workers: this.workers?.list() ?? [],
      monitor: this.monitor?.snapshot() ?? null,
      hud: this.monitor?.hudLine() ?? null,
      telemetry: { ...this.telemetry.stats(), dataTopics: this.#dataTopics() },
    };
  }
}
