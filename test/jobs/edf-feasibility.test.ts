// EDF is optimal on one processor with preemption: any periodic task set with utilisation <= 1
// meets every deadline (Liu & Layland). Here the processor is one dispatcher slot and work comes
// in 1 ms units, with the preemption check at each unit boundary: preemptive EDF at 1 ms
// granularity, exact for integer periods and costs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualScheduler } from '../scheduler/helpers.js';

interface PeriodicSpec {
  periodMs: number;
  costMs: number;
}

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

function randomSet(random: () => number, overloaded: boolean): PeriodicSpec[] {
  for (;;) {
    const n = 2 + Math.floor(random() * 3);
    const set = Array.from({ length: n }, () => {
      const periodMs = [4, 5, 6, 8, 10, 12, 15, 20][Math.floor(random() * 8)]!;
      return { periodMs, costMs: 1 + Math.floor(random() * (periodMs / 2)) };
    });
    const utilisation = set.reduce((u, t) => u + t.costMs / t.periodMs, 0);
    if (overloaded ? utilisation > 1.05 : utilisation <= 1) return set;
  }
}

async function simulate(set: readonly PeriodicSpec[]): Promise<{ missed: number; completed: number }> {
  const { clock, scheduler } = manualScheduler({ policy: 'edf', maxConcurrency: 1 });
  scheduler.start();
  let waiter: (() => void) | undefined;
  const cpu = (): Promise<void> => new Promise((resolve) => {
    waiter = resolve;
  });
  const hyperperiod = set.reduce((l, t) => (l * t.periodMs) / gcd(l, t.periodMs), 1);
  const horizon = Math.min(2 * hyperperiod, 600);
  for (let t = 0; t < horizon; t++) {
    for (const task of set) {
      if (t % task.periodMs !== 0) continue;
      scheduler.submit({
        name: 'unit-work',
        constraints: { deadline: t + task.periodMs },
        fn: async (ctx) => {
          for (let unit = 0; unit < task.costMs; unit++) {
            if (ctx.shouldYield()) await ctx.yield();
            await cpu();
          }
        },
      });
    }
    await clock.flush(); // releases dispatched; preemption requested
    const running = waiter;
    waiter = undefined;
    running?.(); // the unit [t - 1, t) is done
    await clock.flush();
    await clock.advance(1);
  }
  const summary = scheduler.summary();
  return { missed: summary.deadlineMissed, completed: summary.completed };
}

test('EDF with utilisation <= 1 misses no deadline on random periodic task sets', async () => {
  const random = rng(2026);
  for (let round = 0; round < 25; round++) {
    const set = randomSet(random, false);
    const { missed, completed } = await simulate(set);
    assert.equal(missed, 0, `set ${JSON.stringify(set)}`);
    assert.ok(completed > 0);
  }
});

test('overloaded sets (utilisation > 1) do miss: the misses are reported, nothing crashes (twin)', async () => {
  const random = rng(7);
  for (let round = 0; round < 5; round++) {
    const set = randomSet(random, true);
    const { missed } = await simulate(set);
    assert.ok(missed > 0, `set ${JSON.stringify(set)}`);
  }
});
