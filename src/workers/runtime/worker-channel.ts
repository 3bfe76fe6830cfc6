/**
 * The worker's end of its control channel, over either isolation:
 * - thread: a dedicated MessagePort (handed over in `workerData`) carrying JSON strings, and the
 *   shared heartbeat cell the parent reads without messages;
 * - process: a socket pipe on fd 3 carrying one JSON text per line (see line-reader.ts), and a
 *   second pipe on fd 4 for data. No Node IPC channel: its JSON parser throws on garbage, and
 *   here malformed input must be counted, not crash anybody.
 * When the parent's end closes (the parent died or gave up on us), the worker exits: no orphans.
 */
import { Socket } from 'node:net';
import type { MessagePort } from 'node:worker_threads';
import type { RingChannelInit } from '../data-plane/ring-channel.js';
import { HeartbeatCell } from '../heartbeat-cell.js';
import { LineReader } from '../line-reader.js';

/** What a thread worker finds in `workerData.tactus`. */
export interface ThreadWorkerData {
  control: MessagePort;
  heartbeat: SharedArrayBuffer;
  data: RingChannelInit | null;
  maxMessageBytes: number;
}

/** fds of a process worker's pipes (stdin, stdout, stderr are the usual 0-2). */
export const CONTROL_FD = 3;
export const DATA_FD = 4;

export interface ChannelListener {
  message(raw: unknown): void;
  tooLarge(): void;
  /** The parent's end closed. */
  closed(): void;
}

export interface WorkerChannel {
  readonly isolation: 'thread' | 'process';
  /** The shared heartbeat (threads); processes send heartbeat messages instead. */
  readonly heartbeat: HeartbeatCell | undefined;
  /** The shared data plane (threads). */
  readonly ring: RingChannelInit | undefined;
  /** The data pipe (processes). */
  readonly dataSocket: Socket | undefined;
  listen(listener: ChannelListener): void;
  /** Send one message text; false when the channel is closed or backed up beyond `maxPendingBytes`. */
  send(text: string): boolean;
  /** Flush what is queued and close. */
  close(): Promise<void>;
}

export function isThreadWorkerData(value: unknown): value is { tactus: ThreadWorkerData } {
  if (value === null || typeof value !== 'object' || !('tactus' in value)) return false;
  const data = (value as { tactus: unknown }).tactus;
  return data !== null && typeof data === 'object' && 'control' in data && 'heartbeat' in data;
}

export function openThreadChannel(data: ThreadWorkerData): WorkerChannel {
  const port = data.control;
  let open = true;
  return {
    isolation: 'thread',
    heartbeat: HeartbeatCell.attach(data.heartbeat),
    ring: data.data ?? undefined,
    dataSocket: undefined,
    listen(listener) {
      port.on('message', (raw: unknown) => listener.message(raw));
      port.on('close', () => {
        open = false;
        listener.closed();
      });
    },
    send(text) {
      if (!open) return false;
      port.postMessage(text);
      return true;
    },
    close() {
      open = false;
      port.close();
      return Promise.resolve();
    },
  };
}

export function openProcessChannel(maxMessageBytes: number): WorkerChannel {
  const control = new Socket({ fd: CONTROL_FD, readable: true, writable: true });
  const data = new Socket({ fd: DATA_FD, readable: false, writable: true });
  const maxPendingBytes = 4 * maxMessageBytes;
  data.on('error', () => {}); // the parent closed its end: publishing stops, the control pipe says why
  return {
    isolation: 'process',
    heartbeat: undefined,
    ring: undefined,
    dataSocket: data,
    listen(listener) {
      const lines = new LineReader(maxMessageBytes, (line) => listener.message(line), () => listener.tooLarge());
      control.on('data', (chunk: Buffer) => lines.push(chunk));
      control.on('error', () => {});
      control.on('close', () => listener.closed());
    },
    send(text) {
      if (control.destroyed || !control.writable || control.writableLength > maxPendingBytes) return false;
      control.write(`${text}\n`);
      return true;
    },
    close() {
      const flushed = (socket: Socket): Promise<void> =>
        new Promise((resolve) => {
          if (socket.destroyed) return resolve();
          socket.end(() => resolve());
          socket.once('error', () => resolve());
        });
      return Promise.all([flushed(control), flushed(data)]).then(() => undefined);
    },
  };
}
