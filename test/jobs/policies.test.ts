import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SchedulingPolicy } from '../../src/scheduler/policies/index.js';
import { TaskPriority } from '../../src/scheduler/priority.js';
import { manualScheduler } from '../scheduler/helpers.js';

interface JobCase {
  name: string;
  priority: number;
  deadline?: number;
}

/** Submit every case while the single slot is held, then return the order they ran in. */
async function runOrder(policy: SchedulingPolicy, cases: readonly JobCase[], options: { agingStepMs?: number } = {}): Promise<string[]> {
  const { clock, scheduler } = manualScheduler({ policy, maxConcurrency: 1, ...options });
  scheduler.start();
  const order: string[] = [];
  scheduler.submit({ name: 'gate', fn: (ctx) => ctx.sleep(1), priority: TaskPriority.REALTIME, constraints: { preemptible: false } });
  await clock.flush();
  for (const c of cases) {
    scheduler.submit({
      name: c.name,
      priority: c.priority,
      fn: (ctx) => {
        order.push(c.name);
        return ctx.sleep(1);
      },
      ...(c.deadline === undefined ? {} : { constraints: { deadline: c.deadline } }),
    });
  }
  await clock.advance(cases.length + 5);
  return order;
}

const CASES: JobCase[] = [
  { name: 'n-late', priority: TaskPriority.NORMAL, deadline: 500 },
  { name: 'h-none', priority: TaskPriority.HIGH },
  { name: 'l-soon', priority: TaskPriority.LOW, deadline: 20 },
  { name: 'h-mid', priority: TaskPriority.HIGH, deadline: 100 },
  { name: 'r-none', priority: TaskPriority.REALTIME },
  { name: 'n-none', priority: TaskPriority.NORMAL },
];

test('priority: most urgent class first, FIFO within a class', async () => {
  assert.deepEqual(await runOrder('priority', CASES), ['r-none', 'h-none', 'h-mid', 'n-late', 'n-none', 'l-soon']);
});

test('edf: earliest deadline first, then jobs without deadline by priority', async () => {
  assert.deepEqual(await runOrder('edf', CASES), ['l-soon', 'h-mid', 'n-late', 'r-none', 'h-none', 'n-none']);
});

test('realtime: fixed priority, EDF within a class', async () => {
  assert.deepEqual(await runOrder('realtime', CASES), ['r-none', 'h-mid', 'h-none', 'n-late', 'n-none', 'l-soon']);
});

test('fifo: submission order, whatever the priority', async () => {
  assert.deepEqual(await runOrder('fifo', CASES), CASES.map((c) => c.name));
});

test('fair: all at level 0 behave like priority order until someone uses a quantum', async () => {
  assert.deepEqual(await runOrder('fair', CASES), ['r-none', 'h-none', 'h-mid', 'n-late', 'n-none', 'l-soon']);
});

/** A small reference model: repeatedly pick the minimum by the policy's rule. */
function referenceOrder(policy: SchedulingPolicy, cases: readonly JobCase[]): string[] {
  const key = (c: JobCase, i: number): number[] => {
    const d = c.deadline ?? Number.POSITIVE_INFINITY;
    switch (policy) {
      case 'edf':
        return [d, c.priority, i];
      case 'realtime':
        return [c.priority, d, i];
      case 'fifo':
        return [i];
      default:
        return [c.priority, i];
    }
  };
  const indexed = cases.map((c, i) => ({ c, k: key(c, i) }));
  indexed.sort((a, b) => {
    for (let j = 0; j < a.k.length; j++) if (a.k[j] !== b.k[j]) return a.k[j]! < b.k[j]! ? -1 : 1;
    return 0;
  });
  return indexed.map((x) => x.c.name);
}

test('every policy matches the reference model on random task sets', async () => {
  let seed = 12345;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (const policy of ['priority', 'edf', 'realtime', 'fifo', 'fair'] as const) {
    for (let round = 0; round < 15; round++) {
      const cases: JobCase[] = Array.from({ length: 12 }, (_, i) => {
        const c: JobCase = { name: `j${i}`, priority: Math.floor(random() * 7) };
        if (random() < 0.6) c.deadline = 10 + Math.floor(random() * 200);
        return c;
      });
      // aging off for the priority policy so the model is exact (everything is released together anyway)
      assert.deepEqual(await runOrder(policy, cases, { agingStepMs: Number.POSITIVE_INFINITY }), referenceOrder(policy, cases), `${policy} round ${round}`);
    }
  }
});

test('fair: a job that uses its whole quantum drops a level and lets others go first; the boost lifts it back', async () => {
  const { clock, scheduler } = manualScheduler({ policy: 'fair', maxConcurrency: 1, fair: { quantumMs: 10, levels: 3, boostIntervalMs: 1000 } });
  scheduler.start();
  const order: string[] = [];
  scheduler.submit({
    name: 'hog',
    priority: TaskPriority.REALTIME,
    fn: async (ctx) => {
      for (let i = 0; i < 3; i++) {
        order.push(`hog${i}`);
        await ctx.sleep(10); // uses the whole quantum
        if (ctx.shouldYield()) await ctx.yield();
      }
    },
  });
  await clock.flush();
  scheduler.submit({ name: 'small', priority: TaskPriority.LOW, fn: async (ctx) => { order.push('small'); await ctx.sleep(1); } });
  await clock.advance(50);
  assert.deepEqual(order, ['hog0', 'small', 'hog1', 'hog2']);
});
