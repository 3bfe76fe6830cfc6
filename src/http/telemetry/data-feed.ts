/**
 * Worker data streams (seed 002's bridge topics, e.g. `ft_sample` at 1 kHz) for the telemetry
 * socket. One bridge subscription per topic, shared by every client and held only while someone
 * listens; the listener only keeps the latest sample and counts, so a 1 kHz stream costs the
 * socket nothing between sends. Each send takes the latest sample: downsampling to the client's
 * rate by decimation, with the number of samples it stands for.
 */
import type { BridgeSource } from '../sources.js';

interface Stream {
  unsubscribe: () => void;
  latest: unknown;
  seq: number;
  /** Sequence number last sent, per group of clients (keyed by tick divisor). */
  sent: Map<number, number>;
  refs: number;
}

export class DataFeed {
  readonly #bridge: BridgeSource | undefined;
  readonly #streams = new Map<string, Stream>();

  constructor(bridge: BridgeSource | undefined) {
    this.#bridge = bridge;
  }

  get available(): boolean {
    return this.#bridge !== undefined;
  }

  /** Start (or share) the bridge subscription of `topic`; throws what the bridge throws. */
  retain(topic: string): void {
    const existing = this.#streams.get(topic);
    if (existing !== undefined) {
      existing.refs++;
      return;
    }
    if (this.#bridge === undefined) throw new Error('no data streams are configured');
    const stream: Stream = { unsubscribe: () => undefined, latest: undefined, seq: 0, sent: new Map(), refs: 1 };
    stream.unsubscribe = this.#bridge.subscribe(topic, (sample) => {
      stream.latest = sample;
      stream.seq++;
    });
    this.#streams.set(topic, stream);
  }

  release(topic: string): void {
    const stream = this.#streams.get(topic);
    if (stream === undefined) return;
    if (--stream.refs > 0) return;
    stream.unsubscribe();
    this.#streams.delete(topic);
  }

  /** The latest sample not yet sent to group `divisor` and how many arrived since; undefined when none. */
  take(topic: string, divisor: number): { sample: unknown; received: number } | undefined {
    const stream = this.#streams.get(topic);
    if (stream === undefined || stream.seq === 0) return undefined;
    const last = stream.sent.get(divisor) ?? 0;
    if (last === stream.seq) return undefined;
    stream.sent.set(divisor, stream.seq);
    return { sample: stream.latest, received: stream.seq - last };
  }

  close(): void {
    for (const stream of this.#streams.values()) stream.unsubscribe();
    this.#streams.clear();
  }
}
