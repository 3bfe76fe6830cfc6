/**
 * The metric factory the families use: each definition becomes a pulled prom-client metric on the
 * caller's registry, filled from this scrape's reading (scrape.ts). Names get the prefix here.
 */
import type { Registry } from 'prom-client';
import { PrecomputedSummary, PulledCounter, PulledGauge, type Add, type SummaryAdd } from './pulled-metrics.js';
import type { Scrape, ScrapeReader } from './scrape.js';

export type { Add, SummaryAdd };

export interface MetricFactory {
  readonly reader: ScrapeReader;
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[], fill: (add: Add<L>, scrape: Scrape) => void): void;
  counter<L extends string>(name: string, help: string, labelNames: readonly L[], fill: (add: Add<L>, scrape: Scrape) => void): void;
  /** A summary of precomputed `quantiles` (ascending; 1 = the max). */
  summary<L extends string>(name: string, help: string, labelNames: readonly L[], quantiles: readonly number[], fill: (add: SummaryAdd<L>, scrape: Scrape) => void): void;
}

export function createFactory(registry: Registry, prefix: string, reader: ScrapeReader, names: string[]): MetricFactory {
  const register = (metric: PulledGauge<string> | PulledCounter<string> | PrecomputedSummary<string>, name: string): void => {
    registry.registerMetric(metric);
    names.push(name);
  };
  return {
    reader,
    gauge(name, help, labelNames, fill) {
      register(new PulledGauge({ name: prefix + name, help, labelNames }, (add) => fill(add, reader.get())), prefix + name);
    },
    counter(name, help, labelNames, fill) {
      register(new PulledCounter({ name: prefix + name, help, labelNames }, (add) => fill(add, reader.get())), prefix + name);
    },
    summary(name, help, labelNames, quantiles, fill) {
      register(new PrecomputedSummary({ name: prefix + name, help, labelNames, quantiles }, (add) => fill(add, reader.get())), prefix + name);
    },
  };
}
