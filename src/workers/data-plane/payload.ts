/**
 * Seed 002's data record, `WorkerPayload`, and the rule for its type names.
 *
 * A type name says what the bytes are ('frame', 'ft_sample', 'log', ...): 1 to 64 characters
 * out of letters, digits and `_ . : -`. Keeping names ASCII lets both planes carry them without
 * UTF-8 work: the thread ring maps them to small ids (./type-table.ts), the process pipe sends them
 * in each frame (./frame-codec.ts).
 */
import { PayloadTypeError } from '../../errors.js';
import { describeValue } from '../../validation.js';

export interface WorkerPayload {
  /** When the worker published it, in ms on the machine-wide payload timeline (./timeline.ts). */
  ts: number;
  /** The worker's sequence number: consecutive per data plane; a gap means payloads were dropped. */
  seq: number;
  /** What the bytes are: 'frame', 'ft_sample', 'log', ... */
  type: string;
  /** The binary blob, owned by the receiver. */
  data: Uint8Array;
}

export const MAX_PAYLOAD_TYPE_BYTES = 64;
const TYPE_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** True when `byte` may appear in a payload type name. */
export function isPayloadTypeByte(byte: number): boolean {
  return (
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x30 && byte <= 0x3a) || // 0-9 and ':'
    byte === 0x5f || // _
    byte === 0x2e || // .
    byte === 0x2d // -
  );
}

/** Throw `PayloadTypeError` unless `type` is a valid payload type name. */
export function assertPayloadType(type: unknown): asserts type is string {
  if (typeof type !== 'string' || !TYPE_PATTERN.test(type)) {
    throw new PayloadTypeError(`payload type must be 1-${MAX_PAYLOAD_TYPE_BYTES} characters of letters, digits and _ . : - (got ${describeValue(type)})`);
  }
}
