/**
 * What the parent-side reader pulls payloads from: a thread's ring (./ring-channel.ts) or a
 * process's framed pipe (./stream-channel.ts). Pull-based, so the reader decides the pace and
 * the source's own bound (ring slots, paused pipe) applies the overflow policy.
 */
import type { WorkerPayload } from './payload.js';

export interface PayloadSourceCounters {
  /** Produced but lost before delivery: overwritten or torn in the ring, dropped by the producer's queue, refused frames. */
  dropped: number;
  /** Ready now, not yet taken. */
  depth: number;
  /** Refused by the producer under 'reject' (never produced, so not in `dropped`). */
  rejected: number;
  /** Frames or records refused as invalid (oversized, malformed, unknown type), a health signal; also in `dropped` when they held a payload. */
  invalid: number;
}

export interface PayloadSource {
  /** The next payload (the caller owns it), or undefined when none is ready. */
  poll(): WorkerPayload | undefined;
  /** Resolves when `poll` may return something, the source ends, `interrupt()` is called, or `timeoutMs` passes. Never rejects. */
  wait(timeoutMs: number): Promise<void>;
  /** Resolve a pending `wait` now. */
  interrupt(): void;
  /** True once the source is closed (or its stream ended) and has nothing left. */
  readonly ended: boolean;
  counters(): PayloadSourceCounters;
  /** No more payloads are expected; what is ready can still be polled. */
  close(): void;
}
