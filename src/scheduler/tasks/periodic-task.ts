/**
 * Fixed rate (seed 000's device loops): release k is due at `t0 + k * periodMs`, computed from the
 * anchor, never as `now + period`, so lateness never accumulates into drift.
 *
 * Falling behind: a release that is late by less than two periods is followed by the next one on
 * the grid (already due, it fires on the next turn), so a coarse timer's sub-period lateness costs
 * no runs. A release late by two periods or more (the event loop was blocked, the process was
 * suspended) runs once with its true jitter and the slots in between are counted as skipped: at
 * most one run per task on resume, never a catch-up burst.
 */
import { InvalidConfigError } from '../../errors.js';
import { MAX_DELAY_MS, type RealtimeTaskConfig, type TaskFunction } from '../config.js';
import type { Engine } from '../engine.js';
import { LoopTask } from '../loop-task.js';

/** Lateness, in periods, from which skipped slots are coalesced instead of caught up. */
export const COALESCE_AFTER_PERIODS = 2;

export class PeriodicTask extends LoopTask {
  readonly kind = 'periodic';
  readonly isolated: boolean;
  readonly #deadlineExplicit: number | undefined;
  #periodMs: number;
  #t0 = 0;
  #index = 0;

  constructor(engine: Engine, config: RealtimeTaskConfig, fn: TaskFunction) {
    super(engine, config, fn);
    this.#periodMs = config.periodMs;
    this.#deadlineExplicit = config.deadlineMs;
    this.isolated = config.isolated ?? false;
  }

  override get periodMs(): number {
    return this.#periodMs;
  }

  override get deadlineMs(): number {
    return this.#deadlineExplicit ?? this.#periodMs;
  }

  arm(now: number): void {
    if (!this.armable) return;
    this.#t0 = now + ((this.config as RealtimeTaskConfig).initialDelayMs ?? 0);
    this.#index = 0;
    this.engine.timers.schedule(this, this.#t0);
  }

  onTimer(now: number): void {
    const releaseAt = this.timerAt;
    const period = this.#periodMs;
    let next = this.#index + 1;
    if (now - releaseAt >= COALESCE_AFTER_PERIODS * period) {
      const latestDue = Math.floor((now - this.#t0) / period);
      next = latestDue + 1;
      this.stats.skipped += latestDue - this.#index;
    }
    this.#index = next;
    this.engine.timers.schedule(this, this.#t0 + next * period);
    this.release(releaseAt);
  }

  protected rearm(now: number): void {
    const index = Math.max(this.#index, Math.ceil((now - this.#t0) / this.#periodMs));
    this.#index = index;
    this.engine.timers.schedule(this, this.#t0 + index * this.#periodMs);
  }

  /** Change the period from the next release on: it comes `periodMs` after the last one. */
  setPeriod(periodMs: number): void {
    if (typeof periodMs !== 'number' || !Number.isFinite(periodMs) || periodMs <= 0 || periodMs > MAX_DELAY_MS) {
      throw new InvalidConfigError(`setPeriod(${JSON.stringify(this.name)}): periodMs must be a finite number in (0, ${MAX_DELAY_MS}] (got ${String(periodMs)})`);
    }
    if (this.#deadlineExplicit !== undefined && this.#deadlineExplicit > periodMs) {
      throw new InvalidConfigError(`setPeriod(${JSON.stringify(this.name)}): periodMs ${periodMs} is below the task's deadlineMs ${this.#deadlineExplicit}`);
    }
    const maxJitterMs = this.config.maxJitterMs;
    if (maxJitterMs !== undefined && maxJitterMs > periodMs) {
      throw new InvalidConfigError(`setPeriod(${JSON.stringify(this.name)}): periodMs ${periodMs} is below the task's maxJitterMs ${maxJitterMs}`);
    }
    if (this.#index === 0) {
      this.#periodMs = periodMs; // release 0 is still ahead: the grid starts there
      return;
    }
    const lastRelease = this.#t0 + (this.#index - 1) * this.#periodMs;
    this.#periodMs = periodMs;
    this.#t0 = lastRelease;
    this.#index = 1;
    if (this.timerIndex < 0) return; // paused or not started: resume/arm places the next release
    this.#index = Math.max(1, Math.ceil((this.engine.clock.now() - lastRelease) / periodMs));
    this.engine.timers.schedule(this, lastRelease + this.#index * periodMs);
  }
}
