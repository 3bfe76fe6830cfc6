/**
 * The child process's end of the process data plane: `publish(type, bytes)` encodes a frame
 * (./frame-codec.ts) into a batch buffer, and batches go to the data pipe (fd 4 by default).
 *
 * How and why:
 * - Batching: frames are packed into one buffer and written at the end of the current task
 *   (a microtask), or at once when the batch is full. Small payloads then cost a copy, not a
 *   system call each; the rest of a batch buffer is reused for the next frames.
 * - Bounded memory and the overflow policy: a batch the pipe does not take yet (the parent reads
 *   slower, `writableNeedDrain`) waits in this writer's queue, at most `maxQueuedBytes`. Beyond
 *   that, 'drop-oldest' drops the oldest waiting batch (its frames counted as dropped; the parent
 *   sees the seq gap) and 'reject' refuses the new payload (`publish` returns false, counted).
 *   Batches already handed to the pipe are never dropped.
 * - Never crashes the worker: a broken pipe (the parent went away) marks the writer failed and
 *   later publishes return false.
 */
import { once } from 'node:events';
import { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { z } from 'zod';
import { FrameTooLargeError } from '../../errors.js';
import type { OverflowPolicy } from '../../queue/ring-buffer.js';
import { parseOrThrow } from '../../validation.js';
import { frameLength, writeFrame } from './frame-codec.js';
import { MAX_PAYLOAD_TYPE_BYTES, assertPayloadType } from './payload.js';
import { payloadNow } from './timeline.js';

/** Default largest payload of the process data plane (4 MiB); the parent's source must accept as much. */
export const DEFAULT_MAX_FRAME_DATA_BYTES = 4 * 1024 * 1024;
/** The child's fd of the data pipe when spawned with `stdio: [.., .., .., 'pipe' (control), 'pipe' (data)]`. */
export const DATA_PIPE_FD = 4;

export interface FramedPayloadWriterOptions {
  /** Largest payload in bytes (default 4 MiB); larger ones throw `FrameTooLargeError`. */
  maxDataBytes?: number;
  /** Bytes waiting in this process for the pipe before the overflow policy applies (default 16 MiB; at least one largest frame). */
  maxQueuedBytes?: number;
  /** What a publish does when the queue is full (default 'drop-oldest'). */
  overflow?: OverflowPolicy;
  /** Sequence number of the first payload (default 0); a restarted worker may continue its predecessor's. */
  startSeq?: number;
  /** Size of a batch buffer (default 64 KiB). */
  batchBytes?: number;
  /** Timestamp source for `publish` without a `ts` (default `payloadNow`). */
  now?: () => number;
}

export interface FramedWriterCounters {
  /** Payloads accepted (seq assigned). */
  produced: number;
  /** Accepted, then dropped from the queue under 'drop-oldest' or when the pipe broke. */
  dropped: number;
  /** Refused under 'reject' or after close/failure (never produced). */
  rejected: number;
  /** Bytes waiting in this process for the pipe. */
  queuedBytes: number;
}

const optionsSchema = z
  .object({
    maxDataBytes: z.number().int().min(0).max(2 ** 31).optional(),
    maxQueuedBytes: z.number().int().min(1).max(2 ** 32).optional(),
    overflow: z.enum(['drop-oldest', 'reject']).optional(),
    startSeq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER - 2 ** 40).optional(),
    batchBytes: z.number().int().min(256).max(16 * 1024 * 1024).optional(),
    now: z.custom<() => number>((value) => typeof value === 'function', 'must be a function').optional(),
  })
  .strict()
  .refine((o) => (o.maxQueuedBytes ?? 16 * 1024 * 1024) >= frameLength(MAX_PAYLOAD_TYPE_BYTES, o.maxDataBytes ?? DEFAULT_MAX_FRAME_DATA_BYTES), {
    message: 'must hold at least one frame of maxDataBytes',
    path: ['maxQueuedBytes'],
  });

interface Batch {
  buffer: Buffer;
  frames: number;
}

