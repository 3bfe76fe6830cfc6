/**
 * A compact duration histogram for per-task percentiles: a handle on one histogram of the shared
 * arena (`histogram-arena.ts`, which explains the buckets and the layout).
 *
 * Why not `perf_hooks.createHistogram`: each native HDR histogram costs about 29 KB (measured:
 * 577 MB for 20,000), and a scheduler holds two per task for 10,000 tasks. Here one costs 2 KB
 * of counters and 32 bytes of scalars in the arena, given back by `release()` or when the handle
 * is collected; `record` is allocation-free. Count, sum, min and max are exact; percentiles are clamped to
 * [min, max].
 */
import { histograms } from './histogram-arena.js';

export interface PercentileSummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

const released = new FinalizationRegistry<number>((id) => histograms.release(id));

export class DurationHistogram {
  /** @internal Its id in the shared arena, for hot paths that record without the handle. */
  readonly id: number;

  /** @param id internal: a half of a pair from `histograms.allocatePair()` (see `pair()`); a new id by default */
  constructor(id: number = histograms.allocate()) {
    this.id = id;
    released.register(this, this.id, this);
  }

  /** @internal Two histograms recorded together: a release touches one line of scalars for both. */
  static pair(): [DurationHistogram, DurationHistogram] {
    const id = histograms.allocatePair();
    return [new DurationHistogram(id), new DurationHistogram(id + 1)];
  }

  /**
   * Give the storage back to the arena now rather than when this handle is collected (weak
   * references are cleared only by full GCs, so an application that churns through handles would
   * grow the arena meanwhile). The handle must not be used afterwards: its id goes to the next one.
   */
  release(): void {
    if (released.unregister(this)) histograms.release(this.id);
  }

  get count(): number {
    return histograms.count(this.id);
  }

  get sumMs(): number {
    return histograms.sum(this.id);
  }

  get maxMs(): number {
    return histograms.max(this.id);
  }

  get meanMs(): number {
    const count = this.count;
    return count === 0 ? 0 : this.sumMs / count;
  }

  /** Record a duration in milliseconds; negative values count as 0. */
  record(ms: number): void {
    histograms.record(this.id, ms);
  }

  /** The value (ms) at percentile `p` in [0, 100]; 0 when empty. Always within the exact [min, max]. */
  percentile(p: number): number {
    return histograms.percentile(this.id, p);
  }

  summary(): PercentileSummary {
    return { p50: this.percentile(50), p95: this.percentile(95), p99: this.percentile(99), max: this.maxMs };
  }

  reset(): void {
    histograms.reset(this.id);
  }
}
