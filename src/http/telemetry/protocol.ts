/**
 * The telemetry socket's protocol. Clients send small JSON control messages:
 *
 *   { "op": "subscribe", "topic": "tasks", "rateHz": 20 }
 *   { "op": "unsubscribe", "topic": "ft_sample" }
 *
 * Topics: `tasks` (per-task stats; a full list first, then only what changed, with deltas),
 * `workers`, `monitor`, `events` (scheduler, worker and monitor events, batched per tick), and any
 * data topic of the bridge (e.g. `ft_sample`), downsampled to the asked rate by sending the latest
 * sample. The server sends `{ "topic": ..., "t": <monotonic ms>, ... }` frames and answers each
 * control message with `{ "topic": "control", "ok": ... }`.
 */
import { z } from 'zod';

export const SNAPSHOT_TOPICS = ['tasks', 'workers', 'monitor'] as const;
export type SnapshotTopic = (typeof SNAPSHOT_TOPICS)[number];
export const EVENTS_TOPIC = 'events';
export const CONTROL_TOPIC = 'control';

/** Rates a topic is sent at when the client names none. */
export const DEFAULT_RATE_HZ: Readonly<Record<string, number>> = { tasks: 4, workers: 2, monitor: 1 };
export const DEFAULT_DATA_RATE_HZ = 10;
export const MIN_RATE_HZ = 0.1;

/** Subscriptions one client may hold at once. */
export const MAX_SUBSCRIPTIONS = 16;

const topicSchema = z
  .string()
  .regex(/^[A-Za-z][\w.:-]{0,63}$/, 'must be a topic name (letters, digits, _ . : -, at most 64)')
  .refine((topic) => topic !== CONTROL_TOPIC, 'is reserved');

export const clientMessageSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('subscribe'), topic: topicSchema, rateHz: z.number().finite().min(MIN_RATE_HZ).max(1000).optional() }),
  z.strictObject({ op: z.literal('unsubscribe'), topic: topicSchema }),
]);

export type ClientMessage = z.infer<typeof clientMessageSchema>;

export function isSnapshotTopic(topic: string): topic is SnapshotTopic {
  return (SNAPSHOT_TOPICS as readonly string[]).includes(topic);
}

/** Ticks between two sends of a topic the client wants at `rateHz`. */
export function divisorFor(rateHz: number, tickMs: number): number {
  return Math.max(1, Math.round(1000 / rateHz / tickMs));
}

/** The rate a divisor actually gives. */
export function rateOf(divisor: number, tickMs: number): number {
  return 1000 / (divisor * tickMs);
}

/** JSON.stringify replacer: errors as `{ name, code, message }`, bytes as their length, bigints as strings. */
export function wireReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, code: (value as { code?: unknown }).code, message: value.message };
  if (value instanceof Uint8Array) return { bytes: value.byteLength };
  if (typeof value === 'bigint') return value.toString();
  return value;
}