export class FramedPayloadWriter {
  readonly #stream: Writable;
  readonly #maxDataBytes: number;
  readonly #maxQueuedBytes: number;
  readonly #reject: boolean;
  readonly #batchBytes: number;
  readonly #now: () => number;
  readonly #typeBytes = new Map<string, Uint8Array>();
  readonly #queue: Batch[] = [];
  #batch: Buffer = Buffer.alloc(0);
  #batchFill = 0;
  #batchFrames = 0;
  #queuedBytes = 0;
  #seq: number;
  #produced = 0;
  #dropped = 0;
  #rejected = 0;
  #flushScheduled = false;
  #awaitingDrain = false;
  #closed = false;
  #failed = false;
  #closing: Promise<void> | undefined;
  readonly #flushTask = (): void => {
    this.#flushScheduled = false;
    this.flush();
  };
  readonly #onDrain = (): void => {
    this.#awaitingDrain = false;
    this.flush();
  };

  /** A writer on the child's data pipe (`fd`, default 4). */
  static open(options: FramedPayloadWriterOptions = {}, fd: number = DATA_PIPE_FD): FramedPayloadWriter {
    return new FramedPayloadWriter(new Socket({ fd, readable: false, writable: true }), options);
  }

  constructor(stream: Writable, options: FramedPayloadWriterOptions = {}) {
    const parsed = parseOrThrow(optionsSchema, options, 'FramedPayloadWriter');
    this.#stream = stream;
    this.#maxDataBytes = parsed.maxDataBytes ?? DEFAULT_MAX_FRAME_DATA_BYTES;
    this.#maxQueuedBytes = parsed.maxQueuedBytes ?? 16 * 1024 * 1024;
    this.#reject = parsed.overflow === 'reject';
    this.#batchBytes = parsed.batchBytes ?? 64 * 1024;
    this.#seq = parsed.startSeq ?? 0;
    this.#now = parsed.now ?? payloadNow;
    stream.on('error', () => this.#fail());
    stream.on('close', () => this.#fail());
  }

  /** The seq the next accepted payload gets. */
  get nextSeq(): number {
    return this.#seq;
  }

  /**
   * Publish one payload; false when refused ('reject' with a full queue, closed, or the pipe broke).
   * Throws `FrameTooLargeError` above `maxDataBytes`, `PayloadTypeError` for a bad type name.
   */
  publish(type: string, data: Uint8Array, ts: number = this.#now()): boolean {
    const typeAscii = this.#typeAscii(type);
    if (data.length > this.#maxDataBytes) throw new FrameTooLargeError('data', data.length, this.#maxDataBytes);
    if (this.#closed || this.#failed) {
      this.#rejected++;
      return false;
    }
    const length = frameLength(typeAscii.length, data.length);
    if (this.#queuedBytes + length > this.#maxQueuedBytes) {
      if (this.#reject) {
        this.#rejected++;
        return false;
      }
      this.#dropOldest(length);
    }
    if (this.#batchFill + length > this.#batch.length) {
      this.#seal();
      this.#batch = Buffer.allocUnsafe(Math.max(this.#batchBytes, length));
    }
    writeFrame(this.#batch, this.#batchFill, this.#seq, ts, typeAscii, data);
    this.#batchFill += length;
    this.#batchFrames++;
    this.#queuedBytes += length;
    this.#seq++;
    this.#produced++;
    if (this.#batchFill >= this.#batchBytes) this.flush();
    else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(this.#flushTask);
    }
    return true;
  }

  /** Hand what is batched to the pipe now, as far as the pipe takes it. */
  flush(): void {
    this.#seal();
    const stream = this.#stream;
    while (this.#queue.length > 0 && !this.#failed && !stream.writableNeedDrain) {
      const batch = this.#queue.shift()!;
      this.#queuedBytes -= batch.buffer.length;
      stream.write(batch.buffer);
    }
    if (this.#queue.length > 0 && !this.#failed && !this.#awaitingDrain) {
      this.#awaitingDrain = true;
      stream.once('drain', this.#onDrain);
    }
  }

  counters(): FramedWriterCounters {
    return { produced: this.#produced, dropped: this.#dropped, rejected: this.#rejected, queuedBytes: this.#queuedBytes };
  }

  /** Publish nothing more; resolves once everything queued was handed to the pipe and the pipe was ended. */
  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= this.#finish();
    return this.#closing;
  }

  async #finish(): Promise<void> {
    try {
      for (this.flush(); this.#queue.length > 0 && !this.#failed; this.flush()) await once(this.#stream, 'drain');
      if (!this.#failed) {
        const finished = once(this.#stream, 'finish');
        this.#stream.end();
        await finished;
      }
    } catch {
      this.#fail(); // the pipe broke while draining: what is left is dropped
    }
  }

  #typeAscii(type: string): Uint8Array {
    let ascii = this.#typeBytes.get(type);
    if (ascii === undefined) {
      assertPayloadType(type);
      ascii = Buffer.from(type, 'latin1');
      this.#typeBytes.set(type, ascii);
    }
    return ascii;
  }

  /** Move the filled part of the batch buffer to the queue; keep the rest for the next frames. */
  #seal(): void {
    if (this.#batchFrames === 0) return;
    this.#queue.push({ buffer: this.#batch.subarray(0, this.#batchFill), frames: this.#batchFrames });
    this.#batch = this.#batch.subarray(this.#batchFill);
    this.#batchFill = 0;
    this.#batchFrames = 0;
  }

  #dropOldest(needed: number): void {
    while (this.#queuedBytes + needed > this.#maxQueuedBytes) {
      const oldest = this.#queue.shift();
      if (oldest !== undefined) {
        this.#dropped += oldest.frames;
        this.#queuedBytes -= oldest.buffer.length;
      } else {
        this.#dropped += this.#batchFrames;
        this.#queuedBytes -= this.#batchFill;
        this.#batchFill = 0;
        this.#batchFrames = 0;
        return;
      }
    }
  }

  #fail(): void {
    if (this.#failed) return;
    this.#failed = true;
    for (const batch of this.#queue) this.#dropped += batch.frames;
    this.#dropped += this.#batchFrames;
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    this.#batchFill = 0;
    this.#batchFrames = 0;
  }
}
