/**
 * A compact duration histogram for per-task percentiles.
 *
 * Why not `perf_hooks.createHistogram`: each native HDR histogram costs about 29 KB (measured:
 * 577 MB for 20,000), and a scheduler holds two per task for 10,000 tasks. This one keeps 16
 * linear sub-buckets per power of two of microseconds (relative error <= 1/32 at the bucket
 * midpoint), 512 counters in 2 KB, allocated on the first sample; `record` is allocation-free.
 * Count, sum, min and max are exact; percentiles are clamped to [min, max].
 */

const SUB_BUCKET_BITS = 4;
const SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
const MAJOR_BUCKETS = 32;
const BUCKETS = MAJOR_BUCKETS * SUB_BUCKETS;
const MAX_US = 2 ** 32 - 1;

/** Bucket of a non-negative integer microsecond value: exact below 16 us, log-linear above. */
function bucketOf(us: number): number {
  if (us < SUB_BUCKETS) return us;
  const magnitude = 31 - Math.clz32(us); // floor(log2(us)) >= SUB_BUCKET_BITS
  const shift = magnitude - SUB_BUCKET_BITS;
  return (shift + 1) * SUB_BUCKETS + ((us >>> shift) - SUB_BUCKETS);
}

/** Midpoint (in us) of a bucket's range. */
function valueOf(bucket: number): number {
  if (bucket < SUB_BUCKETS) return bucket;
  const shift = (bucket >>> SUB_BUCKET_BITS) - 1;
  const low = (SUB_BUCKETS + (bucket & (SUB_BUCKETS - 1))) * 2 ** shift;
  return low + (2 ** shift - 1) / 2;
}

export interface PercentileSummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export class DurationHistogram {
  #counts: Uint32Array | undefined;
  #count = 0;
  #sumMs = 0;
  #maxMs = 0;
  #minMs = Number.POSITIVE_INFINITY;

  get count(): number {
    return this.#count;
  }

  get sumMs(): number {
    return this.#sumMs;
  }

  get maxMs(): number {
    return this.#maxMs;
  }

  get meanMs(): number {
    return this.#count === 0 ? 0 : this.#sumMs / this.#count;
  }

  /** Record a duration in milliseconds; negative values count as 0. */
  record(ms: number): void {
    const value = ms > 0 ? ms : 0;
    const us = Math.min(Math.round(value * 1000), MAX_US);
    const counts = (this.#counts ??= new Uint32Array(BUCKETS));
    counts[bucketOf(us)]! += 1;
    this.#count += 1;
    this.#sumMs += value;
    if (value > this.#maxMs) this.#maxMs = value;
    if (value < this.#minMs) this.#minMs = value;
  }

  /** The value (ms) at percentile `p` in [0, 100]; 0 when empty. Always within the exact [min, max]. */
  percentile(p: number): number {
    const counts = this.#counts;
    if (counts === undefined || this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#count));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += counts[bucket]!;
      if (seen >= rank) return Math.min(Math.max(valueOf(bucket) / 1000, this.#minMs), this.#maxMs);
    }
    return this.#maxMs;
  }

  summary(): PercentileSummary {
    return { p50: this.percentile(50), p95: this.percentile(95), p99: this.percentile(99), max: this.#maxMs };
  }

  reset(): void {
    this.#counts?.fill(0);
    this.#count = 0;
    this.#sumMs = 0;
    this.#maxMs = 0;
    this.#minMs = Number.POSITIVE_INFINITY;
  }
}
