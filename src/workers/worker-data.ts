/**
 * The parent's end of one worker's data plane (seed 002), across its generations, built on the
 * data-plane pieces (./data-plane/): one `PayloadReader` per worker, fed by
 * - threads: ONE shared ring (and type table) for the worker's whole life; every generation's
 *   writer attaches to the same buffers, so a restarted worker continues the sequence numbers and
 *   a record its killed predecessor was half-way through writing is never delivered;
 * - processes: a framed pipe per generation; the reader drains the old one before the new one.
 *
 * One consumer per worker: `handle.data()`, or the manager's `payload` events (the pump below,
 * running while anyone listens, e.g. a bridge); not both at once.
 */
import type { Logger } from '../logger.js';
import { FramedPayloadSource } from './data-plane/framed-source.js';
import { DEFAULT_MAX_FRAME_DATA_BYTES } from './data-plane/framed-writer.js';
import type { WorkerPayload } from './data-plane/payload.js';
import { PayloadReader } from './data-plane/payload-reader.js';
import { createRingChannel, RingPayloadSource, type RingChannelInit } from './data-plane/ring-channel.js';
import type { WorkerConnection } from './launch/connection.js';
import type { DataPlaneInit } from './protocol.js';
import type { WorkerDataSnapshot } from './snapshot.js';
import type { RingSpec } from './spec.js';

/** Thread ring defaults: 256 records of up to 4 KiB (memory is committed only as slots are used). */
export const DEFAULT_RING_SLOTS = 256;
export const DEFAULT_RING_SLOT_BYTES = 4096;

export class WorkerData {
  readonly ring: RingChannelInit | undefined;
  readonly init: DataPlaneInit;
  readonly #reader: PayloadReader;
  readonly #logger: Logger;
  readonly #name: string;
  #pump: AbortController | undefined;

  constructor(name: string, isolation: 'thread' | 'process', spec: RingSpec | undefined, logger: Logger) {
    this.#name = name;
    this.#logger = logger;
    this.#reader = new PayloadReader({ name: `worker ${JSON.stringify(name)}` });
    const overflow = spec?.overflow ?? 'drop-oldest';
    if (isolation === 'thread') {
      const slotBytes = spec?.slotBytes ?? DEFAULT_RING_SLOT_BYTES;
      this.ring = createRingChannel({ slots: spec?.slots ?? DEFAULT_RING_SLOTS, slotBytes, overflow });
      this.#reader.attach(new RingPayloadSource(this.ring));
      this.init = { maxBytes: slotBytes, overflow };
    } else {
      this.ring = undefined;
      this.init = { maxBytes: spec?.slotBytes ?? DEFAULT_MAX_FRAME_DATA_BYTES, overflow };
    }
  }

  /** A new generation is up: read its pipe (processes; a thread's ring is already attached). */
  connect(connection: WorkerConnection): void {
    if (connection.dataStream === undefined) return;
    this.#reader.attach(
      new FramedPayloadSource(connection.dataStream, {
        maxDataBytes: this.init.maxBytes,
        onInvalid: (error) => this.#logger.warn({ worker: this.#name, err: error }, 'invalid data frame refused'),
      }),
    );
  }

  /** The payloads, in order, across restarts; ends after the worker stopped and the rest was delivered. */
  payloads(signal: AbortSignal | undefined): AsyncIterable<WorkerPayload> {
    return this.#reader.payloads(signal === undefined ? {} : { signal });
  }

  /** Deliver every payload to `emit` until `stopPump()` (the manager's `payload` events). */
  startPump(emit: (payload: WorkerPayload) => void): void {
    if (this.#pump !== undefined) return;
    const controller = new AbortController();
    this.#pump = controller;
    void (async () => {
      try {
        for await (const payload of this.#reader.payloads({ signal: controller.signal })) emit(payload);
      } catch (error) {
        if (!controller.signal.aborted) this.#logger.error({ worker: this.#name, err: error }, 'payload pump stopped');
      } finally {
        if (this.#pump === controller) this.#pump = undefined;
      }
    })();
  }

  stopPump(): void {
    this.#pump?.abort();
    this.#pump = undefined;
  }

  /** No more generations: iterations end once what is left was delivered. */
  close(): void {
    this.#reader.close();
  }

  snapshot(): WorkerDataSnapshot {
    const counters = this.#reader.counters();
    return { delivered: counters.delivered, dropped: counters.dropped + counters.rejected, depth: counters.depth, latencyMs: counters.latencyMs };
  }
}
