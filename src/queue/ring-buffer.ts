/// <reference lib="es2024.sharedmemory" />
/**
 * A single-producer / single-consumer ring of records in a SharedArrayBuffer: the data plane
 * between a device worker thread and its parent.
 *
 * How and why:
 * - Every record gets a sequence number `seq` (53-bit, from `startSeq`). Record `seq` lives in
 *   slot `seq & mask` (slot count rounded up to a power of two). The header publishes the write
 *   index (producer) and the read index (consumer) as wide counters (./wide-counter.ts), so both
 *   sides and a restarted producer or consumer rebuild their state from the buffer alone.
 * - Only the producer moves the write index and only the consumer moves the read index. With
 *   'drop-oldest' the producer never waits and never touches the read index: it simply overwrites
 *   the oldest slot. The consumer notices it was lapped (write - read > slots, or a slot whose
 *   stamp moved on), skips ahead and counts the skipped records as dropped. With 'reject' the
 *   producer compares against the read index and refuses the record (counted, `push` returns false).
 * - Under 'drop-oldest' each slot is a seqlock: the producer stamps `begin = seq`, writes the
 *   record, stamps `end = seq`, then publishes the write index. The consumer checks `end == seq`,
 *   copies the record into a private scratch area, then checks `begin == seq` again; a mismatch
 *   means the producer was overwriting the slot meanwhile, so the record is dropped, never
 *   delivered torn. (Stamps are Atomics; on x86-64 stores and loads keep program order, which the
 *   seqlock needs.) Under 'reject' the producer never writes a slot the consumer has not released,
 *   so it skips the stamps. Either way a producer killed mid-write never published its record, so
 *   nothing half-written is ever read as valid.
 * - Batches: each index lives on its own cache line, and every store to it moves that line to
 *   the other core. So the producer can `append` records and publish the write index once with
 *   `flush` (`push` = append + flush), and the consumer can `drain` up to n records and publish
 *   the read index once. Unflushed records are invisible: not readable, not counted as produced.
 * - Exact counters: produced = published write - startSeq; consumed and dropped are the
 *   consumer's; depth is what is left in the ring. produced = consumed + dropped + depth at every
 *   snapshot taken on the consumer's thread (records overwritten but not yet noticed count as
 *   dropped already; a batch being drained counts as consumed once `drain` returns).
 * - Wake-ups: the consumer raises a `waiting` flag before it sleeps on the write index
 *   (`Atomics.wait`/`waitAsync`); `flush` calls `Atomics.notify` only when the flag is up,
 *   so publishing costs no system call while the consumer keeps up.
 * - `push`, `append`, `flush`, `shift` and `drain` allocate nothing, also past seq 2^31: each side
 *   keeps its numbers in a Float64Array (a non-Smi number stored in an object field would be
 *   boxed), and the consumer hands out one reused record whose fields are getters over those
 *   numbers and whose `data` is a view of the consumer's scratch area (views cached per length),
 *   valid until the next record. The consumer re-reads the write index only when it used up what
 *   it saw last time.
 *
 * Layout (bytes): a 256-byte header of Int32 words (geometry; the producer's, the consumer's and
 * the wake-up words on separate cache lines), then `slots` slots of align64(24 + slotBytes):
 * [begin i32][end i32][length i32][type u32][ts f64][data], then the consumer's scratch area.
 */
import { z } from 'zod';
import { InvalidConfigError, RingRecordTooLargeError } from '../errors.js';
import { parseOrThrow } from '../validation.js';
import { holdLoop, releaseLoop } from './loop-hold.js';
import { advanceWide, publishWide, readWide } from './wide-counter.js';

export type OverflowPolicy = 'drop-oldest' | 'reject';

/** One record as the consumer sees it; `data` is valid until the next record is taken. */
export interface RingRecord {
  readonly seq: number;
  readonly ts: number;
  readonly type: number;
  readonly data: Uint8Array;
}

/** Exact accounting: produced = consumed + dropped + depth (rejected records were never produced). */
export interface RingCounters {
  produced: number;
  consumed: number;
  dropped: number;
  rejected: number;
  depth: number;
}

export interface SharedRingOptions {
  /** Capacity in records, rounded up to a power of two (read back `ring.slots`). Required. */
  slots: number;
  /** Largest record payload in bytes. Required. */
  slotBytes: number;
  /** What a push into a full ring does (default 'drop-oldest'). */
  overflow?: OverflowPolicy;
  /** Sequence number of the first record (default 0); tests start near 2^32 to cross the index wrap. */
  startSeq?: number;
}

