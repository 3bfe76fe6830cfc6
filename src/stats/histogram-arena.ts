/**
 * Storage for many duration histograms, packed into shared pages instead of one object graph each.
 *
 * Why: a scheduler records two histograms per release (jitter and execution time) for each of up
 * to 10,000 tasks. With a typed array per histogram, every record walks a cold histogram object,
 * a cold typed-array object, its number boxes and only then the bucket: at 10,000 tasks the cache
 * misses cost more than the scheduling itself. Here a histogram is an integer id; its count, sum,
 * min and max sit side by side in a page-wide Float64Array (32 bytes, two histograms per cache
 * line) and its 512 counters in a page-wide Uint32Array, so a record touches two lines of data
 * and the (few, hot) page arrays. Pages are never moved or copied; freed ids are reused with
 * their counters zeroed.
 *
 * Histograms recorded together (a task's jitter and execution time) are allocated as a PAIR: an
 * even id and the next one, whose scalars fill one 64-byte slot of the page and whose counters
 * sit side by side, so one release touches one scalar line rather than two. A pair goes back to
 * the arena as a pair once both halves are released, and is handed out again as one (freed one
 * by one, ids come back in the order the garbage collector finalized their handles: at 10,000
 * tasks a task's two histograms then sat on two random lines, two cache misses per release).
 *
 * The counters are stored bucket-major within a page: bucket b of the page's 128 histograms are
 * 128 adjacent counters. Tasks tend to land in the same few buckets (similar jitter, similar run
 * times), so the lines that records touch are shared by many histograms and stay cached; stored
 * histogram-major, each histogram's hot bucket sat 2 KB from the next one's, a stride that maps
 * every record of 10,000 tasks onto a few cache sets and a fresh page (measured: `record` was 20 %
 * of a 10,000-task release profile). Reading a percentile walks a 512-byte stride instead, once
 * per snapshot, not per record.
 *
 * Buckets: 16 linear sub-buckets per power of two of microseconds (relative error <= 1/32 at the
 * bucket midpoint), exact below 16 us, up to 2^32 us. Count, sum, min and max are exact;
 * percentiles are clamped to [min, max].
 */

const SUB_BUCKET_BITS = 4;
const SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
const MAJOR_BUCKETS = 32;
export const BUCKETS = MAJOR_BUCKETS * SUB_BUCKETS;
const MAX_US = 2 ** 32 - 1;

/** Histograms per page: 128 x 2 KB of counters, 128 x 32 B of scalars. */
const PAGE_BITS = 7;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;
/** Scalars per histogram: count, sum, min, max. */
const SCALARS = 4;
const COUNT = 0;
const SUM = 1;
const MIN = 2;
const MAX = 3;

/** What an id is: a single histogram, a half of a pair in use, or a released half whose sibling is not. */
const SINGLE = 0;
const PAIRED = 1;
const HALF_FREE = 2;

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

export class HistogramArena {
  readonly #counts: Uint32Array[] = [];
  readonly #scalars: Float64Array[] = [];
  /** Per page, what each id is (SINGLE, PAIRED, HALF_FREE). */
  readonly #kinds: Uint8Array[] = [];
  readonly #free: number[] = [];
  /** Free pairs, by their even id. */
  readonly #freePairs: number[] = [];
  #next = 0;

  /** A new, empty histogram's id. */
  allocate(): number {
    return this.#free.pop() ?? this.#fresh();
  }

  /** Two new, empty histograms recorded together: `id` (even) and `id + 1`, scalars in one 64-byte slot. */
  allocatePair(): number {
    const reused = this.#freePairs.pop();
    if (reused !== undefined) return reused;
    if ((this.#next & 1) === 1) this.#free.push(this.#fresh()); // pairs start at even ids
    const id = this.#fresh();
    this.#fresh();
    const kinds = this.#kinds[id >>> PAGE_BITS]!;
    kinds[id & PAGE_MASK] = PAIRED;
    kinds[(id & PAGE_MASK) + 1] = PAIRED;
    return id;
  }

  /** Give `id` back: it is emptied and handed out again by a later `allocate` (a pair's, once both halves are back, by `allocatePair`). */
  release(id: number): void {
    this.reset(id);
    const kinds = this.#kinds[id >>> PAGE_BITS]!;
    const offset = id & PAGE_MASK;
    if (kinds[offset] === SINGLE) {
      this.#free.push(id);
    } else if (kinds[offset ^ 1] === HALF_FREE) {
      kinds[offset ^ 1] = PAIRED;
      this.#freePairs.push(id & ~1);
    } else {
      kinds[offset] = HALF_FREE;
    }
  }

  #fresh(): number {
    const id = this.#next++;
    if ((id & PAGE_MASK) === 0) {
      this.#counts.push(new Uint32Array(PAGE_SIZE * BUCKETS));
      const scalars = new Float64Array(PAGE_SIZE * SCALARS);
      for (let i = MIN; i < scalars.length; i += SCALARS) scalars[i] = Number.POSITIVE_INFINITY;
      this.#scalars.push(scalars);
      this.#kinds.push(new Uint8Array(PAGE_SIZE));
    }
    return id;
  }

  /** Record a duration in milliseconds into histogram `id`; negative values count as 0. */
  record(id: number, ms: number): void {
    const value = ms > 0 ? ms : 0;
    const us = Math.min(Math.round(value * 1000), MAX_US);
    const page = id >>> PAGE_BITS;
    const offset = id & PAGE_MASK;
    this.#counts[page]![bucketOf(us) * PAGE_SIZE + offset]! += 1;
    const scalars = this.#scalars[page]!;
    const at = offset * SCALARS;
    scalars[at + COUNT]! += 1;
    scalars[at + SUM]! += value;
    if (value < scalars[at + MIN]!) scalars[at + MIN] = value;
    if (value > scalars[at + MAX]!) scalars[at + MAX] = value;
  }

  count(id: number): number {
    return this.#scalar(id, COUNT);
  }

  sum(id: number): number {
    return this.#scalar(id, SUM);
  }

  /** The largest value recorded, 0 when empty. */
  max(id: number): number {
    return this.#scalar(id, MAX);
  }

  /** The value (ms) at percentile `p` in [0, 100]; 0 when empty. Always within the exact [min, max]. */
  percentile(id: number, p: number): number {
    const total = this.count(id);
    if (total === 0) return 0;
    const min = this.#scalar(id, MIN);
    const max = this.#scalar(id, MAX);
    const counts = this.#counts[id >>> PAGE_BITS]!;
    const offset = id & PAGE_MASK;
    const rank = Math.max(1, Math.ceil((p / 100) * total));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += counts[bucket * PAGE_SIZE + offset]!;
      if (seen >= rank) return Math.min(Math.max(valueOf(bucket) / 1000, min), max);
    }
    return max;
  }

  reset(id: number): void {
    const counts = this.#counts[id >>> PAGE_BITS]!;
    for (let at = id & PAGE_MASK; at < counts.length; at += PAGE_SIZE) counts[at] = 0;
    const scalars = this.#scalars[id >>> PAGE_BITS]!;
    const at = (id & PAGE_MASK) * SCALARS;
    scalars[at + COUNT] = 0;
    scalars[at + SUM] = 0;
    scalars[at + MIN] = Number.POSITIVE_INFINITY;
    scalars[at + MAX] = 0;
  }

  #scalar(id: number, which: number): number {
    return this.#scalars[id >>> PAGE_BITS]![(id & PAGE_MASK) * SCALARS + which]!;
  }
}

/** The process's (or worker thread's) arena, shared by every `DurationHistogram`. */
export const histograms = new HistogramArena();
