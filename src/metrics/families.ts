/**
 * Every metric family, defined once against the `MetricFactory` seam: prom-client
 * (register.ts) and OpenTelemetry (src/telemetry/otel.ts) export the same figures under the same
 * names. Also the label limits both share.
 */
import { z } from 'zod';
import type { MetricFactory } from './define.js';
import { LabelBudget } from './label-budget.js';
import { registerMonitorMetrics } from './monitor-metrics.js';
import { registerSchedulerMetrics } from './scheduler-metrics.js';
import { ScrapeReader, type MetricsSources } from './scrape.js';
import { registerTaskMetrics } from './task-metrics.js';
import { registerWorkerMetrics } from './worker-metrics.js';

export interface LabelLimits {
  /** Distinct `task` label values at most; default 1000. Further tasks are summed under `task="_other"`. */
  maxTasks?: number;
  /** Distinct `worker` label values at most; default 256. */
  maxWorkers?: number;
  /** Distinct `queue` (and `category`) label values at most; default 64. */
  maxQueues?: number;
}

export const metricPrefix = z.string().max(64).regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a Prometheus name prefix (letters, digits, _)');

const cap = z.number().int().min(1).max(100_000);
export const labelLimitsShape = { maxTasks: cap.optional(), maxWorkers: cap.optional(), maxQueues: cap.optional() };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
export const hasMethod = (name: string) => (v: unknown): boolean => isObject(v) && typeof v[name] === 'function';

export const sourcesShape = {
  scheduler: z.custom<NonNullable<MetricsSources['scheduler']>>(hasMethod('describe'), 'must have describe()').optional(),
  workers: z.array(z.custom<NonNullable<MetricsSources['workers']>[number]>(hasMethod('list'), 'must have list()')).optional(),
  monitor: z.custom<NonNullable<MetricsSources['monitor']>>(hasMethod('snapshot'), 'must have snapshot()').optional(),
};

/** A reader of `sources` with label budgets from `limits`. */
export function createReader(sources: MetricsSources, limits: LabelLimits): ScrapeReader {
  const queues = limits.maxQueues ?? 64;
  return new ScrapeReader(sources, {
    task: new LabelBudget(limits.maxTasks ?? 1000),
    worker: new LabelBudget(limits.maxWorkers ?? 256),
    queue: new LabelBudget(queues),
    category: new LabelBudget(queues),
  });
}

export function registerFamilies(m: MetricFactory): void {
  registerTaskMetrics(m);
  registerSchedulerMetrics(m);
  registerWorkerMetrics(m);
  registerMonitorMetrics(m);
}
