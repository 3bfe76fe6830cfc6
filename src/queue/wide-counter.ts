/**
 * A monotonic counter up to 2^53, written by one thread and read by others through an Int32Array
 * in shared memory, without locks and without allocating (BigInt64 atomics would allocate).
 *
 * How: three words. `lo` is the value mod 2^32 (Atomics, and the word a reader waits on); `hiB` is
 * floor(v / 2^32), which changes when `lo` wraps to 0; `hiA` is floor((v + 2^31) / 2^32), which
 * changes when `lo` crosses 2^31. A reader loads `lo` first and then the high word that is NOT
 * changing near that `lo`: `hiB` while `lo` is in the middle half, `hiA` near the wrap. The writer
 * stores the high words before `lo`. So a read is exact unless the writer advances by 2^30 or more
 * between the reader's two loads (a billion increments), which the users of this file rule out.
 *
 * Values pass through a Float64Array slot (`numbers[at]`), not as arguments or results: a number
 * above 2^31 crossing a call that is not inlined would be boxed, that is, allocated.
 */

const TWO_32 = 2 ** 32;
const TWO_31 = 2 ** 31;
const QUARTER = 2 ** 30;

/** Words a counter occupies, starting at its index: lo, hiA, hiB. */
export const WIDE_COUNTER_WORDS = 3;

/** Publish `numbers[at]` (a safe integer >= the previous one); only the counter's one writer calls this. */
export function publishWide(words: Int32Array, index: number, numbers: Float64Array, at: number): void {
  const value = numbers[at]!;
  const hiB = Math.floor(value / TWO_32);
  const hiA = Math.floor((value + TWO_31) / TWO_32);
  // Only this writer stores these words, so a plain read of its own last store is exact.
  if (words[index + 2] !== hiB) Atomics.store(words, index + 2, hiB);
  if (words[index + 1] !== hiA) Atomics.store(words, index + 1, hiA);
  Atomics.store(words, index, value >>> 0);
}

/**
 * Publish `numbers[at]` if it moved on from `numbers[published]` (what this writer published
 * last), and record it there. A step below 2^31 changes the high words only when it crosses a
 * multiple of 2^31, that is when bit 31 of the low word flips; otherwise one store of `lo` does.
 */
export function advanceWide(words: Int32Array, index: number, numbers: Float64Array, at: number, published: number): void {
  const value = numbers[at]!;
  const last = numbers[published]!;
  if (value === last) return;
  numbers[published] = value;
  if (((value ^ last) & 0x80000000) !== 0) publishWide(words, index, numbers, at);
  else Atomics.store(words, index, value | 0);
}

/** Read the counter's latest published value into `numbers[at]`. */
export function readWide(words: Int32Array, index: number, numbers: Float64Array, at: number): void {
  const lo = Atomics.load(words, index) >>> 0;
  numbers[at] =
    lo >= QUARTER && lo < 3 * QUARTER
      ? Atomics.load(words, index + 2) * TWO_32 + lo
      : Atomics.load(words, index + 1) * TWO_32 - TWO_31 + ((lo + TWO_31) % TWO_32);
}
