/**
 * What the plugin decorates the Fastify instance with (`app.tactus`, seed 000's dependency
 * injection of the coordinator): the sources it serves, its settings and the telemetry hub, so
 * the application's own routes reach the same singletons.
 */
import type { ResolvedOptions } from './options.js';
import type { BridgeSource, MetricsRegistry, MonitorSource, SchedulerSource, WorkersSource } from './sources.js';
import type { TelemetryHub } from './telemetry/hub.js';

/**
 * How long a built status is served again: at hundreds of requests per second the route then costs
 * one `describe()` + snapshot + serialisation per window instead of one per request. Control
 * routes drop it at once, so a change is never hidden from the operator who made it.
 */
export const STATUS_CACHE_MS = 100;

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
  #status: { builtAt: number; value: object; json: string | undefined } | undefined;

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
    return this.#cachedStatus().value;
  }

  /** `status()` serialised, once per window (what the route sends). */
  statusJson(): string {
    const cached = this.#cachedStatus();
    return (cached.json ??= JSON.stringify(cached.value));
  }

  #cachedStatus(): { builtAt: number; value: object; json: string | undefined } {
    const now = performance.now();
    const cached = this.#status;
    if (cached !== undefined && now - cached.builtAt < STATUS_CACHE_MS) return cached;
    const fresh = { builtAt: now, value: this.#buildStatus(), json: undefined };
    this.#status = fresh;
    return fresh;
  }

  /** Something changed through a control route: the next status is built afresh. */
  changed(): void {
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
