/**
 * The parent's reader of one worker's data plane: `for await (const p of reader.payloads({ signal }))`,
 * plus the per-worker figures seed 002 asks for (delivered, dropped, depth, latency).
 *
 * A reader outlives its sources: when a worker is restarted, `attach` the new generation's
 * source; the earlier one is closed, drained first, then retired (its counts kept), so one
 * iteration runs across restarts in seq order. The reader pulls: it takes a payload only when
 * its consumer asks, so a slow consumer leaves payloads in the source, whose bound (ring slots,
 * paused pipe) applies the worker's overflow policy. One consumer at a time; fan out with
 * `createBridge`. Latency is the payload's `ts` to the moment it is handed out, both on the
 * machine-wide payload timeline.
 */
import { AbortError, ConsumerBusyError } from '../../errors.js';
import { DurationHistogram, type PercentileSummary } from '../../stats/histogram.js';
import type { WorkerPayload } from './payload.js';
import type { PayloadSource, PayloadSourceCounters } from './payload-source.js';
import { payloadNow } from './timeline.js';

export interface PayloadReaderOptions {
  /** Clock for latency, on the payload timeline (default `payloadNow`). */
  now?: () => number;
  /** Names the reader in errors (default 'data plane'). */
  name?: string;
}

export interface PayloadCounters {
  /** Payloads handed to the consumer. */
  delivered: number;
  /** Produced but lost before delivery (see `PayloadSourceCounters.dropped`). */
  dropped: number;
  /** Refused by the producer under 'reject'. */
  rejected: number;
  /** Refused as invalid (a health signal). */
  invalid: number;
  /** Ready in the sources, not yet delivered. */
  depth: number;
  /** One-way latency from the worker's `ts` to delivery, in ms. */
  latencyMs: PercentileSummary;
}

/** How long one wait on a source lasts before the loop re-checks (abort and close also wake it). */
const WAIT_SLICE_MS = 1000;

export class PayloadReader {
  readonly #now: () => number;
  readonly #name: string;
  readonly #sources: PayloadSource[] = [];
  readonly #retired: PayloadSourceCounters = { dropped: 0, depth: 0, rejected: 0, invalid: 0 };
  readonly #latency = new DurationHistogram();
  #delivered = 0;
  #closed = false;
  #iterating = false;
  #wakeIdle: (() => void) | undefined;

  constructor(options: PayloadReaderOptions = {}) {
    this.#now = options.now ?? payloadNow;
    this.#name = options.name ?? 'data plane';
  }

  /** Read from `source` from now on; earlier sources are closed and drained first. */
  attach(source: PayloadSource): void {
    for (const earlier of this.#sources) earlier.close();
    this.#sources.push(source);
    if (this.#closed) source.close();
    this.#wake();
  }

  /** The next ready payload, or undefined; counted as delivered. For consumers that poll instead of iterating. */
  poll(): WorkerPayload | undefined {
    for (let source = this.#sources[0]; source !== undefined; source = this.#sources[0]) {
      const payload = source.poll();
      if (payload !== undefined) {
        this.#delivered++;
        this.#latency.record(this.#now() - payload.ts);
        return payload;
      }
      if (!source.ended) return undefined;
      this.#retire();
    }
    return undefined;
  }

  /**
   * The payloads, in order, until `close()` (after the rest was delivered). Aborting `signal`
   * ends the iteration with an `AbortError`. A second concurrent iteration throws `ConsumerBusyError`.
   */
  payloads(options: { signal?: AbortSignal } = {}): AsyncIterable<WorkerPayload> {
    return { [Symbol.asyncIterator]: () => this.#iterate(options.signal) };
  }

  counters(): PayloadCounters {
    const total = { ...this.#retired };
    for (const source of this.#sources) {
      const counters = source.counters();
      total.dropped += counters.dropped;
      total.depth += counters.depth;
      total.rejected += counters.rejected;
      total.invalid += counters.invalid;
    }
    return { delivered: this.#delivered, ...total, latencyMs: this.#latency.summary() };
  }

  /** Expect no more payloads: iteration ends once what is ready was delivered. */
  close(): void {
    this.#closed = true;
    for (const source of this.#sources) source.close();
    this.#wake();
  }

  async *#iterate(signal: AbortSignal | undefined): AsyncGenerator<WorkerPayload, void, undefined> {
    if (this.#iterating) throw new ConsumerBusyError(this.#name);
    this.#iterating = true;
    const onAbort = (): void => this.#wake();
    signal?.addEventListener('abort', onAbort);
    try {
      for (;;) {
        if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
        const payload = this.poll();
        if (payload !== undefined) {
          yield payload;
          continue;
        }
        const source = this.#sources[0];
        if (source !== undefined) await source.wait(WAIT_SLICE_MS);
        else if (this.#closed) return;
        else await this.#idle();
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.#iterating = false;
    }
  }

  /** Wait for a source to be attached (or close/abort), re-checking every slice; the timer keeps the process alive meanwhile. */
  #idle(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.#wake(), WAIT_SLICE_MS);
      this.#wakeIdle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  #retire(): void {
    const counters = this.#sources.shift()!.counters();
    this.#retired.dropped += counters.dropped;
    this.#retired.rejected += counters.rejected;
    this.#retired.invalid += counters.invalid;
  }

  #wake(): void {
    for (const source of this.#sources) source.interrupt();
    const wakeIdle = this.#wakeIdle;
    this.#wakeIdle = undefined;
    wakeIdle?.();
  }
}
