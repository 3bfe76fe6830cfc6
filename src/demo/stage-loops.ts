/**
 * Seed 000 in the lab rig: the coordinator's device loops. A motion stage sampled at 50 Hz and a
 * piezo controller at 100 Hz, each with a deadline and a jitter budget. Every 30 s the piezo
 * driver has a slow patch (its I/O takes longer than the deadline); the overruns raise
 * backpressure, and the owning service answers the way seed 000 suggests: it halves the loop's
 * rate for a while, then restores it.
 */
import { TaskPriority } from '../scheduler/priority.js';
import type { Scheduler } from '../scheduler/scheduler.js';

const PIEZO_PERIOD_MS = 10;
const SLOW_PATCH_EVERY_MS = 30_000;
const SLOW_PATCH_MS = 1_000;
const RECOVER_AFTER_MS = 5_000;

export function registerStageLoops(scheduler: Scheduler): void {
  let position = 0;
  let velocity = 0.4;
  scheduler.schedulePeriodic(
    { name: 'stage.position', periodMs: 20, deadlineMs: 15, maxJitterMs: 2, priority: TaskPriority.REALTIME },
    () => {
      position += velocity;
      if (position > 100 || position < 0) velocity = -velocity;
    },
  );

  // When the piezo driver falls behind, run it at half rate for a while (seed 000's downsampling).
  let restoreAt: number | undefined;
  const piezo = scheduler.schedulePeriodic(
    {
      name: 'piezo.control',
      periodMs: PIEZO_PERIOD_MS,
      deadlineMs: 8,
      maxJitterMs: 2,
      priority: TaskPriority.CRITICAL,
      backpressureAfter: 5,
      onBackpressure: (info) => {
        if (restoreAt !== undefined) return;
        restoreAt = info.at + RECOVER_AFTER_MS;
        piezo.setPeriod(PIEZO_PERIOD_MS * 2);
      },
    },
    async (ctx) => {
      if (restoreAt !== undefined && ctx.scheduledAt >= restoreAt) {
        restoreAt = undefined;
        piezo.setPeriod(PIEZO_PERIOD_MS);
      }
      const slowPatch = ctx.scheduledAt > SLOW_PATCH_EVERY_MS && ctx.scheduledAt % SLOW_PATCH_EVERY_MS < SLOW_PATCH_MS;
      await ctx.sleep(slowPatch ? 12 : 1);
    },
  );
}
