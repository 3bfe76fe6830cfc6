/**
 * The process data plane's wire format: one binary frame per `WorkerPayload`, back to back on
 * an extra stdio pipe. No JSON for data.
 *
 *   offset  size  field
 *        0     2  magic 0x6654 (bytes 'T' 'f')
 *        2     1  version (1)
 *        3     1  type length T (1-64)
 *        4     4  data length D (uint32)
 *        8     8  seq (float64 holding an integer in [0, 2^53))
 *       16     8  ts (float64, finite: ms on the payload timeline)
 *       24     T  type name (ASCII letters, digits, `_ . : -`)
 *     24+T     D  data
 * All little-endian.
 *
 * `FrameDecoder` is a streaming state machine: chunks may split a frame anywhere. It never throws
 * and never buffers more than one frame: a frame whose data exceeds `maxDataBytes`, whose type is
 * not a valid name, or whose seq/ts is not a number is skipped (its length is known, so framing
 * holds) and reported; a wrong magic or version means the stream is not a frame stream at all, so
 * it is reported once and every later byte is ignored.
 */
import { FrameTooLargeError, MalformedFrameError } from '../../errors.js';
import { MAX_PAYLOAD_TYPE_BYTES, isPayloadTypeByte, type WorkerPayload } from './payload.js';

export const FRAME_HEADER_BYTES = 24;
const MAGIC = 0x6654;
const VERSION = 1;

/** Bytes of the frame for a type of `typeLength` and data of `dataLength` bytes. */
export function frameLength(typeLength: number, dataLength: number): number {
  return FRAME_HEADER_BYTES + typeLength + dataLength;
}

/** Write one frame at `offset` of `target` (which must have room); returns the bytes written. */
export function writeFrame(target: Buffer, offset: number, seq: number, ts: number, typeAscii: Uint8Array, data: Uint8Array): number {
  target.writeUInt16LE(MAGIC, offset);
  target[offset + 2] = VERSION;
  target[offset + 3] = typeAscii.length;
  target.writeUInt32LE(data.length, offset + 4);
  target.writeDoubleLE(seq, offset + 8);
  target.writeDoubleLE(ts, offset + 16);
  target.set(typeAscii, offset + FRAME_HEADER_BYTES);
  target.set(data, offset + FRAME_HEADER_BYTES + typeAscii.length);
  return frameLength(typeAscii.length, data.length);
}

export interface FrameDecoderOptions {
  /** Largest data accepted per frame; larger frames are skipped and reported. */
  maxDataBytes: number;
  /** A complete, valid frame. */
  onPayload(payload: WorkerPayload): void;
  /** A refused frame; `seq` when its header was readable (so the payload counts as dropped). */
  onInvalid(error: FrameTooLargeError | MalformedFrameError, seq: number | undefined): void;
}

const HEADER = 0;
const BODY = 1;
const SKIP = 2;
const FAILED = 3;

export class FrameDecoder {
  readonly #options: FrameDecoderOptions;
  readonly #header = new Uint8Array(FRAME_HEADER_BYTES);
  readonly #view = new DataView(this.#header.buffer);
  #state = HEADER;
  #headerFill = 0;
  #remaining = 0;
  #typeLength = 0;
  #seq = 0;
  #ts = 0;
  #body = new Uint8Array(0);
  #bodyFill = 0;
  // The last type name decoded, to skip re-decoding the same name frame after frame.
  readonly #lastTypeBytes = new Uint8Array(MAX_PAYLOAD_TYPE_BYTES);
  #lastType = '';

  constructor(options: FrameDecoderOptions) {
    this.#options = options;
  }

  /** True once the stream proved not to be a frame stream; all later bytes are ignored. */
  get failed(): boolean {
    return this.#state === FAILED;
  }

