/**
 * Event payloads as JSON-safe details for the timeline: the scheduler's and workers' events are
 * plain objects, but an error, a bigint or a deep structure must not make a snapshot or a
 * WebSocket frame unserialisable. Depth, keys and string lengths are bounded.
 */

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

const MAX_DEPTH = 3;
const MAX_KEYS = 32;
const MAX_STRING = 500;

function toJson(value: unknown, depth: number): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING - 3)}...` : value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return null;
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: toJson(value.message, depth + 1), ...(typeof code === 'string' ? { code } : {}) };
  }
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(value)) return value.slice(0, MAX_KEYS).map((item) => toJson(item, depth + 1));
  return toDetail(value, depth + 1);
}

/** A JSON-safe copy of an object's own enumerable fields (bounded), or `{ value }` for anything else. */
export function toDetail(payload: unknown, depth = 0): JsonObject {
  if (payload === null || typeof payload !== 'object' || payload instanceof Error || Array.isArray(payload)) {
    return { value: toJson(payload, depth) };
  }
  const detail: JsonObject = {};
  let keys = 0;
  for (const key of Object.keys(payload)) {
    if (key === '__proto__') continue;
    if (keys++ >= MAX_KEYS) break;
    detail[key] = toJson((payload as Record<string, unknown>)[key], depth);
  }
  return detail;
}
