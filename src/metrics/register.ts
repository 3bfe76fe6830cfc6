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
import { LabelBudget } from './label-budget.js';
import { registerMonitorMetrics } from './monitor-metrics.js';
import { registerSchedulerMetrics } from './scheduler-metrics.js';
import { ScrapeReader, type MetricsSources } from './scrape.js';
import { registerTaskMetrics } from './task-metrics.js';
import { registerWorkerMetrics } from './worker-metrics.js';

export interface RegisterMetricsOptions {
  /** Prefix of every metric name; default `'tactus_'`. */
  prefix?: string;
  /** Distinct `task` label values at most; default 1000. Further tasks are summed under `task="_other"`. */
  maxTasks?: number;
  /** Distinct `worker` label values at most; default 256. */
  maxWorkers?: number;
  /** Distinct `queue` (and `category`) label values at most; default 64. */
  maxQueues?: number;
}

export interface RegisteredMetrics {
  /** The names registered, prefix included. */
  readonly names: readonly string[];
  /** Remove every metric this call registered from the registry. */
  unregister(): void;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const hasMethod = (name: string) => (v: unknown): boolean => isObject(v) && typeof v[name] === 'function';

const sourcesSchema = z.strictObject({
  scheduler: z.custom<NonNullable<MetricsSources['scheduler']>>(hasMethod('describe'), 'must have describe()').optional(),
  workers: z.array(z.custom<NonNullable<MetricsSources['workers']>[number]>(hasMethod('list'), 'must have list()')).optional(),
  monitor: z.custom<NonNullable<MetricsSources['monitor']>>(hasMethod('snapshot'), 'must have snapshot()').optional(),
});

const registrySchema = z.custom<Registry>(hasMethod('registerMetric'), 'must be a prom-client Registry');

const cap = z.number().int().min(1).max(100_000);
const optionsSchema = z.strictObject({
  prefix: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a Prometheus name prefix (letters, digits, _)').max(64).optional(),
  maxTasks: cap.optional(),
  maxWorkers: cap.optional(),
  maxQueues: cap.optional(),
});

export function registerMetrics(registry: Registry, sources: MetricsSources, options: RegisterMetricsOptions = {}): RegisteredMetrics {
  parseOrThrow(z.strictObject({ registry: registrySchema }), { registry }, 'registerMetrics');
  parseOrThrow(sourcesSchema, sources, 'registerMetrics');
  const parsed = parseOrThrow(optionsSchema, options, 'registerMetrics');
  const queues = parsed.maxQueues ?? 64;
  const reader = new ScrapeReader(sources, {
    task: new LabelBudget(parsed.maxTasks ?? 1000),
    worker: new LabelBudget(parsed.maxWorkers ?? 256),
    queue: new LabelBudget(queues),
    category: new LabelBudget(queues),
  });
  const names: string[] = [];
  const factory = createFactory(registry, parsed.prefix ?? 'tactus_', reader, names);
  try {
    registerTaskMetrics(factory);
    registerSchedulerMetrics(factory);
    registerWorkerMetrics(factory);
    registerMonitorMetrics(factory);
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
