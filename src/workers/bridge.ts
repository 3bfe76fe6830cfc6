/**
 * Seed 002's bridge service: takes every worker's payloads, decodes them, and republishes them by
 * topic for telemetry (WebSocket, event bus), with latency, dropped and depth figures per topic.
 *
 *   const bridge = createBridge(manager, { decoders: { ft_sample: decodeFtSample, frame: decodeFrame } });
 *   bridge.subscribe('ft_sample', (m) => ws.send(JSON.stringify(m.value)));
 *   for await (const m of bridge.stream('frame', { signal })) { ... }
 *
 * The source is anything that emits `'payload'` events as `(workerName, payload)`, like the
 * `WorkerManager`; `bridge.ingest(workerName, payload)` feeds one by hand. The topic is the
 * payload's `type`; its decoder turns the bytes into the topic's value (a payload type with no
 * decoder is counted as `undecoded`, or published as raw bytes with `passThrough`).
 * `subscribe` listeners are called synchronously, so they must be quick; a throwing decoder or
 * listener is counted and logged, never breaks the bridge. Each `stream` has its own bounded
 * buffer: when its consumer falls behind, its oldest message is dropped and counted, so a slow
 * client never holds memory or slows the others.
 */
import { z } from 'zod';
import { AbortError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { DurationHistogram, type PercentileSummary } from '../stats/histogram.js';
import { describeValue, parseOrThrow } from '../validation.js';
import type { WorkerPayload } from './data-plane/payload.js';
import { payloadNow } from './data-plane/timeline.js';

/** Turns a payload's bytes into its topic's value. */
export type PayloadDecoder<T = unknown> = (payload: WorkerPayload, workerName: string) => T;
export type DecoderMap = Record<string, PayloadDecoder>;

/** What the bridge listens to: e.g. a `WorkerManager`. */
export interface PayloadEventSource {
  on(event: 'payload', listener: (workerName: string, payload: WorkerPayload) => void): unknown;
  off(event: 'payload', listener: (workerName: string, payload: WorkerPayload) => void): unknown;
}

export interface BridgeMessage<T = unknown> {
  topic: string;
  worker: string;
  seq: number;
  /** The worker's timestamp (payload timeline, ms). */
  ts: number;
  value: T;
}

/** The value type of a topic: its decoder's result, or raw bytes for a pass-through topic. */
export type TopicValue<D, K> = K extends keyof D ? (D[K] extends PayloadDecoder<infer T> ? T : never) : Uint8Array;

export interface BridgeOptions<D extends DecoderMap> {
  /** Decoders by payload type (= topic). Required (may be empty with `passThrough`). */
  decoders: D;
  /** Publish payloads of types without a decoder as raw bytes (default false: count them as `undecoded`). */
  passThrough?: boolean;
  /** Default buffer bound of each `stream()` consumer (default 256 messages). */
  maxBuffered?: number;
  /** Most topics tracked (default 256): with `passThrough`, payload types beyond it are counted as `undecoded`, so a worker inventing types cannot grow memory. */
  maxTopics?: number;
  /** Clock on the payload timeline, for latency (default `payloadNow`). */
  now?: () => number;
  /** Where decoder and listener failures are logged (default silent). */
  logger?: Logger;
}

export interface TopicStats {
  /** Payloads received on this topic. */
  received: number;
  /** Messages published (received minus decode errors). */
  published: number;
  decodeErrors: number;
  listenerErrors: number;
  /** Messages dropped from slow `stream()` buffers. */
  dropped: number;
  /** Messages waiting in `stream()` buffers now. */
  depth: number;
  subscribers: number;
  /** Worker `ts` to arrival at the bridge, ms. */
  latencyMs: PercentileSummary;
}

export interface BridgeStats {
  topics: Record<string, TopicStats>;
  /** Payloads of a type with no decoder (without passThrough), or of a new type beyond `maxTopics`. */
  undecoded: number;
}

export interface Bridge<D extends DecoderMap = DecoderMap> {
  /** Call `listener` for each message on `topic`; returns the unsubscribe function. */
  subscribe<K extends string>(topic: K, listener: (message: BridgeMessage<TopicValue<D, K>>) => void): () => void;
  /** The messages on `topic` from now on, buffered up to `maxBuffered` (oldest dropped); ends on `close()`, throws `AbortError` on abort. */
  stream<K extends string>(topic: K, options?: { signal?: AbortSignal; maxBuffered?: number }): AsyncIterable<BridgeMessage<TopicValue<D, K>>>;
  /** Feed one payload by hand (what the source's 'payload' events do). */
  ingest(workerName: string, payload: WorkerPayload): void;
  stats(): BridgeStats;
  /** Stop listening to the source; streams end after their buffered messages. */
  close(): void;
}

const optionsSchema = z
  .object({
    decoders: z.record(z.string(), z.custom<PayloadDecoder>((value) => typeof value === 'function', 'must be a function')),
    passThrough: z.boolean().optional(),
    maxBuffered: z.number().int().min(1).max(1_000_000).optional(),
    maxTopics: z.number().int().min(1).max(100_000).optional(),
    now: z.custom<() => number>((value) => typeof value === 'function', 'must be a function').optional(),
    logger: z.custom<Logger>((value) => typeof value === 'object' && value !== null, 'must be a logger').optional(),
  })
  .strict();

const streamOptionsSchema = z
  .object({
    signal: z.instanceof(AbortSignal).optional(),
    maxBuffered: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict();

type Listener = (message: BridgeMessage) => void;

/** A `stream()` consumer's bounded buffer. */
class StreamBuffer {
  readonly #max: number;
  #items: (BridgeMessage | undefined)[] = [];
  #head = 0;
  #wake: (() => void) | undefined;
  ended = false;

  constructor(max: number) {
    this.#max = max;
  }

  get depth(): number {
    return this.#items.length - this.#head;
  }

  /** Append; returns true when the oldest message had to be dropped. */
  push(message: BridgeMessage): boolean {
    const full = this.depth >= this.#max;
    if (full) this.#items[this.#head++] = undefined;
    this.#items.push(message);
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    this.wake();
    return full;
  }

  shift(): BridgeMessage | undefined {
    if (this.depth === 0) return undefined;
    const message = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    }
    return message;
  }

  /** Wait until a message or the end arrives (the timer keeps the process alive while someone waits). */
  next(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setInterval(() => {}, 2 ** 30);
      this.#wake = () => {
        clearInterval(timer);
        resolve();
      };
    });
  }

  wake(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

class Topic {
  readonly name: string;
  readonly listeners = new Set<Listener>();
  readonly streams = new Set<StreamBuffer>();
  readonly latency = new DurationHistogram();
  received = 0;
  decodeErrors = 0;
  listenerErrors = 0;
  dropped = 0;

  constructor(name: string) {
    this.name = name;
  }

  stats(): TopicStats {
    let depth = 0;
    for (const stream of this.streams) depth += stream.depth;
    return {
      received: this.received,
      published: this.received - this.decodeErrors,
      decodeErrors: this.decodeErrors,
      listenerErrors: this.listenerErrors,
      dropped: this.dropped,
      depth,
      subscribers: this.listeners.size + this.streams.size,
      latencyMs: this.latency.summary(),
    };
  }
}

/** True at 1, 2, 4, 8, ...: failures are logged on those counts only, so a failing decoder cannot flood the log. */
const isPowerOfTwo = (n: number): boolean => (n & (n - 1)) === 0;
const errorText = (error: unknown): string => (error instanceof Error ? error.message : describeValue(error));

export function createBridge<D extends DecoderMap>(source: PayloadEventSource, options: BridgeOptions<D>): Bridge<D> {
  const parsed = parseOrThrow(optionsSchema, options, 'createBridge');
  const decoders = new Map(Object.entries(parsed.decoders));
  const passThrough = parsed.passThrough ?? false;
  const defaultMaxBuffered = parsed.maxBuffered ?? 256;
  const maxTopics = parsed.maxTopics ?? 256;
  const now = parsed.now ?? payloadNow;
  const logger = parsed.logger ?? silentLogger;
  const topics = new Map<string, Topic>();
  let undecoded = 0;
  let closed = false;

  const topicOf = (name: string): Topic => {
    let topic = topics.get(name);
    if (topic === undefined) {
      topic = new Topic(name);
      topics.set(name, topic);
    }
    return topic;
  };

  const ingest = (workerName: string, payload: WorkerPayload): void => {
    if (closed) return;
    const decoder = decoders.get(payload.type);
    if ((decoder === undefined && !passThrough) || (!topics.has(payload.type) && topics.size >= maxTopics)) {
      undecoded++;
      return;
    }
    const topic = topicOf(payload.type);
    topic.received++;
    topic.latency.record(now() - payload.ts);
    let value: unknown;
    try {
      value = decoder === undefined ? payload.data : decoder(payload, workerName);
    } catch (error) {
      topic.decodeErrors++;
      if (isPowerOfTwo(topic.decodeErrors)) {
        logger.warn({ topic: topic.name, worker: workerName, seq: payload.seq, count: topic.decodeErrors, error: errorText(error) }, 'bridge: decoder failed');
      }
      return;
    }
    const message: BridgeMessage = { topic: topic.name, worker: workerName, seq: payload.seq, ts: payload.ts, value };
    for (const listener of topic.listeners) {
      try {
        listener(message);
      } catch (error) {
        topic.listenerErrors++;
        if (isPowerOfTwo(topic.listenerErrors)) {
          logger.warn({ topic: topic.name, count: topic.listenerErrors, error: errorText(error) }, 'bridge: subscriber failed');
        }
      }
    }
    for (const stream of topic.streams) if (stream.push(message)) topic.dropped++;
  };

  async function* streamOf(name: string, signal: AbortSignal | undefined, maxBuffered: number): AsyncGenerator<BridgeMessage, void, undefined> {
    const topic = topicOf(name);
    const buffer = new StreamBuffer(maxBuffered);
    const onAbort = (): void => buffer.wake();
    topic.streams.add(buffer);
    signal?.addEventListener('abort', onAbort);
    try {
      for (;;) {
        if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
        const message = buffer.shift();
        if (message !== undefined) yield message;
        else if (buffer.ended || closed) return;
        else await buffer.next();
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      topic.streams.delete(buffer);
    }
  }

  source.on('payload', ingest);

  return {
    subscribe(topic, listener) {
      const listeners = topicOf(topic).listeners;
      const entry = listener as Listener;
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
    stream(topic, streamOptions = {}) {
      const { signal, maxBuffered } = parseOrThrow(streamOptionsSchema, streamOptions, `bridge.stream(${JSON.stringify(topic)})`);
      return { [Symbol.asyncIterator]: () => streamOf(topic, signal, maxBuffered ?? defaultMaxBuffered) } as AsyncIterable<BridgeMessage<never>>;
    },
    ingest,
    stats() {
      return { topics: Object.fromEntries([...topics].map(([name, topic]) => [name, topic.stats()])), undecoded };
    },
    close() {
      if (closed) return;
      closed = true;
      source.off('payload', ingest);
      for (const topic of topics.values()) {
        topic.listeners.clear();
        for (const stream of topic.streams) {
          stream.ended = true;
          stream.wake();
        }
      }
    },
  };
}
