/**
 * OpenTelemetry, optional (seed 000): the same metrics as the Prometheus exporter through an OTel
 * meter, and a span per job run. `@opentelemetry/api` is never a dependency of tactus: it is
 * imported dynamically, only when no meter and tracer are passed in, and `enableOpenTelemetry`
 * resolves to null when it is not installed. The API is used through the small structural
 * interfaces below, so tactus's own typings do not name the package either.
 *
 * Metrics are observable instruments fed by ONE batch callback at collection time, from the same
 * family definitions and scrape reading as `registerMetrics` (a summary becomes a gauge with a
 * `quantile` attribute plus `_count` / `_sum` counters). Spans follow the scheduler's job
 * `state-change` events: one span from RUNNING to whatever comes next, status OK on COMPLETED and
 * ERROR otherwise (a retry or a yield ends one span and the next run opens another).
 */
import { z } from 'zod';
import type { Add, MetricFactory, SummaryAdd } from '../metrics/define.js';
import { createReader, hasMethod, labelLimitsShape, metricPrefix, registerFamilies, sourcesShape, type LabelLimits } from '../metrics/families.js';
import type { MetricsSources } from '../metrics/scrape.js';
import type { EventSource } from '../monitor/sources.js';
import { parseOrThrow } from '../validation.js';

export type OtelAttributes = Record<string, string | number | boolean>;
/** An OTel observable instrument (opaque here). */
export type OtelObservable = object;
export interface OtelBatchResult {
  observe(observable: OtelObservable, value: number, attributes?: OtelAttributes): void;
}
export type OtelBatchCallback = (result: OtelBatchResult) => void;
export interface OtelMeter {
  createObservableGauge(name: string, options?: { description?: string; unit?: string }): OtelObservable;
  createObservableCounter(name: string, options?: { description?: string; unit?: string }): OtelObservable;
  addBatchObservableCallback(callback: OtelBatchCallback, observables: OtelObservable[]): void;
  removeBatchObservableCallback(callback: OtelBatchCallback, observables: OtelObservable[]): void;
}
export interface OtelSpan {
  setStatus(status: { code: number; message?: string }): unknown;
  end(): void;
}
export interface OtelTracer {
  startSpan(name: string, options?: { attributes?: OtelAttributes }): OtelSpan;
}

export interface OpenTelemetryOptions extends LabelLimits, MetricsSources {
  /** Meter for the metrics; default `metrics.getMeter('tactus')` of `@opentelemetry/api`. */
  meter?: OtelMeter;
  /** Tracer for job spans; default `trace.getTracer('tactus')` of `@opentelemetry/api`. */
  tracer?: OtelTracer;
  /** Prefix of every metric name; default `'tactus_'`. */
  prefix?: string;
  /** Export the metrics; default true. */
  metrics?: boolean;
  /** A span per job run (needs a scheduler with events); default true. */
  spans?: boolean;
}

export interface OpenTelemetryBridge {
  /** Unregister the callback and stop listening; open spans are ended. */
  close(): void;
}

const SPAN_OK = 1;
const SPAN_ERROR = 2;

const optionsSchema = z.strictObject({
  ...sourcesShape,
  ...labelLimitsShape,
  meter: z.custom<OtelMeter>(hasMethod('addBatchObservableCallback'), 'must be an OpenTelemetry Meter').optional(),
  tracer: z.custom<OtelTracer>(hasMethod('startSpan'), 'must be an OpenTelemetry Tracer').optional(),
  prefix: metricPrefix.optional(),
  metrics: z.boolean().optional(),
  spans: z.boolean().optional(),
});

interface OtelApi {
  metrics: { getMeter(name: string): OtelMeter };
  trace: { getTracer(name: string): OtelTracer };
}

async function importApi(): Promise<OtelApi | undefined> {
  try {
    // A variable specifier: bundlers and TypeScript leave the optional package alone.
    const specifier = '@opentelemetry/api';
    return (await import(specifier)) as OtelApi;
  } catch {
    return undefined;
  }
}

