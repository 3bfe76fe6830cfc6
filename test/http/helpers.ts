import { once } from 'node:events';
import Fastify, { type FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { ManualClock } from '../../src/time/manual-clock.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { tactus, type TactusPluginOptions } from '../../src/http/index.js';

export const TOKEN = 'test-token-0123456789abcdef';
export const AUTH = { authorization: `Bearer ${TOKEN}` };

export interface Rig {
  app: FastifyInstance;
  scheduler: Scheduler;
  clock: ManualClock;
  logs: Record<string, unknown>[];
}

/** A scheduler on a ManualClock with two loops, served by the plugin (not listening). */
export async function rig(options: Partial<TactusPluginOptions> = {}, beforeRegister?: (app: FastifyInstance) => void): Promise<Rig> {
  const clock = new ManualClock();
  const scheduler = new Scheduler({ clock });
  scheduler.schedulePeriodic({ name: 'stage.position', periodMs: 20, priority: 1 }, () => undefined);
  scheduler.schedulePeriodic({ name: 'piezo.control', periodMs: 10, deadlineMs: 8 }, () => undefined);
  const logs: Record<string, unknown>[] = [];
  const stream = { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) };
  const app = Fastify({ logger: { level: 'warn', stream } });
  beforeRegister?.(app);
  await app.register(tactus, { scheduler, auth: { token: TOKEN }, ...options });
  return { app, scheduler, clock, logs };
}

/** Listen on a free loopback port; returns the base URL. */
export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

export interface Frame {
  topic: string;
  [key: string]: unknown;
}

/** A telemetry client that records frames and lets a test wait for one matching a predicate. */
export class TelemetryClient {
  readonly socket: WebSocket;
  readonly frames: Frame[] = [];
  #waiters: { predicate: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];

  constructor(base: string, options: { token?: string | undefined; headers?: Record<string, string>; protocols?: string[] } = {}) {
    const url = `${base.replace('http', 'ws')}/ws/telemetry`;
    const protocols = options.protocols ?? (options.token === undefined ? [] : ['tactus.v1', `tactus.token.${options.token}`]);
    this.socket = new WebSocket(url, protocols, { headers: options.headers ?? {} });
    this.socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      this.frames.push(frame);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.predicate(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
  }

  async opened(): Promise<void> {
    if (this.socket.readyState === WebSocket.OPEN) return;
    await once(this.socket, 'open');
  }

  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }

  /** The first frame (already received or future) matching `predicate`. */
  next(predicate: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const seen = this.frames.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push({ predicate, resolve: (f) => (clearTimeout(timer), resolve(f)) });
    });
  }

  count(topic: string): number {
    return this.frames.filter((f) => f.topic === topic).length;
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    const closed = once(this.socket, 'close');
    this.socket.close();
    await closed;
  }
}

/** The HTTP status a refused upgrade got (rejects if the upgrade succeeded). */
export function upgradeStatus(base: string, options: { protocols?: string[]; headers?: Record<string, string> } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${base.replace('http', 'ws')}/ws/telemetry`, options.protocols ?? [], { headers: options.headers ?? {} });
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('open', () => {
      socket.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    socket.on('error', () => undefined);
  });
}

/** Wait until `condition()` holds, checking every few ms (a wait for a state, not a timed assertion). */
export async function until(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
