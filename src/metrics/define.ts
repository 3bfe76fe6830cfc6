/**
 * Pull-model metric definitions: every value is computed at scrape time from the scrape's reading
 * (see scrape.ts), never pushed from the hot path. A gauge or counter is reset and refilled on
 * each collect, so a task or worker that is gone stops being exported; values that share labels
 * (names folded into `_other`) are summed.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { PrecomputedSummary, type SummaryAdd } from './precomputed-summary.js';
import type { Scrape, ScrapeReader } from './scrape.js';

export type Add<L extends string> = (labels: Record<L, string>, value: number) => void;

export interface MetricFactory {
  readonly reader: ScrapeReader;
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[], fill: (add: Add<L>, scrape: Scrape) => void): void;
  counter<L extends string>(name: string, help: string, labelNames: readonly L[], fill: (add: Add<L>, scrape: Scrape) => void): void;
  summary<L extends string>(name: string, help: string, labelNames: readonly L[], fill: (add: SummaryAdd<L>, scrape: Scrape) => void): void;
}

const valid = (value: number): boolean => Number.isFinite(value);

export function createFactory(registry: Registry, prefix: string, reader: ScrapeReader, names: string[]): MetricFactory {
  return {
    reader,
    gauge(name, help, labelNames, fill) {
      names.push(prefix + name);
      new Gauge({
        name: prefix + name,
        help,
        labelNames,
        registers: [registry],
        collect() {
          this.reset();
          fill((labels, value) => valid(value) && this.inc(labels, value), reader.get());
        },
      });
    },
    counter(name, help, labelNames, fill) {
      names.push(prefix + name);
      new Counter({
        name: prefix + name,
        help,
        labelNames,
        registers: [registry],
        collect() {
          this.reset();
          fill((labels, value) => valid(value) && value >= 0 && this.inc(labels, value), reader.get());
        },
      });
    },
    summary(name, help, labelNames, fill) {
      names.push(prefix + name);
      registry.registerMetric(
        new PrecomputedSummary({ name: prefix + name, help, labelNames, registers: [] }, (add) => fill(add, reader.get())),
      );
    },
  };
}
