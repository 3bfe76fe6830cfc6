/**
 * `WorkerHandle`: the caller's grip on one supervised worker, stable across restarts (each restart
 * is a new generation behind the same handle). Typed by the worker's definition:
 * `manager.spawn<typeof camera>(...)` gives `request('setFrameRate', { fps })` its payload and
 * result types.
 */
import { z } from 'zod';
import { parseOrThrow } from '../validation.js';
import type { WorkerState } from './events.js';
import type { WorkerPayload } from './data-plane/payload.js';
import type { CommandMap } from './runtime/define-worker.js';
import type { WorkerSnapshot } from './snapshot.js';
import type { Supervisor } from './supervisor.js';

export interface RequestOptions {
  /** Reject with `ERR_TACTUS_WORKER_TIMEOUT` after this long (default: the manager's requestTimeoutMs, 5000). */
  timeoutMs?: number;
}

const requestSchema = z.strictObject({
  command: z.string().min(1).max(200),
  options: z.strictObject({ timeoutMs: z.number().finite().positive().max(2 ** 31 - 1).optional() }).optional(),
});

/** The payload argument is optional when the command's input allows undefined. */
type RequestArgs<Input> = undefined extends Input ? [payload?: Input, options?: RequestOptions] : [payload: Input, options?: RequestOptions];

export class WorkerHandle<Commands extends CommandMap = CommandMap> {
  readonly #supervisor: Supervisor;

  /** @internal created by `WorkerManager.spawn`. */
  constructor(supervisor: Supervisor) {
    this.#supervisor = supervisor;
  }

  get name(): string {
    return this.#supervisor.name;
  }

  get isolation(): 'thread' | 'process' {
    return this.#supervisor.spec.isolation;
  }

  get state(): WorkerState {
    return this.#supervisor.state;
  }

  /** 1 for the first start, +1 per restart. */
  get generation(): number {
    return this.#supervisor.generation;
  }

  get pid(): number | null {
    return this.#supervisor.pid;
  }

  get threadId(): number | null {
    return this.#supervisor.threadId;
  }

  /**
   * Send a command and await its result (seed 002's control plane). Rejects with a typed error:
   * `ERR_TACTUS_UNKNOWN_COMMAND`, `ERR_TACTUS_INVALID_PAYLOAD`, `ERR_TACTUS_COMMAND_FAILED`,
   * `ERR_TACTUS_WORKER_TIMEOUT`, `ERR_TACTUS_WORKER_UNAVAILABLE` (degraded, restarting, stopping,
   * or it exited meanwhile: `reason: 'aborted'`), `ERR_TACTUS_PROTOCOL` (too large, channel backed up).
   */
  request<K extends keyof Commands & string>(command: K, ...args: RequestArgs<Commands[K]['input']>): Promise<Commands[K]['output']> {
    const [payload, options] = args;
    try {
      parseOrThrow(requestSchema, { command, ...(options === undefined ? {} : { options }) }, `request(${JSON.stringify(this.name)})`);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return this.#supervisor.request(command, payload, options?.timeoutMs) as Promise<Commands[K]['output']>;
  }

  /**
   * Seed 002's data plane: the worker's payloads (`ctx.publish`) in order, across restarts, until
   * it stops; `signal` ends the iteration with an AbortError. One consumer per worker: this, or
   * the manager's `payload` events (e.g. a bridge), not both (`ERR_TACTUS_CONSUMER_BUSY`).
   */
  data(options: { signal?: AbortSignal } = {}): AsyncIterable<WorkerPayload> {
    return this.#supervisor.payloads(options.signal);
  }

  /** Resolves when the worker is running (now, or after its current start); rejects if it degrades or stops first. */
  ready(): Promise<void> {
    return this.#supervisor.whenRunning();
  }

  /** Stop this generation gracefully and start a fresh one at once (no backoff, not counted as a failure); resolves when it runs. */
  restart(): Promise<void> {
    return this.#supervisor.restart();
  }

  /** Drain this worker: stop command, then kill after stopTimeoutMs. */
  stop(): Promise<void> {
    return this.#supervisor.stop();
  }

  /** Kill this worker at once. */
  terminate(): Promise<void> {
    return this.#supervisor.terminate();
  }

  snapshot(): WorkerSnapshot {
    return this.#supervisor.snapshot();
  }
}
