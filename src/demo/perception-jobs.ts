/**
 * Seed 001 in the lab rig: perception and reasoning jobs submitted to the same engine as the
 * loops. During a recording session, every 250 ms a perception job (REALTIME, 100 ms latency bound, needs the GPU) and a
 * reasoning job that depends on it (HIGH, needs the planner, with a timeout and one retry) are
 * submitted; every 2 s a preemptible memory consolidation (LOW, two resources) yields its slot
 * when more urgent work waits. Failures, cancellations and misses land in `scheduler.summary()`.
 */
import { TaskPriority } from '../scheduler/priority.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { inSession } from './session.js';

const ignore = (): void => undefined;

export function registerPerceptionJobs(scheduler: Scheduler): void {
  scheduler.defineResource('gpu', { capacity: 1 });
  scheduler.defineResource('planner', { capacity: 1 });
  scheduler.defineResource('memory_store', { capacity: 1 });
  scheduler.defineResource('cache', { capacity: 2 });

  let wave = 0;
  scheduler.schedulePeriodic({ name: 'jobs.feeder', periodMs: 250, priority: TaskPriority.NORMAL }, (ctx) => {
    if (!inSession(ctx.scheduledAt)) return;
    wave++;
    const perception = scheduler.submit({
      name: 'perception',
      priority: TaskPriority.REALTIME,
      fn: async (ctx) => ctx.sleep(15 + Math.random() * 30),
      constraints: { maxLatencyMs: 100, resources: ['gpu'] },
    });
    const reasoning = scheduler.submit({
      name: 'reasoning',
      priority: TaskPriority.HIGH,
      fn: async (ctx) => {
        await ctx.sleep(20 + Math.random() * 40);
        if (ctx.attempt === 1 && Math.random() < 0.05) throw new Error('planner produced no plan'); // the retry succeeds
      },
      constraints: { dependsOn: [perception.id], resources: ['planner'], maxLatencyMs: 400, timeoutMs: 200, retry: { attempts: 1, backoffMs: 20 } },
    });
    perception.result.catch(ignore);
    reasoning.result.catch(ignore);
    if (wave % 8 === 0) {
      scheduler
        .submit({
          name: 'memory.consolidate',
          priority: TaskPriority.LOW,
          fn: async (ctx) => {
            for (let step = 0; step < 10; step++) {
              await ctx.sleep(10);
              if (ctx.shouldYield()) await ctx.yield();
            }
          },
          constraints: { resources: ['memory_store', 'cache'], preemptible: true },
        })
        .result.catch(ignore);
    }
  });
}
