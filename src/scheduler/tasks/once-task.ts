/**
 * One-shot (seed 003): runs once after `delayMs` (counted from the scheduler's start, or from
 * registration once started), or at a wall-clock `at`, converted to the monotonic timeline when
 * armed; then it retires and its name is free again.
 */
import type { OnceTaskConfig, TaskFunction } from '../config.js';
import type { Engine } from '../engine.js';
import { LoopTask } from '../loop-task.js';

export class OnceTask extends LoopTask {
  readonly kind = 'once';
  #dueAt: number | undefined;

  constructor(engine: Engine, config: OnceTaskConfig, fn: TaskFunction) {
    super(engine, config, fn);
  }

  arm(now: number): void {
    if (!this.armable) return;
    const config = this.config as OnceTaskConfig;
    if ('delayMs' in config) {
      this.#dueAt = now + config.delayMs;
    } else {
      const wallAt = config.at instanceof Date ? config.at.getTime() : config.at;
      this.#dueAt = now + Math.max(0, wallAt - this.engine.clock.wallNow());
    }
    this.engine.timers.schedule(this, this.#dueAt);
  }

  onTimer(): void {
    this.release(this.timerAt);
  }

  protected override afterRun(): void {
    this.complete();
  }

  protected rearm(now: number): void {
    this.engine.timers.schedule(this, Math.max(now, this.#dueAt ?? now));
  }
}
