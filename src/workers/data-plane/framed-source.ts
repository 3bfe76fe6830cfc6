/**
 * The parent's end of the process data plane: decodes the child's data pipe into payloads.
 *
 * Decoded payloads wait in a bounded FIFO; when it holds `maxBufferedPayloads` the pipe is paused,
 * so a slow reader pushes back on the child, whose writer then applies its overflow policy
 * (./framed-writer.ts). Sequence numbers are checked: a gap is counted as dropped (the child
 * dropped them, or they were refused here), a seq that goes backwards is refused as invalid.
 * Nothing the child sends can throw here or grow memory past one frame plus the FIFO.
 */
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { MalformedFrameError, type FrameTooLargeError } from '../../errors.js';
import { parseOrThrow } from '../../validation.js';
import { FrameDecoder } from './frame-codec.js';
import { DEFAULT_MAX_FRAME_DATA_BYTES } from './framed-writer.js';
import type { WorkerPayload } from './payload.js';
import type { PayloadSource, PayloadSourceCounters } from './payload-source.js';

export interface FramedPayloadSourceOptions {
  /** Largest payload accepted (default 4 MiB); larger frames are skipped, counted and reported. */
  maxDataBytes?: number;
  /** Decoded payloads held before the pipe is paused (default 1024). */
  maxBufferedPayloads?: number;
  /** The child's first seq (default 0), so payloads dropped before the first one that arrives are counted. */
  startSeq?: number;
  /** Called for each refused frame (oversized, malformed, out of order), for logs; must not throw. */
  onInvalid?: (error: FrameTooLargeError | MalformedFrameError) => void;
}

const optionsSchema = z
  .object({
    maxDataBytes: z.number().int().min(0).max(2 ** 31).optional(),
    maxBufferedPayloads: z.number().int().min(1).max(1_000_000).optional(),
    startSeq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    onInvalid: z.custom<(error: FrameTooLargeError | MalformedFrameError) => void>((value) => typeof value === 'function', 'must be a function').optional(),
  })
  .strict();

export class FramedPayloadSource implements PayloadSource {
  readonly #stream: Readable;
  readonly #maxBuffered: number;
  readonly #onInvalid: ((error: FrameTooLargeError | MalformedFrameError) => void) | undefined;
  readonly #decoder: FrameDecoder;
  #queue: (WorkerPayload | undefined)[] = [];
  #head = 0;
  #expectedSeq: number;
  #dropped = 0;
  #invalid = 0;
  #paused = false;
  #streamEnded = false;
  #closed = false;
  #wake: (() => void) | undefined;
  #wakeTimer: NodeJS.Timeout | undefined;

  constructor(stream: Readable, options: FramedPayloadSourceOptions = {}) {
    const parsed = parseOrThrow(optionsSchema, options, 'FramedPayloadSource');
    this.#stream = stream;
    this.#maxBuffered = parsed.maxBufferedPayloads ?? 1024;
    this.#expectedSeq = parsed.startSeq ?? 0;
    this.#onInvalid = parsed.onInvalid;
    this.#decoder = new FrameDecoder({
      maxDataBytes: parsed.maxDataBytes ?? DEFAULT_MAX_FRAME_DATA_BYTES,
      onPayload: (payload) => this.#accept(payload),
      onInvalid: (error, seq) => this.#refuse(error, seq),
    });
    stream.on('data', (chunk: Buffer) => this.#decoder.push(chunk));
    stream.on('end', () => this.#decoder.end());
    stream.on('error', () => this.#endStream()); // the child went away; what was decoded stays readable
    stream.on('close', () => this.#endStream());
  }

  get ended(): boolean {
    return (this.#streamEnded || this.#closed) && this.#depth === 0;
  }

  get #depth(): number {
    return this.#queue.length - this.#head;
  }

  poll(): WorkerPayload | undefined {
    if (this.#head === this.#queue.length) return undefined;
    const payload = this.#queue[this.#head];
    this.#queue[this.#head++] = undefined;
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (this.#paused && this.#depth <= this.#maxBuffered / 2) {
      this.#paused = false;
      this.#stream.resume();
    }
    return payload;
  }

  wait(timeoutMs: number): Promise<void> {
    if (this.#depth > 0 || this.ended) return Promise.resolve();
    this.interrupt();
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#wakeTimer = setTimeout(() => this.interrupt(), timeoutMs);
    });
  }

  interrupt(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    clearTimeout(this.#wakeTimer);
    wake?.();
  }

  counters(): PayloadSourceCounters {
    return { dropped: this.#dropped, depth: this.#depth, rejected: 0, invalid: this.#invalid };
  }

  close(): void {
    this.#closed = true;
    this.#stream.destroy();
    this.interrupt();
  }

  #accept(payload: WorkerPayload): void {
    if (payload.seq < this.#expectedSeq) {
      this.#refuse(new MalformedFrameError(`frame seq ${payload.seq} goes backwards (expected ${this.#expectedSeq} or later)`), undefined);
      return;
    }
    this.#dropped += payload.seq - this.#expectedSeq;
    this.#expectedSeq = payload.seq + 1;
    this.#queue.push(payload);
    if (!this.#paused && this.#depth >= this.#maxBuffered) {
      this.#paused = true;
      this.#stream.pause();
    }
    this.interrupt();
  }

  #refuse(error: FrameTooLargeError | MalformedFrameError, seq: number | undefined): void {
    this.#invalid++;
    if (seq !== undefined && seq >= this.#expectedSeq) {
      this.#dropped += seq - this.#expectedSeq + 1;
      this.#expectedSeq = seq + 1;
    }
    try {
      this.#onInvalid?.(error);
    } catch {
      // a reporting hook must not break decoding
    }
  }

  #endStream(): void {
    this.#streamEnded = true;
    this.interrupt();
  }
}
