/**
 * Fixed delay (seed 003's recurring tasks): the next release is `delayMs` after the previous run
 * completes, so a run of varying length never overlaps the next.
 */
import type { RecurringTaskConfig, TaskFunction } from '../config.js';
import type { Engine } from '../engine.js';
import { LoopTask } from '../loop-task.js';

export class RecurringTask extends LoopTask {
  readonly kind = 'recurring';
  readonly delayMs: number;

  constructor(engine: Engine, config: RecurringTaskConfig, fn: TaskFunction) {
    super(engine, config, fn);
    this.delayMs = config.delayMs;
  }

  arm(now: number): void {
    if (!this.armable) return;
    this.engine.timers.schedule(this, now + ((this.config as RecurringTaskConfig).initialDelayMs ?? 0));
  }

  onTimer(): void {
    this.release(this.timerAt);
  }

  protected override afterRun(now: number): void {
    if (this.armable && this.activeRuns === 0 && this.timerIndex < 0) this.engine.timers.schedule(this, now + this.delayMs);
  }

  protected rearm(now: number): void {
    if (this.activeRuns === 0) this.engine.timers.schedule(this, now);
  }
}
