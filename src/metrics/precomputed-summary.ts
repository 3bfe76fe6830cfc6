/**
 * A Prometheus summary whose quantiles were computed elsewhere. tactus already keeps a compact
 * log-linear histogram per task (src/stats/histogram.ts) and reports p50/p95/p99/max; observing
 * every run a second time into prom-client would cost the hot path, and exporting the raw
 * buckets would mean ~500 series per task. So the metric reports the core's percentiles at scrape
 * time as `quantile` series, with `_sum` and `_count` where they are known. Series that share
 * labels (several tasks folded into `_other`) merge conservatively: the largest of each quantile,
 * counts and sums added.
 */
import { Summary, type SummaryConfiguration } from 'prom-client';

/** Quantile label value → value (seconds). */
export type Quantiles = readonly (readonly [quantile: number, value: number])[];

export type SummaryAdd<L extends string> = (labels: Record<L, string>, quantiles: Quantiles, count?: number, sum?: number) => void;

interface Series<L extends string> {
  labels: Record<L, string>;
  quantiles: number[];
  quantileNames: number[];
  count: number | undefined;
  sum: number | undefined;
}

export class PrecomputedSummary<L extends string> extends Summary<L> {
  readonly #labelNames: readonly L[];
  readonly #fill: (add: SummaryAdd<L>) => void;

  constructor(config: Omit<SummaryConfiguration<L>, 'collect'> & { labelNames: readonly L[] }, fill: (add: SummaryAdd<L>) => void) {
    super(config);
    this.#labelNames = config.labelNames;
    this.#fill = fill;
  }

  override async get(): ReturnType<Summary<L>['get']> {
    // Fill first, synchronously: every collect of one scrape shares one reading (scrape.ts).
    const series = new Map<string, Series<L>>();
    this.#fill((labels, quantiles, count, sum) => {
      const key = this.#labelNames.map((name) => labels[name]).join('\u0000');
      const existing = series.get(key);
      if (existing === undefined) {
        series.set(key, { labels, quantileNames: quantiles.map((q) => q[0]), quantiles: quantiles.map((q) => q[1]), count, sum });
        return;
      }
      quantiles.forEach(([, value], i) => (existing.quantiles[i] = Math.max(existing.quantiles[i] ?? 0, value)));
      existing.count = count === undefined || existing.count === undefined ? undefined : existing.count + count;
      existing.sum = sum === undefined || existing.sum === undefined ? undefined : existing.sum + sum;
    });
    const base = await super.get(); // name, help, type and aggregator as prom-client sets them; no series
    const values: Awaited<ReturnType<Summary<L>['get']>>['values'] = [];
    for (const s of series.values()) {
      s.quantileNames.forEach((quantile, i) => values.push({ labels: { ...s.labels, quantile }, value: s.quantiles[i]! }));
      if (s.sum !== undefined) values.push({ metricName: `${base.name}_sum`, labels: s.labels, value: s.sum });
      if (s.count !== undefined) values.push({ metricName: `${base.name}_count`, labels: s.labels, value: s.count });
    }
    return { ...base, values };
  }
}
