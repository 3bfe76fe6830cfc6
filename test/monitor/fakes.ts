// Plain-object sources for the monitor's pure-logic tests: they implement the source interfaces
// (src/monitor/sources.ts) the way a worker manager and a queue do; time comes from the test's clock.
import { EventEmitter } from 'node:events';
import type { Clock } from '../../src/time/clock.js';
import type { QueueSource, WorkerSnapshot, WorkerSource, WorkerState } from '../../src/monitor/sources.js';

const emptyStats = () => ({
  runs: 0, completed: 0, failed: 0, skipped: 0, overruns: 0, deadlineMisses: 0, jitterWarnings: 0,
  consecutiveMisses: 0, totalExecMs: 0, totalJitterMs: 0,
  jitterMs: { p50: 0, p95: 0, p99: 0, max: 0 }, execMs: { p50: 0, p95: 0, p99: 0, max: 0 },
});

export interface FakeWorker {
  name: string;
  category: string | null;
  state: WorkerState;
  task: string | null;
  lastHeartbeatAt: number | null;
  generation: number;
  restarts: number;
}

export class FakeWorkers extends EventEmitter implements WorkerSource {
  readonly workers = new Map<string, FakeWorker>();
  /** Called inside list(), before the snapshot is built: lets a test act "while the monitor reads". */
  onList: (() => void) | undefined;
  listCalls = 0;

  constructor(readonly clock: Clock) {
    super();
  }

  add(name: string, category: string | null = null, state: WorkerState = 'running'): FakeWorker {
    const worker: FakeWorker = { name, category, state, task: null, lastHeartbeatAt: this.clock.now(), generation: 1, restarts: 0 };
    this.workers.set(name, worker);
    return worker;
  }

  beat(name: string): void {
    this.workers.get(name)!.lastHeartbeatAt = this.clock.now();
  }

  beatAll(): void {
    for (const name of this.workers.keys()) this.beat(name);
  }

  list(): WorkerSnapshot[] {
    this.listCalls++;
    this.onList?.();
    const now = this.clock.now();
    return [...this.workers.values()].map((w, i) => ({
      name: w.name,
      isolation: 'thread' as const,
      pid: 1000,
      threadId: i + 1,
      category: w.category,
      state: w.state,
      task: w.task,
      lastHeartbeatAt: w.lastHeartbeatAt,
      heartbeatAgeMs: w.lastHeartbeatAt === null ? null : now - w.lastHeartbeatAt,
      generation: w.generation,
      restarts: w.restarts,
      loops: [{ name: `${w.name}.loop`, periodMs: 100, stats: emptyStats() }],
      data: { delivered: 0, dropped: 0, depth: 0, latencyMs: { p50: 0, p95: 0, p99: 0, max: 0 } },
    }));
  }
}

export class FakeQueue implements QueueSource {
  items = 0;
  total = 0;
  /** Called inside size(): lets a test act "while the monitor reads". */
  onSize: (() => void) | undefined;

  readonly category?: string;

  constructor(readonly name: string, category?: string) {
    if (category !== undefined) this.category = category;
  }

  enqueue(n = 1): void {
    this.items += n;
    this.total += n;
  }

  take(): boolean {
    if (this.items === 0) return false;
    this.items--;
    return true;
  }

  size(): number {
    this.onSize?.();
    return this.items;
  }

  enqueuedTotal(): number {
    return this.total;
  }
}

/** A logger that keeps what it is given. */
export function recordingLogger() {
  const lines: { level: string; fields: Record<string, unknown>; message: string | undefined }[] = [];
  const at = (level: string) => (fields: object, message?: string) => lines.push({ level, fields: fields as Record<string, unknown>, message });
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}