const MAX_SLOTS = 2 ** 24;
const MAX_SLOT_BYTES = 2 ** 28;
const MAX_BUFFER_BYTES = 2 ** 30;

// Header: Int32 words; producer, consumer and wake-up words on separate cache lines.
const HEADER_BYTES = 256;
const MAGIC = 0x74526e67; // 'tRng'
const VERSION = 1;
const H_MAGIC = 0;
const H_VERSION = 1;
const H_SLOTS = 2;
const H_SLOT_BYTES = 3;
const H_POLICY = 4;
const H_START_LO = 5;
const H_START_HI = 6;
const H_WRITE = 16; // wide counter, producer-owned; its low word is the futex word
const H_READ = 32; // wide counter, consumer-owned
const H_DROPPED = 36; // wide counter, consumer-owned
const H_WAITING = 48; // consumer-owned: 1 while the consumer sleeps (or is about to); read by every push
const H_REJECTED = 52; // wide counter, producer-owned; off the write index's line, so a producer refused in a loop does not slow the consumer

// Slot: [begin i32][end i32][length i32][type u32][ts f64][data ...], 8-byte aligned.
const S_BEGIN = 0;
const S_END = 1;
const S_LENGTH = 2;
const S_TYPE = 3;
const SLOT_HEADER_BYTES = 24;
const VIEW_CACHE = 64;

// Numbers each side keeps in a private Float64Array, not in fields: on this V8 every store of a
// non-Smi number (seqs pass 2^31) into an object field allocates a heap number; a typed array does not.
const N_WRITE = 0; // producer: next seq
const N_READ_SEEN = 1; // producer: last read index seen ('reject')
const N_REJECTED = 2; // producer
const N_READ = 3; // consumer: next seq to read
const N_WRITTEN_SEEN = 4; // consumer: last write index seen
const N_DROPPED = 5; // consumer
const N_RECORD_SEQ = 6; // consumer: the current record's fields, read through its getters
const N_RECORD_TS = 7;
const N_RECORD_TYPE = 8;
const N_WRITE_PUBLISHED = 9; // producer: the write index as last published (`flush`)
const N_READ_PUBLISHED = 10; // consumer: the read index as last published
const NUMBERS = 11;
const WORD_COPY_MAX_BYTES = 256; // below this a word loop beats the builtin copy of shared memory
const OK = Promise.resolve('ok' as const);
const TIMED_OUT = Promise.resolve('timed-out' as const);

const align8 = (bytes: number): number => Math.ceil(bytes / 8) * 8;
const align64 = (bytes: number): number => Math.ceil(bytes / 64) * 64;
const nextPowerOfTwo = (n: number): number => 2 ** Math.ceil(Math.log2(n));

const optionsSchema = z
  .object({
    slots: z.number().int().min(1).max(MAX_SLOTS),
    slotBytes: z.number().int().min(1).max(MAX_SLOT_BYTES),
    overflow: z.enum(['drop-oldest', 'reject']).optional(),
    startSeq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER - 2 ** 40).optional(),
  })
  .strict();

function layout(slots: number, slotBytes: number): { stride: number; scratch: number; total: number } {
  const stride = align64(SLOT_HEADER_BYTES + slotBytes); // whole cache lines: no false sharing between neighbour slots
  const scratch = HEADER_BYTES + slots * stride;
  return { stride, scratch, total: scratch + align8(slotBytes) };
}

export class SharedRing {
  readonly buffer: SharedArrayBuffer;
  /** Capacity in records (a power of two). */
  readonly slots: number;
  /** Largest payload per record, in bytes. */
  readonly slotBytes: number;
  readonly overflow: OverflowPolicy;
  readonly #i32: Int32Array;
  readonly #f64: Float64Array;
  readonly #u8: Uint8Array;
  readonly #mask: number;
  readonly #strideWords: number;
  readonly #scratch: number;
  readonly #start: number;
  readonly #reject: boolean;
  readonly #n = new Float64Array(NUMBERS);
  readonly #record: ShiftedRecord;
  readonly #views: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(VIEW_CACHE).fill(undefined);

