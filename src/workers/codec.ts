/**
 * Framing and validation of control messages, shared by both ends.
 *
 * A message travels as one JSON text (a string over a thread's MessagePort, one line over a
 * process's control pipe; `JSON.stringify` never writes a raw newline). Decoding is a gauntlet
 * that never throws: size first (before parsing), then `JSON.parse`, then a walk that refuses
 * deep nesting and the keys `__proto__`, `constructor` and `prototype` anywhere, then the `type`
 * lookup in the closed schema table, then the zod schema. Every refusal names its reason, so
 * callers count rejects by reason (reliability plan D4) and carry on.
 */
import { ProtocolError } from './errors.js';

export const REJECT_REASONS = [
  'too-large',
  'not-text',
  'invalid-json',
  'too-deep',
  'forbidden-key',
  'unknown-type',
  'invalid-message',
  'stale-generation',
  'non-monotonic',
  'rate-limited',
  'unexpected',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Default size limit of one control message (1 MiB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
/** Deepest nesting accepted in a control message. */
export const MAX_DEPTH = 32;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type Decoded<T> = { ok: true; message: T } | { ok: false; reason: RejectReason; detail: string };

/** Counts of rejected messages by reason; `snapshot()` is a plain JSON object. */
export class RejectCounter {
  readonly #counts = new Map<RejectReason, number>();
  #total = 0;

  get total(): number {
    return this.#total;
  }

  count(reason: RejectReason): void {
    this.#counts.set(reason, (this.#counts.get(reason) ?? 0) + 1);
    this.#total++;
  }

  get(reason: RejectReason): number {
    return this.#counts.get(reason) ?? 0;
  }

  snapshot(): Partial<Record<RejectReason, number>> {
    return Object.fromEntries(this.#counts) as Partial<Record<RejectReason, number>>;
  }
}

/** A schema table: `type` -> a parser of that message type. */
type SchemaTable = Record<string, { safeParse(input: unknown): { success: true; data: unknown } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } } }>;
type MessageOf<T extends SchemaTable> = { [K in keyof T]: T[K] extends { safeParse(input: unknown): infer R } ? (R extends { success: true; data: infer D } ? D : never) : never }[keyof T];

/** Serialise a message; throws `ProtocolError` when it exceeds `maxBytes`. */
export function encodeMessage(message: object, maxBytes: number): string {
  const text = JSON.stringify(message);
  if (exceeds(text, maxBytes)) {
    throw new ProtocolError(`a ${String((message as { type?: unknown }).type)} message of ${Buffer.byteLength(text)} bytes exceeds the ${maxBytes}-byte limit`);
  }
  return text;
}

function exceeds(text: string, maxBytes: number): boolean {
  if (text.length > maxBytes) return true;
  return text.length * 3 > maxBytes && Buffer.byteLength(text) > maxBytes;
}

/** Why `value` may not be used, or undefined when its shape is acceptable. */
function shapeProblem(value: unknown): { reason: RejectReason; detail: string } | undefined {
  const stack: unknown[] = [value];
  const depths: number[] = [0];
  while (stack.length > 0) {
    const item = stack.pop();
    const depth = depths.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth >= MAX_DEPTH) return { reason: 'too-deep', detail: `nested deeper than ${MAX_DEPTH}` };
    if (Array.isArray(item)) {
      for (const element of item) {
        stack.push(element);
        depths.push(depth + 1);
      }
      continue;
    }
    for (const key of Object.keys(item)) {
      if (FORBIDDEN_KEYS.has(key)) return { reason: 'forbidden-key', detail: `key ${JSON.stringify(key)}` };
      stack.push((item as Record<string, unknown>)[key]);
      depths.push(depth + 1);
    }
  }
  return undefined;
}

/** Decode one message against a closed schema table; never throws. */
export function decodeMessage<T extends SchemaTable>(raw: unknown, schemas: T, maxBytes: number): Decoded<MessageOf<T>> {
  if (typeof raw !== 'string') return { ok: false, reason: 'not-text', detail: typeof raw };
  if (exceeds(raw, maxBytes)) return { ok: false, reason: 'too-large', detail: `${raw.length} characters` };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return { ok: false, reason: 'invalid-json', detail: error instanceof Error ? error.message.slice(0, 200) : 'unparsable' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: 'invalid-message', detail: 'not an object' };
  const problem = shapeProblem(value);
  if (problem !== undefined) return { ok: false, ...problem };
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(schemas, type)) {
    return { ok: false, reason: 'unknown-type', detail: typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : typeof type };
  }
  const result = schemas[type]!.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue === undefined || issue.path.length === 0 ? 'message' : issue.path.map(String).join('.');
    return { ok: false, reason: 'invalid-message', detail: `${type}: ${field}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, message: result.data as MessageOf<T> };
}
