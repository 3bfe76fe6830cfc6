import type { Readable } from 'node:stream';
import type { RingChannelInit } from '../data-plane/ring-channel.js';
import type { ResourceLimits } from '../spec.js';

/**
 * The seam between supervision and the operating system: a `Launcher` starts one worker
 * generation and reports what happens to it; the supervisor never touches `worker_threads` or
 * `child_process` itself. The real launchers (thread-launcher.ts, process-launcher.ts) are the
 * default; supervision tests under ManualClock pass their own.
 */
export interface LaunchRequest {
  name: string;
  generation: number;
  isolation: 'thread' | 'process';
  /** The worker module's URL (the runtime imports it after `init`). */
  module: string;
  maxMessageBytes: number;
  env: Record<string, string> | undefined;
  execArgv: string[] | undefined;
  /** Threads: the shared heartbeat cell's buffer. */
  heartbeat: SharedArrayBuffer | undefined;
  /** Threads: the shared data plane (ring and type table), reused across generations. */
  data: RingChannelInit | undefined;
  /** Heap limits (threads: `resourceLimits`; processes: `--max-old-space-size`). */
  resourceLimits: ResourceLimits | undefined;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** Why it could not start, or the error a thread died of. */
  error: Error | undefined;
}

/** Reported by a launched worker; `exit` exactly once, nothing after it. */
export interface ConnectionEvents {
  /** A control message as received (a string when well-behaved). */
  message(raw: unknown): void;
  /** A control line over the size limit was dropped. */
  tooLarge(): void;
  /** The control channel closed while the worker still ran. */
  disconnect(): void;
  exit(info: ExitInfo): void;
}

export interface WorkerConnection {
  readonly pid: number | null;
  readonly threadId: number | null;
  /** Processes: the data pipe, for the parent's framed payload source. */
  readonly dataStream: Readable | undefined;
  /** Send one message text; false when the channel is closed or backed up. */
  send(text: string): boolean;
  /** Kill at once (SIGKILL / `worker.terminate()`); idempotent; `exit` follows. */
  kill(): void;
}

export type Launcher = (request: LaunchRequest, events: ConnectionEvents) => WorkerConnection;
