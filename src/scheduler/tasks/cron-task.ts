/**
 * Wall-clock schedules (seed 003's future "wall-clock jobs"), with expressions parsed by croner.
 *
 * The wait for the next occurrence runs on the monotonic timeline in chunks of at most
 * `CRON_RECHECK_MS`, re-reading the wall clock on every wake: a clock set back simply waits
 * longer; a clock set forward past one or many occurrences releases ONE run and plans the next
 * occurrence from the new wall time. No catch-up burst, whatever the jump.
 */
import { Cron } from 'croner';
import { InvalidConfigError } from '../../errors.js';
import type { CronTaskConfig, TaskFunction } from '../config.js';
import type { Engine } from '../engine.js';
import { LoopTask } from '../loop-task.js';

export const CRON_RECHECK_MS = 1000;

function buildCron(config: CronTaskConfig): Cron {
  if (config.timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: config.timezone });
    } catch {
      throw new InvalidConfigError(`scheduleCron(${JSON.stringify(config.name)}): timezone: unknown time zone (got ${JSON.stringify(config.timezone)})`);
    }
  }
  try {
    return new Cron(config.cron, { paused: true, ...(config.timezone === undefined ? {} : { timezone: config.timezone }) });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new InvalidConfigError(`scheduleCron(${JSON.stringify(config.name)}): cron: invalid expression (got ${JSON.stringify(config.cron)}): ${detail}`);
  }
}

export class CronTask extends LoopTask {
  readonly kind = 'cron';
  readonly expression: string;
  readonly #cron: Cron;
  #targetWall = Number.NaN;

  constructor(engine: Engine, config: CronTaskConfig, fn: TaskFunction) {
    super(engine, config, fn);
    this.expression = config.cron;
    this.#cron = buildCron(config);
  }

  override get nextRunAt(): number | undefined {
    if (this.timerIndex < 0) return undefined;
    const { clock } = this.engine;
    return clock.now() + Math.max(0, this.#targetWall - clock.wallNow());
  }

  arm(now: number): void {
    if (!this.armable) return;
    this.#planFrom(this.engine.clock.wallNow(), now);
  }

  onTimer(now: number): void {
    const wall = this.engine.clock.wallNow();
    if (wall < this.#targetWall) {
      this.#scheduleCheck(now, wall);
      return;
    }
    // due when the wall clock reached the occurrence (a check may fire late, after a stall), but
    // not before this check was: a wall clock set forward past it jumped, it was never reached
    const scheduledAt = Math.max(this.timerAt, now - (wall - this.#targetWall));
    this.#planFrom(wall, now);
    this.release(scheduledAt);
  }

  protected rearm(now: number): void {
    this.#planFrom(this.engine.clock.wallNow(), now);
  }

  #planFrom(wall: number, now: number): void {
    const next = this.#cron.nextRun(new Date(wall));
    if (next === null) {
      this.#targetWall = Number.NaN;
      return;
    }
    this.#targetWall = next.getTime();
    this.#scheduleCheck(now, wall);
  }

  #scheduleCheck(now: number, wall: number): void {
    this.engine.timers.schedule(this, now + Math.min(Math.max(0, this.#targetWall - wall), CRON_RECHECK_MS));
  }
}