  /** True between frames (nothing partial held). */
  get idle(): boolean {
    return this.#state === HEADER && this.#headerFill === 0;
  }

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length && this.#state !== FAILED) {
      if (this.#state === HEADER) {
        const take = Math.min(FRAME_HEADER_BYTES - this.#headerFill, chunk.length - at);
        this.#header.set(chunk.subarray(at, at + take), this.#headerFill);
        this.#headerFill += take;
        at += take;
        if (this.#headerFill === FRAME_HEADER_BYTES) this.#onHeader();
      } else if (this.#state === SKIP) {
        const take = Math.min(this.#remaining, chunk.length - at);
        this.#remaining -= take;
        at += take;
        if (this.#remaining === 0) this.#state = HEADER;
      } else if (this.#bodyFill === 0 && chunk.length - at >= this.#remaining) {
        this.#onBody(chunk, at); // the whole body is in this chunk: no staging copy
        at += this.#remaining;
      } else {
        const take = Math.min(this.#body.length - this.#bodyFill, chunk.length - at);
        this.#body.set(chunk.subarray(at, at + take), this.#bodyFill);
        this.#bodyFill += take;
        at += take;
        if (this.#bodyFill === this.#body.length) this.#onBody(this.#body, 0);
      }
    }
  }

  /** The stream ended: a frame cut short is reported. */
  end(): void {
    if (this.#state !== FAILED && !this.idle) {
      this.#options.onInvalid(new MalformedFrameError('the data stream ended inside a frame'), this.#state === BODY ? this.#seq : undefined);
    }
    this.#state = HEADER;
    this.#headerFill = 0;
  }

  #onHeader(): void {
    this.#headerFill = 0;
    const view = this.#view;
    if (view.getUint16(0, true) !== MAGIC || view.getUint8(2) !== VERSION) {
      this.#state = FAILED;
      this.#options.onInvalid(new MalformedFrameError('the data stream is not a tactus frame stream (bad magic or version)'), undefined);
      return;
    }
    const typeLength = view.getUint8(3);
    const dataLength = view.getUint32(4, true);
    const seq = view.getFloat64(8, true);
    const ts = view.getFloat64(16, true);
    const readableSeq = Number.isSafeInteger(seq) && seq >= 0 ? seq : undefined;
    let error: FrameTooLargeError | MalformedFrameError | undefined;
    if (dataLength > this.#options.maxDataBytes) error = new FrameTooLargeError('data', dataLength, this.#options.maxDataBytes);
    else if (typeLength > MAX_PAYLOAD_TYPE_BYTES) error = new FrameTooLargeError('type', typeLength, MAX_PAYLOAD_TYPE_BYTES);
    else if (typeLength === 0) error = new MalformedFrameError('frame type is empty');
    else if (readableSeq === undefined) error = new MalformedFrameError(`frame seq must be an integer in [0, 2^53) (got ${seq})`);
    else if (!Number.isFinite(ts)) error = new MalformedFrameError(`frame ts must be finite (got ${ts})`);
    if (error !== undefined) {
      this.#options.onInvalid(error, readableSeq);
      this.#remaining = typeLength + dataLength;
      this.#state = this.#remaining === 0 ? HEADER : SKIP;
      return;
    }
    this.#typeLength = typeLength;
    this.#seq = seq;
    this.#ts = ts;
    this.#remaining = typeLength + dataLength;
    this.#bodyFill = 0;
    if (this.#body.length !== this.#remaining) this.#body = new Uint8Array(this.#remaining);
    this.#state = BODY;
  }

  #onBody(source: Uint8Array, at: number): void {
    const typeLength = this.#typeLength;
    const end = at + this.#remaining;
    this.#state = HEADER;
    this.#bodyFill = 0;
    const type = this.#decodeType(source, at, typeLength);
    if (type === undefined) {
      this.#options.onInvalid(new MalformedFrameError('frame type must be letters, digits and _ . : -'), this.#seq);
      return;
    }
    let data: Uint8Array;
    if (source === this.#body) {
      data = this.#body.subarray(typeLength); // the staging buffer becomes the payload's; a new one is made for the next frame
      this.#body = new Uint8Array(0);
    } else {
      data = new Uint8Array(end - at - typeLength);
      data.set(source.subarray(at + typeLength, end));
    }
    this.#options.onPayload({ ts: this.#ts, seq: this.#seq, type, data });
  }

  #decodeType(source: Uint8Array, at: number, length: number): string | undefined {
    const last = this.#lastTypeBytes;
    let same = length === this.#lastType.length;
    for (let i = 0; i < length; i++) {
      const byte = source[at + i]!;
      if (!isPayloadTypeByte(byte)) return undefined;
      if (same && last[i] !== byte) same = false;
    }
    if (same) return this.#lastType;
    last.set(source.subarray(at, at + length));
    this.#lastType = String.fromCharCode(...source.subarray(at, at + length));
    return this.#lastType;
  }
}
