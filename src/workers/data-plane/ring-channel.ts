/**
 * The thread data plane: a `SharedRing` of records plus a `PayloadTypeTable` for their type
 * names, both in shared memory.
 *
 * The parent creates the channel and posts its `init` (two SharedArrayBuffers) to the worker; the
 * worker publishes through a `RingPayloadWriter` (allocation-free once each type name was used);
 * the parent pulls `WorkerPayload`s from a `RingPayloadSource`, each an owned copy. Both sides can
 * be re-created on the same `init` (a restarted worker continues the sequence numbers, a new
 * reader continues where the last one stopped), because all state lives in the buffers.
 */
import { SharedRing, type RingCounters, type SharedRingOptions } from '../../queue/ring-buffer.js';
import type { WorkerPayload } from './payload.js';
import type { PayloadSource, PayloadSourceCounters } from './payload-source.js';
import { payloadNow } from './timeline.js';
import { PayloadTypeTable } from './type-table.js';

const DONE = Promise.resolve();
const ignore = (): void => {};

/** What the worker needs to attach (structured-cloneable: pass it in `workerData` or a message). */
export interface RingChannelInit {
  ring: SharedArrayBuffer;
  types: SharedArrayBuffer;
}

export interface RingChannelOptions extends SharedRingOptions {
  /** Distinct payload type names the channel can carry (default 64). */
  maxTypes?: number;
}

/** Create a thread data plane; both ends attach to the returned buffers. */
export function createRingChannel(options: RingChannelOptions): RingChannelInit {
  const { maxTypes, ...ringOptions } = options;
  const ring = SharedRing.create(ringOptions);
  const types = PayloadTypeTable.create(maxTypes === undefined ? {} : { maxTypes });
  return { ring: ring.buffer, types: types.buffer };
}

export interface RingPayloadWriterOptions {
  /** Timestamp source for `publish` without a `ts` (default `payloadNow`, the machine-wide timeline). */
  now?: () => number;
}

/** The worker's end: `publish(type, bytes)` appends one record to the ring. */
export class RingPayloadWriter {
  readonly #ring: SharedRing;
  readonly #types: PayloadTypeTable;
  readonly #now: () => number;
  #closed = false;

  constructor(init: RingChannelInit, options: RingPayloadWriterOptions = {}) {
    this.#ring = SharedRing.attach(init.ring);
    this.#types = PayloadTypeTable.attach(init.types);
    this.#now = options.now ?? payloadNow;
  }

  /** The seq the next accepted payload gets. */
  get nextSeq(): number {
    return this.#ring.nextSeq;
  }

  /**
   * Publish one payload; false when the ring is full under 'reject' or the writer is closed.
   * Throws `RingRecordTooLargeError` above the ring's `slotBytes`, `PayloadTypeError` for a bad type.
   */
  publish(type: string, data: Uint8Array, ts: number = this.#now()): boolean {
    if (this.#closed) return false;
    return this.#ring.push(this.#types.idOf(type), ts, data);
  }

  counters(): RingCounters {
    return this.#ring.counters();
  }

  /** Publish nothing more. */
  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }
}

/** The parent's end of a thread data plane. */
export class RingPayloadSource implements PayloadSource {
  readonly #ring: SharedRing;
  readonly #types: PayloadTypeTable;
  #closed = false;
  #unknownType = 0;
  #slice: NodeJS.Timeout | undefined;
  #sliceMs = 0;

  constructor(init: RingChannelInit) {
    this.#ring = SharedRing.attach(init.ring);
    this.#types = PayloadTypeTable.attach(init.types);
  }

  get ended(): boolean {
    return this.#closed && this.#ring.counters().depth === 0;
  }

  poll(): WorkerPayload | undefined {
    for (;;) {
      const record = this.#ring.shift();
      if (record === undefined) return undefined;
      const type = this.#types.nameOf(record.type);
      if (type === undefined) {
        this.#unknownType++; // never published through the table: not ours, never delivered
        continue;
      }
      return { ts: record.ts, seq: record.seq, type, data: record.data.slice() };
    }
  }

  /**
   * The timeout is a JS timer that wakes the ring, not `Atomics.waitAsync`'s own: V8 posts that one
   * as a delayed platform task, a libuv timer each that stays pending until it expires even when the
   * wait ended long before (at 4k waits/s, thousands of them, each expiry another wake-up of the loop).
   * It is one unref'd timer per source, re-armed (`refresh`) per wait, not a new one per wait: a
   * caught-up consumer waits once per payload. The ring's wait holds the event loop meanwhile.
   */
  wait(timeoutMs: number): Promise<void> {
    if (this.#closed) return DONE;
    if (this.#slice === undefined || this.#sliceMs !== timeoutMs) {
      clearTimeout(this.#slice);
      this.#slice = setTimeout(this.#interrupt, timeoutMs).unref();
      this.#sliceMs = timeoutMs;
    } else this.#slice.refresh();
    return this.#ring.waitAsync(Number.POSITIVE_INFINITY).then(ignore);
  }

  readonly #interrupt = (): void => this.interrupt();

  interrupt(): void {
    this.#ring.wake();
  }

  counters(): PayloadSourceCounters {
    const ring = this.#ring.counters();
    return { dropped: ring.dropped + this.#unknownType, depth: ring.depth, rejected: ring.rejected, invalid: this.#unknownType };
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#slice);
    this.#ring.wake();
  }
}
