/**
 * Payload type names ↔ small ids, shared between a producer thread and its consumer through a
 * SharedArrayBuffer, so a ring record carries a uint32 `type` instead of a string.
 *
 * The producer (the table's one writer) appends a name the first time it publishes it: it writes
 * the entry, then publishes the new count with `Atomics.store`; a consumer that meets an id it
 * does not know yet re-reads the entries up to the published count. Entries are never changed or
 * removed, so a restarted producer or consumer rebuilds its view from the buffer. After the first
 * use of a name, `idOf` is one Map lookup and `nameOf` one array read: no allocation.
 *
 * Layout: Int32 header [magic, maxTypes, count, 0], then `maxTypes` entries of
 * [length i32][64 ASCII bytes].
 */
import { z } from 'zod';
import { InvalidConfigError, PayloadTypeError } from '../../errors.js';
import { parseOrThrow } from '../../validation.js';
import { MAX_PAYLOAD_TYPE_BYTES, assertPayloadType } from './payload.js';

export interface PayloadTypeTableOptions {
  /** How many distinct type names the table holds (default 64, at most 4096). */
  maxTypes?: number;
}

const MAGIC = 0x74547970; // 'tTyp'
const HEADER_BYTES = 16;
const H_MAGIC = 0;
const H_MAX = 1;
const H_COUNT = 2;
const ENTRY_BYTES = 4 + MAX_PAYLOAD_TYPE_BYTES;

const optionsSchema = z.object({ maxTypes: z.number().int().min(1).max(4096).optional() }).strict();

export class PayloadTypeTable {
  readonly buffer: SharedArrayBuffer;
  readonly maxTypes: number;
  readonly #words: Int32Array;
  readonly #bytes: Uint8Array;
  readonly #ids = new Map<string, number>();
  readonly #names: string[] = [];

  static create(options: PayloadTypeTableOptions = {}): PayloadTypeTable {
    const maxTypes = parseOrThrow(optionsSchema, options, 'PayloadTypeTable.create').maxTypes ?? 64;
    const buffer = new SharedArrayBuffer(HEADER_BYTES + maxTypes * ENTRY_BYTES);
    const words = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    words[H_MAGIC] = MAGIC;
    words[H_MAX] = maxTypes;
    return new PayloadTypeTable(buffer);
  }

  static attach(buffer: SharedArrayBuffer): PayloadTypeTable {
    if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < HEADER_BYTES) {
      throw new InvalidConfigError('PayloadTypeTable.attach: buffer must be the SharedArrayBuffer of a PayloadTypeTable');
    }
    const words = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    if (words[H_MAGIC] !== MAGIC || buffer.byteLength !== HEADER_BYTES + words[H_MAX]! * ENTRY_BYTES) {
      throw new InvalidConfigError('PayloadTypeTable.attach: buffer is not a PayloadTypeTable');
    }
    return new PayloadTypeTable(buffer);
  }

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.#words = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.#bytes = new Uint8Array(buffer);
    this.maxTypes = this.#words[H_MAX]!;
    this.#refresh();
  }

  /** Writer: the id of `type`, appending it on first use. Throws `PayloadTypeError` for a bad name or a full table. */
  idOf(type: string): number {
    const known = this.#ids.get(type);
    if (known !== undefined) return known;
    assertPayloadType(type);
    this.#refresh(); // a restarted writer may meet names its predecessor added
    const again = this.#ids.get(type);
    if (again !== undefined) return again;
    const id = this.#names.length;
    if (id >= this.maxTypes) {
      throw new PayloadTypeError(`no room for payload type ${JSON.stringify(type)}: the table holds ${this.maxTypes} types`);
    }
    const at = HEADER_BYTES + id * ENTRY_BYTES;
    new Int32Array(this.buffer, at, 1)[0] = type.length;
    for (let i = 0; i < type.length; i++) this.#bytes[at + 4 + i] = type.charCodeAt(i);
    Atomics.store(this.#words, H_COUNT, id + 1);
    this.#remember(type, id);
    return id;
  }

  /** Reader: the name of `id`, or undefined if no such id was ever published. */
  nameOf(id: number): string | undefined {
    if (id >= this.#names.length) this.#refresh();
    return this.#names[id];
  }

  #refresh(): void {
    const count = Math.min(Atomics.load(this.#words, H_COUNT), this.maxTypes);
    for (let id = this.#names.length; id < count; id++) {
      const at = HEADER_BYTES + id * ENTRY_BYTES;
      const length = Math.min(new Int32Array(this.buffer, at, 1)[0]!, MAX_PAYLOAD_TYPE_BYTES);
      this.#remember(String.fromCharCode(...this.#bytes.subarray(at + 4, at + 4 + length)), id);
    }
  }

  #remember(type: string, id: number): void {
    this.#names[id] = type;
    this.#ids.set(type, id);
  }
}
