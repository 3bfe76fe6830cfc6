/**
 * A launcher for supervision tests under ManualClock: each launch becomes a `FakeWorker` the test
 * drives by hand (ready, beats, messages, exits). Real threads and processes are exercised by the
 * integration tests; this isolates the supervisor's rules from the operating system's timing.
 */
import { encodeMessage } from '../../../src/workers/codec.js';
import { HeartbeatCell } from '../../../src/workers/heartbeat-cell.js';
import type { ConnectionEvents, LaunchRequest, Launcher, WorkerConnection } from '../../../src/workers/launch/connection.js';
import type { WorkerMessage } from '../../../src/workers/protocol.js';

export class FakeWorker implements WorkerConnection {
  readonly pid: number | null;
  readonly threadId: number | null;
  readonly dataStream = undefined;
  readonly request: LaunchRequest;
  readonly events: ConnectionEvents;
  readonly sent: string[] = [];
  readonly cell: HeartbeatCell | undefined;
  kills = 0;
  exited = false;
  #beat = 0;
  /** What a kill does: exit at once (default) or nothing (a zombie the test ends by hand). */
  onKill: 'exit' | 'ignore' = 'exit';

  constructor(request: LaunchRequest, events: ConnectionEvents, pid: number) {
    this.request = request;
    this.events = events;
    this.pid = request.isolation === 'process' ? pid : process.pid;
    this.threadId = request.isolation === 'thread' ? pid : null;
    this.cell = request.heartbeat === undefined ? undefined : HeartbeatCell.attach(request.heartbeat);
  }

  get generation(): number {
    return this.request.generation;
  }

  send(text: string): boolean {
    if (this.exited) return false;
    this.sent.push(text);
    return true;
  }

  kill(): void {
    this.kills++;
    if (this.onKill === 'exit') this.exit(null, 'SIGKILL');
  }

  /** Deliver a message as the worker would (with this generation unless given). */
  message(message: Omit<WorkerMessage, 'gen'> & { gen?: number }): void {
    this.events.message(encodeMessage({ ...message, gen: message.gen ?? this.generation }, 1 << 20));
  }

  ready(loops: { name: string; periodMs: number; deadlineMs: number }[] = []): void {
    this.message({ type: 'ready', pid: this.pid ?? 0, loops, commands: [] } as never);
  }

  /** Progress: the shared cell for a thread, a heartbeat message for a process. */
  beat(): void {
    if (this.cell !== undefined) this.cell.beat();
    else this.message({ type: 'heartbeat', beat: ++this.#beat, task: null } as never);
  }

  exit(code: number | null, signal: string | null = null): void {
    if (this.exited) return;
    this.exited = true;
    this.events.exit({ code, signal, error: undefined });
  }

  /** Parent -> worker messages of a type. */
  sentOf(type: string): Record<string, unknown>[] {
    return this.sent.map((text) => JSON.parse(text) as Record<string, unknown>).filter((m) => m.type === type);
  }
}

export function fakeLauncher(): { launcher: Launcher; workers: FakeWorker[]; last(): FakeWorker } {
  const workers: FakeWorker[] = [];
  const launcher: Launcher = (request, events) => {
    const worker = new FakeWorker(request, events, 1000 + workers.length);
    workers.push(worker);
    return worker;
  };
  return {
    launcher,
    workers,
    last() {
      const worker = workers.at(-1);
      if (worker === undefined) throw new Error('nothing launched');
      return worker;
    },
  };
}
