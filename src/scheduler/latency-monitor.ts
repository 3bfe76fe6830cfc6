/**
 * Seed 001's latency monitor: per priority class, scheduling latency (ready to start) and
 * execution time, with p50/p95/p99; thresholds per class raise `latency-alert` when a p95
 * crosses them (once per crossing; re-armed when it falls back under).
 *
 * Recording is a histogram increment; percentiles are computed on `stats()` and, for classes with
 * a threshold, on the alert check (every sample at first, then every 16th).
 */
import { DurationHistogram } from '../stats/histogram.js';
import { PRIORITY_NAMES, type PriorityName } from './priority.js';

export interface LatencyPercentiles {
  count: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
}

export type LatencyStats = Record<PriorityName, { scheduling: LatencyPercentiles; execution: LatencyPercentiles }>;

export interface LatencyThreshold {
  schedulingMs?: number;
  executionMs?: number;
}

export type LatencyAlerts = Partial<Record<PriorityName, LatencyThreshold>>;

export interface LatencyAlertEvent {
  priority: PriorityName;
  kind: 'scheduling' | 'execution';
  p95Ms: number;
  thresholdMs: number;
  at: number;
}

const percentiles = (h: DurationHistogram): LatencyPercentiles => ({
  count: h.count,
  p50_ms: h.percentile(50),
  p95_ms: h.percentile(95),
  p99_ms: h.percentile(99),
  max_ms: h.maxMs,
});

/** Thresholds are checked on every sample while a class has few, then on every 16th. */
const CHECK_ALWAYS_BELOW = 100;
const CHECK_EVERY = 16;

export class LatencyMonitor {
  readonly #scheduling = PRIORITY_NAMES.map(() => new DurationHistogram());
  readonly #execution = PRIORITY_NAMES.map(() => new DurationHistogram());
  readonly #thresholds: readonly (LatencyThreshold | undefined)[];
  readonly #raised = new Set<string>();
  readonly #onAlert: (event: LatencyAlertEvent) => void;
  #alertsRaised = 0;

  constructor(alerts: LatencyAlerts, onAlert: (event: LatencyAlertEvent) => void) {
    this.#thresholds = PRIORITY_NAMES.map((name) => alerts[name]);
    this.#onAlert = onAlert;
  }

  recordScheduling(priority: number, ms: number, now: number): void {
    const i = classIndex(priority);
    const h = this.#scheduling[i]!;
    h.record(ms);
    const threshold = this.#thresholds[i]?.schedulingMs;
    if (threshold !== undefined && due(h)) this.#compare(i, 'scheduling', h, threshold, now);
  }

  recordExecution(priority: number, ms: number, now: number): void {
    const i = classIndex(priority);
    const h = this.#execution[i]!;
    h.record(ms);
    const threshold = this.#thresholds[i]?.executionMs;
    if (threshold !== undefined && due(h)) this.#compare(i, 'execution', h, threshold, now);
  }

  /** Alerts raised so far (a caller can tell whether recording ran a listener). */
  get alertsRaised(): number {
    return this.#alertsRaised;
  }

  stats(): LatencyStats {
    const stats = {} as LatencyStats;
    PRIORITY_NAMES.forEach((name, i) => {
      stats[name] = { scheduling: percentiles(this.#scheduling[i]!), execution: percentiles(this.#execution[i]!) };
    });
    return stats;
  }

  #compare(classIndex: number, kind: 'scheduling' | 'execution', h: DurationHistogram, thresholdMs: number, now: number): void {
    const priority = PRIORITY_NAMES[classIndex]!;
    const key = `${priority}:${kind}`;
    const p95Ms = h.percentile(95);
    if (p95Ms > thresholdMs) {
      if (this.#raised.has(key)) return;
      this.#raised.add(key);
      this.#alertsRaised++;
      this.#onAlert({ priority, kind, p95Ms, thresholdMs, at: now });
    } else {
      this.#raised.delete(key);
    }
  }
}

function due(h: DurationHistogram): boolean {
  return h.count < CHECK_ALWAYS_BELOW || h.count % CHECK_EVERY === 0;
}

/** Index of a priority's class: 0 (REALTIME) to 6 (IDLE). */
function classIndex(priority: number): number {
  return priority <= 0 ? 0 : priority >= 6 ? 6 : Math.floor(priority);
}