  /** A new, empty ring. Pass `ring.buffer` to the other side (e.g. in `workerData`). */
  static create(options: SharedRingOptions): SharedRing {
    const parsed = parseOrThrow(optionsSchema, options, 'SharedRing.create');
    const slots = nextPowerOfTwo(parsed.slots);
    const { total } = layout(slots, parsed.slotBytes);
    if (total > MAX_BUFFER_BYTES) {
      throw new InvalidConfigError(
        `SharedRing.create: slots x slotBytes needs ${total} bytes, above the ${MAX_BUFFER_BYTES}-byte limit (got slots=${parsed.slots}, slotBytes=${parsed.slotBytes})`,
      );
    }
    const buffer = new SharedArrayBuffer(total);
    const words = new Int32Array(buffer);
    const start = parsed.startSeq ?? 0;
    words[H_MAGIC] = MAGIC;
    words[H_VERSION] = VERSION;
    words[H_SLOTS] = slots;
    words[H_SLOT_BYTES] = parsed.slotBytes;
    words[H_POLICY] = parsed.overflow === 'reject' ? 1 : 0;
    words[H_START_LO] = start >>> 0;
    words[H_START_HI] = Math.floor(start / 2 ** 32);
    const numbers = Float64Array.of(start);
    publishWide(words, H_WRITE, numbers, 0);
    publishWide(words, H_READ, numbers, 0);
    return new SharedRing(buffer);
  }