/** Observable instruments for every family, observed in one batch callback. */
function instrumentFamilies(meter: OtelMeter, options: OpenTelemetryOptions, prefix: string): () => void {
  const reader = createReader(options, options);
  const observables: OtelObservable[] = [];
  const observers: ((result: OtelBatchResult) => void)[] = [];
  const scalar = (create: 'createObservableGauge' | 'createObservableCounter') =>
    <L extends string>(name: string, help: string, _labels: readonly L[], fill: (add: Add<L>, scrape: ReturnType<typeof reader.get>) => void): void => {
      const instrument = meter[create](prefix + name, { description: help });
      observables.push(instrument);
      observers.push((result) => fill((labels, value) => Number.isFinite(value) && result.observe(instrument, value, labels), reader.get()));
    };
  const factory: MetricFactory = {
    reader,
    gauge: scalar('createObservableGauge'),
    counter: scalar('createObservableCounter'),
    summary<L extends string>(name: string, help: string, _labels: readonly L[], quantiles: readonly number[], fill: (add: SummaryAdd<L>, scrape: ReturnType<typeof reader.get>) => void): void {
      const gauge = meter.createObservableGauge(prefix + name, { description: help });
      const count = meter.createObservableCounter(`${prefix}${name}_count`, { description: `${help} (count)` });
      const sum = meter.createObservableCounter(`${prefix}${name}_sum`, { description: `${help} (sum)` });
      observables.push(gauge, count, sum);
      observers.push((result) =>
        fill((labels, values, n, total) => {
          quantiles.forEach((quantile, i) => Number.isFinite(values[i]) && result.observe(gauge, values[i]!, { ...labels, quantile }));
          if (n !== undefined) result.observe(count, n, labels);
          if (total !== undefined) result.observe(sum, total, labels);
        }, reader.get()),
      );
    },
  };
  registerFamilies(factory);
  const callback: OtelBatchCallback = (result) => {
    for (const observe of observers) observe(result);
  };
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}

/** One span per job run, from the scheduler's `state-change` events. */
function traceJobs(tracer: OtelTracer, scheduler: Partial<EventSource>): () => void {
  if (scheduler.on === undefined || scheduler.off === undefined) return () => undefined;
  const open = new Map<string, OtelSpan>();
  const listener = (...args: unknown[]): void => {
    const event = args[0] as { id?: unknown; name?: unknown; from?: unknown; to?: unknown } | undefined;
    if (typeof event?.id !== 'string') return;
    const span = open.get(event.id);
    if (span !== undefined) {
      open.delete(event.id);
      span.setStatus(event.to === 'COMPLETED' ? { code: SPAN_OK } : { code: SPAN_ERROR, message: String(event.to) });
      span.end();
    }
    if (event.to === 'RUNNING') {
      open.set(event.id, tracer.startSpan(`tactus.job ${String(event.name)}`, { attributes: { 'tactus.job.id': event.id, 'tactus.job.name': String(event.name) } }));
    }
  };
  scheduler.on('state-change', listener);
  return () => {
    scheduler.off?.('state-change', listener);
    for (const span of open.values()) span.end();
    open.clear();
  };
}

/**
 * Export tactus's metrics and job spans through OpenTelemetry. Resolves to null when neither a
 * meter nor a tracer was passed and `@opentelemetry/api` is not installed.
 */
export async function enableOpenTelemetry(options: OpenTelemetryOptions): Promise<OpenTelemetryBridge | null> {
  parseOrThrow(optionsSchema, options, 'enableOpenTelemetry');
  const wantMetrics = options.metrics ?? true;
  const wantSpans = (options.spans ?? true) && options.scheduler !== undefined;
  let { meter, tracer } = options;
  if ((wantMetrics && meter === undefined) || (wantSpans && tracer === undefined)) {
    const api = await importApi();
    if (api === undefined) return null;
    meter ??= api.metrics.getMeter('tactus');
    tracer ??= api.trace.getTracer('tactus');
  }
  const closers: (() => void)[] = [];
  if (wantMetrics && meter !== undefined) closers.push(instrumentFamilies(meter, options, options.prefix ?? 'tactus_'));
  if (wantSpans && tracer !== undefined && options.scheduler !== undefined) closers.push(traceJobs(tracer, options.scheduler));
  let closed = false;
  return {
    close: () => {
      if (closed) return;
      closed = true;
      for (const close of closers) close();
    },
  };
}
