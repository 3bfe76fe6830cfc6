/**
 * The parent's intake of one worker's control messages, before any of them is acted on: a cheap
 * pre-filter (a heartbeat flood is coalesced on its text prefix, other messages are rate-limited),
 * then the codec's gauntlet (size, JSON, shape, closed type table, zod), then the generation fence
 * (a message must carry the generation its channel was launched for, reliability plan D2/A18).
 * Everything refused is counted by reason; `snapshot()` is the worker's IPC row in `list()`.
 */
import { decodeMessage, RejectCounter, type RejectReason } from './codec.js';
import { HEARTBEAT_PREFIX, workerMessageSchemas, type WorkerMessage } from './protocol.js';
import type { WorkerIpcSnapshot } from './snapshot.js';

/** Non-heartbeat control messages accepted per second per worker; the rest are counted and dropped. */
export const MAX_MESSAGES_PER_SECOND = 5000;
/** At most one heartbeat is parsed per this share of the heartbeat period; the rest are coalesced. */
export const HEARTBEAT_PARSE_SHARE = 1 / 8;

export class WorkerInbox {
  readonly #heartbeatMs: number;
  readonly #maxMessageBytes: number;
  readonly #rejected = new RejectCounter();
  #rejectedByWorker: Partial<Record<RejectReason, number>> = {};
  #received = 0;
  #heartbeatsReceived = 0;
  #heartbeatsProcessed = 0;
  #heartbeatsCoalesced = 0;
  #lastHeartbeatParsedAt = Number.NEGATIVE_INFINITY;
  #windowAt = Number.NEGATIVE_INFINITY;
  #inWindow = 0;

  constructor(heartbeatMs: number, maxMessageBytes: number) {
    this.#heartbeatMs = heartbeatMs;
    this.#maxMessageBytes = maxMessageBytes;
  }

  /** The message, if it is to be acted on; undefined when it was refused or coalesced (counted either way). */
  accept(raw: unknown, generation: number, now: number): WorkerMessage | undefined {
    this.#received++;
    if (typeof raw === 'string' && raw.startsWith(HEARTBEAT_PREFIX)) {
      this.#heartbeatsReceived++;
      if (now - this.#lastHeartbeatParsedAt < this.#heartbeatMs * HEARTBEAT_PARSE_SHARE) {
        this.#heartbeatsCoalesced++;
        return undefined;
      }
      this.#lastHeartbeatParsedAt = now;
    } else if (!this.#withinRate(now)) {
      this.reject('rate-limited');
      return undefined;
    }
    const decoded = decodeMessage(raw, workerMessageSchemas, this.#maxMessageBytes);
    if (!decoded.ok) {
      this.reject(decoded.reason);
      return undefined;
    }
    const message = decoded.message as WorkerMessage;
    if (message.gen !== generation) {
      this.reject('stale-generation');
      return undefined;
    }
    return message;
  }

  reject(reason: RejectReason): void {
    this.#rejected.count(reason);
  }

  /** A heartbeat passed every check and moved the worker's progress. */
  heartbeatProcessed(): void {
    this.#heartbeatsProcessed++;
  }

  /** The worker's own reject counts, as it last reported them. */
  workerRejected(counts: Partial<Record<RejectReason, number>>): void {
    this.#rejectedByWorker = counts;
  }

  snapshot(): WorkerIpcSnapshot {
    return {
      received: this.#received,
      rejected: this.#rejected.snapshot(),
      rejectedByWorker: { ...this.#rejectedByWorker },
      heartbeats: { received: this.#heartbeatsReceived, processed: this.#heartbeatsProcessed, coalesced: this.#heartbeatsCoalesced },
    };
  }

  #withinRate(now: number): boolean {
    if (now - this.#windowAt >= 1000) {
      this.#windowAt = now;
      this.#inWindow = 0;
    }
    return ++this.#inWindow <= MAX_MESSAGES_PER_SECOND;
  }
}
