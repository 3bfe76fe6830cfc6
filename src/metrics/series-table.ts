/**
 * The series of one pulled metric, kept across scrapes so each keeps ONE frozen labels object.
 * prom-client's text renderer caches the formatted form of a value's `sharedLabels` object by
 * identity (a WeakMap; its own histograms rely on it), so a series whose labels object survives
 * from scrape to scrape is formatted once, not on every scrape: that is most of a scrape's cost
 * with 1,000 tasks. A series not filled in a scrape is dropped; series filled twice in one scrape
 * (names folded into `_other`) are merged.
 */

export interface Series<L extends string> {
  readonly labels: Readonly<Record<L, string>>;
  /** Gauges and counters: [value]. Summaries: the quantiles, then count and sum (NaN: unknown). */
  values: number[];
  seen: number;
}

export type Merge = (into: number[], values: readonly number[]) => void;

export class SeriesTable<L extends string> {
  readonly #labelNames: readonly L[];
  readonly #merge: Merge;
  readonly #series = new Map<string, Series<L>>();
  #scrape = 0;

  constructor(labelNames: readonly L[], merge: Merge) {
    this.#labelNames = labelNames;
    this.#merge = merge;
  }

  /** Start a scrape. */
  begin(): void {
    this.#scrape++;
  }

  add(labels: Record<L, string>, values: readonly number[]): void {
    let key = '';
    for (const name of this.#labelNames) key += `${labels[name]}\u0000`;
    const series = this.#series.get(key);
    if (series === undefined) {
      this.#series.set(key, { labels: Object.freeze({ ...labels }), values: [...values], seen: this.#scrape });
    } else if (series.seen !== this.#scrape) {
      series.seen = this.#scrape;
      series.values = [...values];
    } else {
      this.#merge(series.values, values);
    }
  }

  /** End the scrape: the series filled in it (the others are forgotten). */
  end(): Series<L>[] {
    const filled: Series<L>[] = [];
    for (const [key, series] of this.#series) {
      if (series.seen === this.#scrape) filled.push(series);
      else this.#series.delete(key);
    }
    return filled;
  }
}