  /** The other side of an existing ring; geometry and both indices are read from the header. */
  static attach(buffer: SharedArrayBuffer): SharedRing {
    if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < HEADER_BYTES) {
      throw new InvalidConfigError('SharedRing.attach: buffer must be the SharedArrayBuffer of a SharedRing');
    }
    const words = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    if (words[H_MAGIC] !== MAGIC || words[H_VERSION] !== VERSION) {
      throw new InvalidConfigError('SharedRing.attach: buffer is not a SharedRing (bad magic or version)');
    }
    const slots = words[H_SLOTS]!;
    const slotBytes = words[H_SLOT_BYTES]!;
    if (slots < 1 || (slots & (slots - 1)) !== 0 || slotBytes < 1 || layout(slots, slotBytes).total !== buffer.byteLength) {
      throw new InvalidConfigError(`SharedRing.attach: corrupt geometry (slots=${slots}, slotBytes=${slotBytes}, ${buffer.byteLength} bytes)`);
    }
    return new SharedRing(buffer);
  }

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.#i32 = new Int32Array(buffer);
    this.#f64 = new Float64Array(buffer);
    this.#u8 = new Uint8Array(buffer);
    const words = this.#i32;
    this.slots = words[H_SLOTS]!;
    this.slotBytes = words[H_SLOT_BYTES]!;
    this.#reject = words[H_POLICY] === 1;
    this.overflow = this.#reject ? 'reject' : 'drop-oldest';
    this.#mask = this.slots - 1;
    const { stride, scratch } = layout(this.slots, this.slotBytes);
    this.#strideWords = stride >> 2;
    this.#scratch = scratch;
    this.#start = (words[H_START_HI]! >>> 0) * 2 ** 32 + (words[H_START_LO]! >>> 0);
    const n = this.#n;
    readWide(words, H_WRITE, n, N_WRITE);
    readWide(words, H_READ, n, N_READ_SEEN);
    readWide(words, H_REJECTED, n, N_REJECTED);
    readWide(words, H_DROPPED, n, N_DROPPED);
    n[N_READ] = n[N_READ_SEEN]!;
    n[N_WRITTEN_SEEN] = n[N_WRITE]!;
    n[N_WRITE_PUBLISHED] = n[N_WRITE]!;
    n[N_READ_PUBLISHED] = n[N_READ]!;
    this.#record = new ShiftedRecord(n);
  }

  /** Producer: the sequence number the next accepted `push` or `append` gets. */
  get nextSeq(): number {
    return this.#n[N_WRITE]!;
  }

  /**
   * Producer: append a record and publish it (`append` + `flush`). Returns false when the ring is
   * full under 'reject' (counted as rejected). Throws `RingRecordTooLargeError` when `data`
   * exceeds `slotBytes`. `type` is a uint32.
   */
  push(type: number, ts: number, data: Uint8Array): boolean {
    if (!this.append(type, ts, data)) return false;
    this.flush();
    return true;
  }

  /**
   * Producer: write a record without publishing it; `flush()` publishes every record appended
   * since the last one at once (one store of the write index, at most one wake-up). Until then the
   * record is invisible: not read, not counted as produced. Same results and errors as `push`;
   * under 'reject' the unflushed records hold their slots, so a full ring refuses here too.
   */
  append(type: number, ts: number, data: Uint8Array): boolean {
    const length = data.length;
    if (length > this.slotBytes) throw new RingRecordTooLargeError(length, this.slotBytes);
    if (type >>> 0 !== type) throw new InvalidConfigError(`SharedRing: a record type must be an integer in [0, 2^32) (got ${type})`);
    const words = this.#i32;
    const n = this.#n;
    const seq = n[N_WRITE]!;
    if (this.#reject && seq - n[N_READ_SEEN]! >= this.slots) {
      // Refresh the cached read index; the lag is below 2^32 since 'reject' bounds it by `slots`.
      n[N_READ_SEEN] = seq - ((seq - Atomics.load(words, H_READ)) >>> 0);
      if (seq - n[N_READ_SEEN]! >= this.slots) {
        n[N_REJECTED] = n[N_REJECTED]! + 1;
        publishWide(words, H_REJECTED, n, N_REJECTED);
        return false;
      }
    }
    const word = HEADER_BYTES / 4 + (seq & this.#mask) * this.#strideWords;
    const stamp = seq | 0;
    const stamped = !this.#reject; // 'reject' never overwrites an unread slot: no seqlock needed
    if (stamped) Atomics.store(words, word + S_BEGIN, stamp);
    words[word + S_LENGTH] = length;
    words[word + S_TYPE] = type;
    this.#f64[(word >> 1) + 2] = ts;
    this.#u8.set(data, (word << 2) + SLOT_HEADER_BYTES);
    if (stamped) Atomics.store(words, word + S_END, stamp);
    n[N_WRITE] = seq + 1;
    return true;
  }

  /** Producer: publish the records appended since the last flush and wake a sleeping consumer. */
  flush(): void {
    const n = this.#n;
    if (n[N_WRITE] === n[N_WRITE_PUBLISHED]) return;
    advanceWide(this.#i32, H_WRITE, n, N_WRITE, N_WRITE_PUBLISHED);
    if (Atomics.load(this.#i32, H_WAITING) !== 0) Atomics.notify(this.#i32, H_WRITE);
  }

  /** Consumer: the oldest record, or undefined when empty. The returned object is reused. */
  shift(): RingRecord | undefined {
    if (!this.#take()) return undefined;
    advanceWide(this.#i32, H_READ, this.#n, N_READ, N_READ_PUBLISHED);
    return this.#record;
  }

  /**
   * Consumer: hand up to `max` records, oldest first, to `visit`, then publish the read index once
   * (one store for the batch, so the producer's cache line moves once, not per record). Returns how
   * many were visited. The record object is reused and its `data` is valid only during the call.
   * Drops (lapped, torn) are detected and counted exactly as by `shift`; while `visit` runs,
   * `counters()` still balance but count this batch as not yet consumed.
   */
  drain(max: number, visit: (record: RingRecord) => void): number {
    if (!(max >= 0)) throw new InvalidConfigError(`SharedRing.drain: max must be a number >= 0 (got ${max})`);
    let count = 0;
    try {
      while (count < max && this.#take()) {
        count++;
        visit(this.#record);
      }
    } finally {
      advanceWide(this.#i32, H_READ, this.#n, N_READ, N_READ_PUBLISHED);
    }
    return count;
  }

  /**
   * Take the oldest record into the scratch area and the record's numbers, advancing the private
   * read index only; the caller publishes it. Lapped or torn records are skipped and counted.
   */
  #take(): boolean {
    const words = this.#i32;
    const n = this.#n;
    for (;;) {
      const seq = n[N_READ]!;
      // The write index is re-read only when what was seen of it is used up: fewer cache misses.
      if (seq >= n[N_WRITTEN_SEEN]!) {
        readWide(words, H_WRITE, n, N_WRITTEN_SEEN);
        const written = n[N_WRITTEN_SEEN]!;
        if (written === seq) return false;
        if (written - seq > this.slots) {
          this.#skip(written - seq - this.slots); // lapped: the oldest records were overwritten
          continue;
        }
      }
      const word = HEADER_BYTES / 4 + (seq & this.#mask) * this.#strideWords;
      const stamp = seq | 0;
      const stamped = !this.#reject;
      // `end` moved on: the producer lapped us since the write index was read, or is committing a
      // newer record into this slot. This record is gone; re-reading the index skips the rest.
      if (stamped && Atomics.load(words, word + S_END) !== stamp) {
        this.#skip(1);
        n[N_WRITTEN_SEEN] = n[N_READ]!;
        continue;
      }
      const length = words[word + S_LENGTH]!;
      const type = words[word + S_TYPE]! >>> 0;
      const ts = this.#f64[(word >> 1) + 2]!;
      if (length >>> 0 <= WORD_COPY_MAX_BYTES) {
        const from = word + SLOT_HEADER_BYTES / 4;
        const to = this.#scratch >> 2;
        for (let i = (length + 3) >> 2; i-- > 0; ) words[to + i] = words[from + i]!;
      } else {
        const from = (word << 2) + SLOT_HEADER_BYTES;
        this.#u8.copyWithin(this.#scratch, from, from + length);
      }
      // `begin` moved on: the producer overwrote the slot while we copied; the copy may be torn.
      if ((stamped && Atomics.load(words, word + S_BEGIN) !== stamp) || length >>> 0 > this.slotBytes) {
        this.#skip(1);
        n[N_WRITTEN_SEEN] = n[N_READ]!;
        continue;
      }
      n[N_READ] = seq + 1;
      n[N_RECORD_SEQ] = seq;
      n[N_RECORD_TS] = ts;
      n[N_RECORD_TYPE] = type;
      this.#record.data = this.#view(length);
      return true;
    }
  }

  /**
   * Consumer on an event-loop thread: resolves 'ok' when a record may be available (at once if
   * one is), or 'timed-out' after `timeoutMs`. Keeps the event loop alive meanwhile (a pending
   * `Atomics.waitAsync` does not) through the thread's shared hold (./loop-hold.ts): a wait
   * allocates only what `Atomics.waitAsync` itself does and one promise.
   */
  waitAsync(timeoutMs: number): Promise<'ok' | 'timed-out'> {
    const words = this.#i32;
    const seen = Atomics.load(words, H_WRITE);
    if (seen !== (this.#n[N_READ]! | 0)) return OK;
    Atomics.store(words, H_WAITING, 1);
    const result = Atomics.waitAsync(words, H_WRITE, seen, timeoutMs);
    if (!result.async) {
      Atomics.store(words, H_WAITING, 0);
      return result.value === 'timed-out' ? TIMED_OUT : OK;
    }
    holdLoop();
    return result.value.then(this.#woken);
  }

  readonly #woken = (outcome: 'ok' | 'timed-out'): 'ok' | 'timed-out' => {
    releaseLoop();
    Atomics.store(this.#i32, H_WAITING, 0);
    return outcome;
  };

  /** Consumer on a worker thread: blocks until a record may be available or `timeoutMs` passes. */
  wait(timeoutMs: number): 'ok' | 'timed-out' {
    const words = this.#i32;
    const seen = Atomics.load(words, H_WRITE);
    if (seen !== (this.#n[N_READ]! | 0)) return 'ok';
    Atomics.store(words, H_WAITING, 1);
    try {
      return Atomics.wait(words, H_WRITE, seen, timeoutMs) === 'timed-out' ? 'timed-out' : 'ok';
    } finally {
      Atomics.store(words, H_WAITING, 0);
    }
  }

  /** Consumer: wake a pending `wait`/`waitAsync` now (e.g. when its reader is aborted). */
  wake(): void {
    Atomics.notify(this.#i32, H_WRITE);
  }

  /** Exact on the consumer's thread; on other threads each figure is exact but may lag the others by a record. */
  counters(): RingCounters {
    const words = this.#i32;
    const read = new Float64Array(4); // written, read, dropped by the consumer, rejected
    readWide(words, H_WRITE, read, 0);
    readWide(words, H_READ, read, 1);
    readWide(words, H_DROPPED, read, 2);
    readWide(words, H_REJECTED, read, 3);
    const [written = 0, readIndex = 0, droppedByConsumer = 0, rejected = 0] = read;
    const lag = written - readIndex;
    return {
      produced: written - this.#start,
      consumed: readIndex - this.#start - droppedByConsumer,
      dropped: droppedByConsumer + Math.max(0, lag - this.slots),
      rejected,
      depth: Math.min(lag, this.slots),
    };
  }

  #skip(count: number): void {
    const words = this.#i32;
    const n = this.#n;
    n[N_DROPPED] = n[N_DROPPED]! + count;
    n[N_READ] = n[N_READ]! + count;
    publishWide(words, H_DROPPED, n, N_DROPPED);
    advanceWide(words, H_READ, n, N_READ, N_READ_PUBLISHED);
  }

  #view(length: number): Uint8Array {
    const key = length & (VIEW_CACHE - 1);
    let view = this.#views[key];
    if (view === undefined || view.length !== length) {
      view = new Uint8Array(this.buffer, this.#scratch, length);
      this.#views[key] = view;
    }
    return view;
  }
}

/** The one record object `shift` returns: its numbers live in the ring's Float64Array, so filling it allocates nothing. */
class ShiftedRecord implements RingRecord {
  readonly #n: Float64Array;
  data: Uint8Array = new Uint8Array(0);

  constructor(numbers: Float64Array) {
    this.#n = numbers;
  }

  get seq(): number {
    return this.#n[N_RECORD_SEQ]!;
  }

  get ts(): number {
    return this.#n[N_RECORD_TS]!;
  }

  get type(): number {
    return this.#n[N_RECORD_TYPE]!;
  }
}
