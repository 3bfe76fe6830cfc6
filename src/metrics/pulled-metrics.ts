/**
 * prom-client metrics whose values are pulled at scrape time instead of being set as things
 * happen: a `fill` callback adds this scrape's series (scrape.ts: every metric of one scrape
 * shares one reading of the sources) and the metric renders them. Gauges and counters sum series
 * that share labels (names folded into `_other`). Summaries carry quantiles computed elsewhere:
 * tactus keeps a compact histogram per task (src/stats/histogram.ts), and observing every run a
 * second time into prom-client would cost the hot path; series that share labels merge
 * conservatively (the largest of each quantile, counts and sums added); `_count` and `_sum` are
 * rendered where known. Text goes through `getForPromString` with stable shared labels
 * (series-table.ts), the way prom-client renders its own histograms; `get()` gives the JSON shape.
 */
import { Counter, Gauge, Summary } from 'prom-client';
import { SeriesTable, type Merge, type Series } from './series-table.js';

export type Add<L extends string> = (labels: Record<L, string>, value: number) => void;
/** Values in the order of the summary's `quantiles`, in seconds; count and sum when known. */
export type SummaryAdd<L extends string> = (labels: Record<L, string>, quantiles: readonly number[], count?: number, sum?: number) => void;

type Labels = Record<string, string | number>;
interface RenderedValue {
  value: number;
  labels: Labels;
  sharedLabels?: Labels;
  metricName?: string;
}
interface Rendered {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: RenderedValue[];
}

const NO_LABELS: Labels = Object.freeze({});
const quantileLabels = new Map<number, Labels>();
function quantileLabel(quantile: number): Labels {
  let labels = quantileLabels.get(quantile);
  if (labels === undefined) quantileLabels.set(quantile, (labels = Object.freeze({ quantile })));
  return labels;
}

/**
 * The values a metric renders. For text, each series keeps its value objects from scrape to scrape
 * (only `value` changes), so a scrape of 1,000 tasks allocates almost nothing; for JSON, fresh
 * objects with merged labels.
 */
class Renderer<L extends string> {
  readonly #kept = new WeakMap<Series<L>, RenderedValue[]>();
  readonly shared: boolean;

  constructor(shared: boolean) {
    this.shared = shared;
  }

  /** Value `slot` of `series`: `value` under `labels` (besides the series' own), as `metricName` if given. */
  value(series: Series<L>, slot: number, value: number, labels: Labels, metricName?: string): RenderedValue {
    if (!this.shared) return metricName === undefined ? { value, labels: { ...labels, ...series.labels } } : { value, labels: { ...labels, ...series.labels }, metricName };
    let kept = this.#kept.get(series);
    if (kept === undefined) this.#kept.set(series, (kept = []));
    let entry = kept[slot];
    if (entry === undefined) {
      entry = metricName === undefined ? { value, labels, sharedLabels: series.labels } : { value, labels, sharedLabels: series.labels, metricName };
      kept[slot] = entry;
    }
    entry.value = value;
    return entry;
  }
}

/** The table, the fill and the rendering one pulled metric needs, whatever its prom-client type. */
class Puller<L extends string> {
  readonly #table: SeriesTable<L>;
  readonly #render: (series: readonly Series<L>[], renderer: Renderer<L>) => RenderedValue[];
  readonly #text = new Renderer<L>(true);
  readonly #json = new Renderer<L>(false);
  readonly fill: () => void;

