/**
 * `registerMetrics(registry, { scheduler, workers, monitor })`: tactus's figures as Prometheus
 * metrics on a prom-client registry the caller passes in (never the global one by surprise).
 *
 * Nothing is recorded on the hot path: every value is pulled at scrape time from the snapshots
 * the sources already keep (`describe()`, `summary()`, `latency.stats()`, the monitor's snapshot,
 * or `list()` without a monitor), read once per scrape. Names carry their units (`_seconds`,
 * `_total`, `_ratio`); labels are registered names only, each label capped (`maxTasks`...) with
 * the overflow summed into `_other`.
 */
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { parseOrThrow } from '../validation.js';
import { createFactory } from './define.js';
import { createReader, hasMethod, labelLimitsShape, metricPrefix, registerFamilies, sourcesShape, type LabelLimits } from './families.js';
import type { MetricsSources } from './scrape.js';

export interface RegisterMetricsOptions extends LabelLimits {
  /** Prefix of every metric name; default `'tactus_'`. */
  prefix?: string;
}

export interface RegisteredMetrics {
  /** The names registered, prefix included. */
  readonly names: readonly string[];
  /** Remove every metric this call registered from the registry. */
  unregister(): void;
}

const argumentsSchema = z.strictObject({
  registry: z.custom<Registry>(hasMethod('registerMetric'), 'must be a prom-client Registry'),
  sources: z.strictObject(sourcesShape),
  options: z.strictObject({ prefix: metricPrefix.optional(), ...labelLimitsShape }),
});

export function registerMetrics(registry: Registry, sources: MetricsSources, options: RegisterMetricsOptions = {}): RegisteredMetrics {
  parseOrThrow(argumentsSchema, { registry, sources, options }, 'registerMetrics');
  const names: string[] = [];
  const factory = createFactory(registry, options.prefix ?? 'tactus_', createReader(sources, options), names);
  try {
    registerFamilies(factory);
  } catch (error) {
    for (const name of names) registry.removeSingleMetric(name);
    throw error;
  }
  return {
    names,
    unregister: () => {
      for (const name of names) registry.removeSingleMetric(name);
    },
  };
}
