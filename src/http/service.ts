/**
 * What the plugin decorates the Fastify instance with (`app.tactus`, seed 000's dependency
 * injection of the coordinator): the sources it serves, its settings and the telemetry hub, so
 * the application's own routes reach the same singletons.
 */
import type { ResolvedOptions } from './options.js';
import type { BridgeSource, MetricsRegistry, MonitorSource, SchedulerSource, WorkersSource } from './sources.js';
import type { TelemetryHub } from './telemetry/hub.js';

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
