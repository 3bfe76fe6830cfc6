/**
 * Seed 004 in the lab rig: a small dashcam pipeline for the monitor to watch. Frames of a clip are
 * read at 5 fps; each goes through VEHICLE_DETECT, PLATE_DETECT and OCR on the GPU workers, then
 * PLATE_SMOOTH (and every tenth frame SUMMARY) on the CPU workers. Work waits in one queue per
 * category (the backlog the monitor and the HUD show); a dispatcher hands the head of a queue to
 * an idle worker of that category. Frames come only during recording sessions (session.ts), so the
 * pipeline drains and goes idle between them: seed 004's "is the entire system done?".
 */
import { TaskPriority } from '../scheduler/priority.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { WorkerHandle } from '../workers/handle.js';
import type { WorkerManager } from '../workers/manager.js';
import { inSession } from './session.js';

type Category = 'gpu' | 'cpu';
type Stage = 'VEHICLE_DETECT' | 'PLATE_DETECT' | 'OCR' | 'PLATE_SMOOTH' | 'SUMMARY';

const CATEGORY: Record<Stage, Category> = { VEHICLE_DETECT: 'gpu', PLATE_DETECT: 'gpu', OCR: 'gpu', PLATE_SMOOTH: 'cpu', SUMMARY: 'cpu' };
const COST_MS: Record<Stage, number> = { VEHICLE_DETECT: 120, PLATE_DETECT: 60, OCR: 90, PLATE_SMOOTH: 150, SUMMARY: 400 };
const NEXT: Partial<Record<Stage, Stage>> = { VEHICLE_DETECT: 'PLATE_DETECT', PLATE_DETECT: 'OCR', OCR: 'PLATE_SMOOTH' };
const FRAME_PERIOD_MS = 200;
const WORKERS_PER_CATEGORY = 2;
const STAGE_MODULE = new URL('./workers/dashcam-stage.js', import.meta.url);

interface Item {
  stage: Stage;
  frame: number;
}

/** One category's backlog, in the shape the monitor reads (`QueueSource`). */
export class CategoryQueue {
  readonly name: string;
  readonly category: Category;
  readonly #items: Item[] = [];
  #enqueued = 0;

  constructor(category: Category) {
    this.name = `dashcam.${category}`;
    this.category = category;
  }

  push(item: Item): void {
    this.#items.push(item);
    this.#enqueued++;
  }

  shift(): Item | undefined {
    return this.#items.shift();
  }

  size(): number {
    return this.#items.length;
  }

  enqueuedTotal(): number {
    return this.#enqueued;
  }
}

export interface DashcamPipeline {
  readonly queues: readonly CategoryQueue[];
  /** Frames that went through every stage. */
  readonly framesDone: () => number;
}

export function startDashcamPipeline(scheduler: Scheduler, manager: WorkerManager): DashcamPipeline {
  const queues: Record<Category, CategoryQueue> = { gpu: new CategoryQueue('gpu'), cpu: new CategoryQueue('cpu') };
  const workers: { handle: WorkerHandle; category: Category; busy: boolean }[] = [];
  for (const category of ['gpu', 'cpu'] as const) {
    for (let i = 0; i < WORKERS_PER_CATEGORY; i++) {
      const handle = manager.spawn({ name: `dashcam.${category}.${i}`, module: STAGE_MODULE, isolation: 'thread', category, timing: 'wait' });
      workers.push({ handle, category, busy: false });
    }
  }
  let framesDone = 0;

  const finished = (item: Item): void => {
    const next = NEXT[item.stage];
    if (next !== undefined) queues[CATEGORY[next]].push({ stage: next, frame: item.frame });
    if (item.stage === 'PLATE_SMOOTH') {
      framesDone++;
      if (item.frame % 10 === 9) queues.cpu.push({ stage: 'SUMMARY', frame: item.frame });
    }
  };

  let frame = 0;
  scheduler.schedulePeriodic({ name: 'dashcam.reader', periodMs: FRAME_PERIOD_MS, priority: TaskPriority.LOW }, (ctx) => {
    if (inSession(ctx.scheduledAt)) queues.gpu.push({ stage: 'VEHICLE_DETECT', frame: frame++ });
  });

  scheduler.schedulePeriodic({ name: 'dashcam.dispatch', periodMs: 20, priority: TaskPriority.NORMAL }, () => {
    for (const worker of workers) {
      if (worker.busy) continue;
      const item = queues[worker.category].shift();
      if (item === undefined) continue;
      worker.busy = true;
      worker.handle
        .request('process', { stage: item.stage, frame: item.frame, costMs: COST_MS[item.stage] })
        .then(
          () => finished(item),
          // A restarting or stopping worker loses its frame: the pipeline moves on (seed 004 drops, never blocks).
          () => undefined,
        )
        .finally(() => {
          worker.busy = false;
        });
    }
  });

  return { queues: [queues.gpu, queues.cpu], framesDone: () => framesDone };
}
