/**
 * Fixed rate (seed 000's device loops): release k is due at `t0 + k * periodMs`, computed from the
 * anchor, never as `now + period`, so lateness never accumulates into drift. Falling behind is
 * handled by the shared grid rule (`release-grid.ts`): a late release runs with its true jitter,
 * and when it was two or more periods late the slots in between are counted as skipped.
 */
import { InvalidConfigError } from '../../errors.js';
import { MAX_DELAY_MS, type RealtimeTaskConfig, type TaskFunction } from '../config.js';
import type { Engine } from '../engine.js';
import { LoopTask } from '../loop-task.js';
import { nextReleaseIndex } from '../release-grid.js';

export class PeriodicTask extends LoopTask {
  readonly kind = 'periodic';
  readonly isolated: boolean;
  readonly #deadlineExplicit: number | undefined;
  #periodMs: number;
  #t0 = 0;
  #index = 0;
  /** resume() or setPeriod() moved `#index` from `#movedFrom` to `#movedTo`, past slots never released. */
  #movedFrom = 0;
  #movedTo = -1;

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
    const next = nextReleaseIndex(this.#t0, this.#periodMs, this.#index, releaseAt, now);
    if (next > this.#index + 1) this.stats.skipped += next - this.#index - 1;
    this.#index = next;
    this.engine.timers.schedule(this, this.#t0 + next * this.#periodMs);
    this.release(releaseAt);
  }

  protected rearm(now: number): void {
    this.#moveIndex(Math.max(this.#index, Math.ceil((now - this.#t0) / this.#periodMs)));
    this.engine.timers.schedule(this, this.#t0 + this.#index * this.#periodMs);
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
    // the last release becomes release 0 of the new grid; with none yet, release 0 is still ahead
    const released = this.#released;
    if (released > 0) this.#t0 += (released - 1) * this.#periodMs;
    this.#periodMs = periodMs;
    this.#index = Math.min(released, 1);
    this.#movedTo = -1;
    if (this.timerIndex < 0) return; // paused or not started: resume/arm places the next release
    this.#moveIndex(Math.max(this.#index, Math.ceil((this.engine.clock.now() - this.#t0) / periodMs)));
    this.engine.timers.schedule(this, this.#t0 + this.#index * periodMs);
  }

  /** Releases since the anchor (skipped ones included): `#index`, unless it was moved since the last. */
  get #released(): number {
    return this.#index === this.#movedTo ? this.#movedFrom : this.#index;
  }

  /** Make `index` the next release without releasing the slots before it. */
  #moveIndex(index: number): void {
    this.#movedFrom = this.#released;
    this.#movedTo = index;
    this.#index = index;
  }
}
