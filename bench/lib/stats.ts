/**
 * Sample buffers and percentiles for benches. A `SampleBuffer` is preallocated, so recording from
 * inside a timed callback allocates nothing and cannot itself trigger the GC being measured.
 */

export interface Summary {
  count: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

export class SampleBuffer {
  readonly #values: Float64Array;
  #count = 0;
  /** Samples offered after the buffer was full (not recorded). */
  dropped = 0;

  constructor(capacity: number) {
    this.#values = new Float64Array(capacity);
  }

  get count(): number {
    return this.#count;
  }

  push(value: number): void {
    if (this.#count < this.#values.length) this.#values[this.#count++] = value;
    else this.dropped++;
  }

  at(index: number): number {
    return this.#values[index] ?? Number.NaN;
  }

  /** The recorded samples (a view, not a copy). */
  values(): Float64Array {
    return this.#values.subarray(0, this.#count);
  }

  clear(): void {
    this.#count = 0;
    this.dropped = 0;
  }
}

/** Nearest-rank percentile of ascending-sorted values; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function summarize(samples: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!,
  };
}

export function median(values: readonly number[]): number {
  return percentile(Float64Array.from(values).sort(), 50);
}
