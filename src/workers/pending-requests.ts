/**
 * Requests in flight to one worker: correlation ids, timeouts on the manager's timeline, and the
 * settling rules. A response settles its request once; a late response (after the timeout) or one
 * for an unknown id is reported to the caller as unexpected and otherwise ignored. When a worker
 * generation ends, every request still in flight is rejected: its command may or may not have run.
 */
import type { TimerQueue, Timed } from '../scheduler/timer-queue.js';

class Pending implements Timed {
  timerAt = 0;
  timerIndex = -1;
  readonly id: number;
  readonly command: string;
  readonly timeoutMs: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly #onTimeout: (pending: Pending) => void;

  constructor(id: number, command: string, timeoutMs: number, resolve: (value: unknown) => void, reject: (error: Error) => void, onTimeout: (pending: Pending) => void) {
    this.id = id;
    this.command = command;
    this.timeoutMs = timeoutMs;
    this.resolve = resolve;
    this.reject = reject;
    this.#onTimeout = onTimeout;
  }

  onTimer(): void {
    this.#onTimeout(this);
  }
}

export class PendingRequests {
  readonly #timers: TimerQueue;
  readonly #now: () => number;
  readonly #timeoutError: (command: string, timeoutMs: number) => Error;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  constructor(timers: TimerQueue, now: () => number, timeoutError: (command: string, timeoutMs: number) => Error) {
    this.#timers = timers;
    this.#now = now;
    this.#timeoutError = timeoutError;
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Reserve an id; `send(id)` transmits (and may throw, which rejects the request). */
  open(command: string, timeoutMs: number, send: (id: number) => void): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      try {
        send(id);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      const pending = new Pending(id, command, timeoutMs, resolve, reject, (p) => {
        this.#pending.delete(p.id);
        p.reject(this.#timeoutError(p.command, p.timeoutMs));
      });
      this.#pending.set(id, pending);
      this.#timers.schedule(pending, this.#now() + timeoutMs);
    });
  }

  /** Settle request `id`; false when no such request is in flight. */
  settle(id: number, outcome: { ok: true; value: unknown } | { ok: false; error: Error }): boolean {
    const pending = this.#pending.get(id);
    if (pending === undefined) return false;
    this.#pending.delete(id);
    this.#timers.cancel(pending);
    if (outcome.ok) pending.resolve(outcome.value);
    else pending.reject(outcome.error);
    return true;
  }

  /** Reject everything in flight with `error()`. */
  rejectAll(error: () => Error): void {
    const all = [...this.#pending.values()];
    this.#pending.clear();
    for (const pending of all) {
      this.#timers.cancel(pending);
      pending.reject(error());
    }
  }
}
