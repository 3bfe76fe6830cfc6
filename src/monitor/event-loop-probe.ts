/**
 * This process's event-loop health, per monitor interval: delay percentiles from
 * `perf_hooks.monitorEventLoopDelay` (a native histogram fed by a libuv timer, so sampling costs
 * no JavaScript) and utilisation from `performance.eventLoopUtilization` (busy share of the loop
 * since the previous sample). Both are real process figures, whatever clock the monitor runs on.
 */
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';

export interface EventLoopView {
  /** Event-loop delay over the last interval (ms); 0 before the first sample. */
  delayP50Ms: number;
  delayP99Ms: number;
  delayMaxMs: number;
  /** Share of the last interval the loop spent busy, 0..1. */
  utilization: number;
}

export const QUIET_EVENT_LOOP: EventLoopView = Object.freeze({ delayP50Ms: 0, delayP99Ms: 0, delayMaxMs: 0, utilization: 0 });

const NS_PER_MS = 1e6;

export class EventLoopProbe {
  readonly #resolutionMs: number;
  #histogram: IntervalHistogram | undefined;
  #lastUtilization: EventLoopUtilization | undefined;

  constructor(resolutionMs: number) {
    this.#resolutionMs = resolutionMs;
  }

  start(): void {
    if (this.#histogram !== undefined) return;
    this.#histogram = monitorEventLoopDelay({ resolution: this.#resolutionMs });
    this.#histogram.enable();
    this.#lastUtilization = performance.eventLoopUtilization();
  }

  stop(): void {
    this.#histogram?.disable();
    this.#histogram = undefined;
    this.#lastUtilization = undefined;
  }

  /** Figures since the previous sample; the window restarts. */
  sample(): EventLoopView {
    const histogram = this.#histogram;
    if (histogram === undefined || this.#lastUtilization === undefined) return QUIET_EVENT_LOOP;
    const utilization = performance.eventLoopUtilization(this.#lastUtilization).utilization;
    this.#lastUtilization = performance.eventLoopUtilization();
    const empty = histogram.count === 0;
    const view: EventLoopView = {
      delayP50Ms: empty ? 0 : histogram.percentile(50) / NS_PER_MS,
      delayP99Ms: empty ? 0 : histogram.percentile(99) / NS_PER_MS,
      delayMaxMs: empty ? 0 : histogram.max / NS_PER_MS,
      utilization: Number.isFinite(utilization) ? utilization : 0,
    };
    histogram.reset();
    return view;
  }
}