  constructor(labelNames: readonly L[], merge: Merge, fill: (table: SeriesTable<L>) => void, render: (series: readonly Series<L>[], renderer: Renderer<L>) => RenderedValue[]) {
    this.#table = new SeriesTable(labelNames, merge);
    this.#render = render;
    this.fill = () => fill(this.#table);
  }

  /** Fill synchronously (before any await: the scrape's shared reading), then render after `base`. */
  async render(base: () => Promise<{ name: string; help: string; aggregator: string }>, type: string, forText: boolean): Promise<Rendered> {
    this.#table.begin();
    this.fill();
    const series = this.#table.end();
    const { name, help, aggregator } = await base();
    return { name, help, type, aggregator, values: this.#render(series, forText ? this.#text : this.#json) };
  }
}

const add = (into: number[], values: readonly number[]): void => {
  into[0] = into[0]! + values[0]!;
};
function renderScalar<L extends string>(series: readonly Series<L>[], renderer: Renderer<L>): RenderedValue[] {
  return series.map((s) => renderer.value(s, 0, s.values[0]!, NO_LABELS));
}

// prom-client's typings declare `type` as a numeric enum while it renders strings: the JSON `get()`
// overrides below return what prom-client itself returns at runtime, hence their casts.

interface PulledConfig<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
}

export class PulledGauge<L extends string> extends Gauge<L> {
  readonly #puller: Puller<L>;

  constructor(config: PulledConfig<L>, fill: (add: Add<L>) => void) {
    super({ ...config, registers: [] });
    this.#puller = new Puller(config.labelNames, add, (table) => fill((labels, value) => Number.isFinite(value) && table.add(labels, [value])), renderScalar);
  }

  getForPromString(): Promise<Rendered> {
    return this.#puller.render(() => super.get(), 'gauge', true);
  }

  override get(): ReturnType<Gauge<L>['get']> {
    return this.#puller.render(() => super.get(), 'gauge', false) as unknown as ReturnType<Gauge<L>['get']>;
  }
}

export class PulledCounter<L extends string> extends Counter<L> {
  readonly #puller: Puller<L>;

  constructor(config: PulledConfig<L>, fill: (add: Add<L>) => void) {
    super({ ...config, registers: [] });
    this.#puller = new Puller(config.labelNames, add, (table) => fill((labels, value) => Number.isFinite(value) && value >= 0 && table.add(labels, [value])), renderScalar);
  }

  getForPromString(): Promise<Rendered> {
    return this.#puller.render(() => super.get(), 'counter', true);
  }

  override get(): ReturnType<Counter<L>['get']> {
    return this.#puller.render(() => super.get(), 'counter', false) as unknown as ReturnType<Counter<L>['get']>;
  }
}

export class PrecomputedSummary<L extends string> extends Summary<L> {
  readonly #puller: Puller<L>;

  constructor(config: PulledConfig<L> & { quantiles: readonly number[] }, fill: (add: SummaryAdd<L>) => void) {
    super({ name: config.name, help: config.help, labelNames: config.labelNames, registers: [] });
    const n = config.quantiles.length;
    const merge: Merge = (into, values) => {
      for (let i = 0; i < n; i++) into[i] = Math.max(into[i]!, values[i]!);
      into[n] = into[n]! + values[n]!; // NaN (unknown) stays NaN
      into[n + 1] = into[n + 1]! + values[n + 1]!;
    };
    const sumName = `${config.name}_sum`;
    const countName = `${config.name}_count`;
    const render = (series: readonly Series<L>[], renderer: Renderer<L>): RenderedValue[] => {
      const values: RenderedValue[] = [];
      for (const s of series) {
        config.quantiles.forEach((q, i) => values.push(renderer.value(s, i, s.values[i]!, quantileLabel(q))));
        if (!Number.isNaN(s.values[n + 1]!)) values.push(renderer.value(s, n + 1, s.values[n + 1]!, NO_LABELS, sumName));
        if (!Number.isNaN(s.values[n]!)) values.push(renderer.value(s, n, s.values[n]!, NO_LABELS, countName));
      }
      return values;
    };
    this.#puller = new Puller(config.labelNames, merge, (table) => fill((labels, quantiles, count = Number.NaN, sum = Number.NaN) => table.add(labels, [...quantiles, count, sum])), render);
  }

  getForPromString(): Promise<Rendered> {
    return this.#puller.render(() => super.get(), 'summary', true);
  }

  override get(): ReturnType<Summary<L>['get']> {
    return this.#puller.render(() => super.get(), 'summary', false) as unknown as ReturnType<Summary<L>['get']>;
  }
}
