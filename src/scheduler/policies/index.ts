/** Policy names and the factory that builds the ready queue for one. */
import type { ReadyQueue } from '../ready-queue.js';
import { createEdfQueue } from './edf.js';
import { FairReadyQueue, type FairOptions } from './fair.js';
import { createFifoQueue } from './fifo.js';
import { createPriorityQueue } from './priority.js';
import { createRealtimeQueue } from './realtime.js';

export const POLICIES = ['priority', 'edf', 'fair', 'realtime', 'fifo'] as const;
export type SchedulingPolicy = (typeof POLICIES)[number];
export type { FairOptions } from './fair.js';

export function createReadyQueue(policy: SchedulingPolicy, options: { agingStepMs: number; fair: FairOptions; now: () => number }): ReadyQueue {
  switch (policy) {
    case 'priority':
      return createPriorityQueue(options.agingStepMs);
    case 'edf':
      return createEdfQueue();
    case 'fair':
      return new FairReadyQueue(options.now, options.fair);
    case 'realtime':
      return createRealtimeQueue();
    case 'fifo':
      return createFifoQueue();
  }
}
