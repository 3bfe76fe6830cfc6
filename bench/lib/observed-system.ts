/**
 * What the monitor and metrics benches observe: a scheduler with 1,000 periodic tasks whose stats
 * are populated (3 s of runs under a ManualClock, then frozen), 64 workers listed the way a
 * WorkerManager lists them (fresh rows with loop stats on every call) and four category queues.
 */
import { ManualClock } from '../../src/time/manual-clock.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import type { QueueSource, WorkerSnapshot, WorkerSource } from '../../src/monitor/sources.js';

export interface ObservedSystem {
  scheduler: Scheduler;
  workers: WorkerSource;
  queues: QueueSource[];
}

const percentiles = (base: number) => ({ p50: base, p95: base * 1.5, p99: base * 2, max: base * 3 });

export async function observedSystem(tasks = 1000, workerCount = 64): Promise<ObservedSystem> {
  const clock = new ManualClock();
  const scheduler = new Scheduler({ clock });
  for (let i = 0; i < tasks; i++) {
    scheduler.schedulePeriodic({ name: `device.${i}`, periodMs: 50 + (i % 20) * 50, deadlineMs: 40, maxJitterMs: 5 }, (ctx) => (i % 10 === 0 ? ctx.sleep(45) : undefined));
  }
  scheduler.start();
  await clock.advance(3000);
  const categories = ['gpu', 'cpu'];
  const loopStats = scheduler.describe().tasks[0]!.stats;
  const list = (): WorkerSnapshot[] =>
    Array.from({ length: workerCount }, (_, i) => ({
      name: `worker-${i}`,
      isolation: 'thread' as const,
      pid: process.pid,
      threadId: i + 1,
      category: categories[i % 2]!,
      state: 'running' as const,
      task: i % 3 === 0 ? `STAGE_${i % 5}` : null,
      lastHeartbeatAt: clock.now() - 50,
      heartbeatAgeMs: 50,
      generation: 1,
      restarts: 0,
      loops: i % 2 === 0 ? [] : [{ name: `worker-${i}.loop`, periodMs: 10, stats: { ...loopStats, jitterMs: { ...loopStats.jitterMs }, execMs: { ...loopStats.execMs } } }],
      data: { delivered: 1000 * i, dropped: i, depth: i % 7, latencyMs: percentiles(0.2) },
    }));
  let sizes = 0;
  const queues: QueueSource[] = ['detect', 'plate', 'smooth', 'summary'].map((name, i) => ({
    name,
    category: categories[i % 2]!,
    size: () => (sizes++ % 13) + i,
    enqueuedTotal: () => sizes,
  }));
  return { scheduler, workers: { list }, queues };
}
