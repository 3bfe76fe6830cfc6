/**
 * One loop of a worker: its release grid and its run accounting, the same as the engine's periodic
 * tasks (src/scheduler/tasks/periodic-task.ts, loop-task.ts) so a loop's stats read the same
 * whether it runs in-process or isolated.
 *
 * Release k is due at t0 + k * periodMs, on the engine's own grid rule (release-grid.ts): a run
 * that starts late by less than two periods is followed by the next release on the grid; one late
 * by two periods or more runs once with its true jitter and the slots in between are skipped. A synchronous body blocks its
 * thread, so the releases it covers are simply late; an asynchronous body leaves the thread free,
 * so each release that comes due while it is pending is an overrun and skipped (the engine's
 * `overrun: 'skip'`). Deadline = scheduled start + deadlineMs (default periodMs); misses and
 * overruns in a row raise backpressure once after three. Allocation-free.
 */
import { TaskStatsRecorder } from '../../scheduler/task-stats.js';
import { DEFAULT_BACKPRESSURE_AFTER } from '../../scheduler/loop-task.js';
import { nextReleaseIndex } from '../../scheduler/release-grid.js';
import type { LoopDefinition } from './define-worker.js';

export class LoopSlot {
  readonly name: string;
  readonly maxJitterMs: number | undefined;
  readonly stats = new TaskStatsRecorder();
  readonly body: LoopDefinition['run'];
  readonly #deadlineMs: number | undefined;
  periodMs: number;
  /** Due time of the next release. */
  nextAt = Number.POSITIVE_INFINITY;
  /** Due and start time of the current (or last) run. */
  scheduledAt = Number.NaN;
  startedAt = Number.NaN;
  /** Backpressure signals raised so far. */
  backpressures = 0;
  /** Message of the last error a run threw. */
  lastError: string | null = null;
  #t0 = 0;
  #index = 0;
  #backpressureRaised = false;

  constructor(definition: LoopDefinition<never, never>) {
    this.name = definition.name;
    this.periodMs = definition.periodMs;
    this.#deadlineMs = definition.deadlineMs;
    this.maxJitterMs = definition.maxJitterMs;
    this.body = definition.run as LoopDefinition['run'];
  }

  get deadlineMs(): number {
    return this.#deadlineMs ?? this.periodMs;
  }

  /** Release 0 at `now`. */
  anchor(now: number): void {
    this.#t0 = now;
    this.#index = 0;
    this.nextAt = now;
  }

  /** A run of the release due at `nextAt` starts at `now`. */
  begin(now: number): void {
    const releaseAt = this.nextAt;
    const period = this.periodMs;
    const next = nextReleaseIndex(this.#t0, period, this.#index, releaseAt, now);
    this.stats.skipped += next - this.#index - 1;
    this.#index = next;
    this.nextAt = this.#t0 + next * period;
    this.scheduledAt = releaseAt;
    this.startedAt = now;
    const stats = this.stats;
    const jitterMs = now - releaseAt;
    stats.jitter.record(jitterMs); // counts the run as started
    if (this.maxJitterMs !== undefined && jitterMs > this.maxJitterMs) stats.jitterWarnings++;
  }

  /** The run ended at `now`; `settledLater` when its body returned a promise. */
  end(now: number, error: unknown, failed: boolean, settledLater: boolean): void {
    const stats = this.stats;
    const execMs = now - this.startedAt;
    stats.exec.record(execMs); // counts the run as completed, unless failed below
    if (failed) {
      stats.failed++;
      this.lastError = error instanceof Error ? error.message : String(error);
    }
    let overran = false;
    if (settledLater && this.nextAt <= now) {
      const passed = Math.floor((now - this.#t0) / this.periodMs) - this.#index + 1;
      stats.overruns += passed;
      stats.skipped += passed;
      this.#index += passed;
      this.nextAt = this.#t0 + this.#index * this.periodMs;
      this.#badReleases(passed);
      overran = true;
    }
    if (now > this.scheduledAt + this.deadlineMs) {
      stats.deadlineMisses++;
      this.#badReleases(1);
    } else if (!overran) {
      stats.consecutiveMisses = 0;
      this.#backpressureRaised = false;
    }
  }

  /** Change the period from the next release on: it comes `periodMs` after the last one (engine semantics). */
  setPeriod(periodMs: number, now: number): void {
    if (this.#index === 0) {
      this.periodMs = periodMs;
      this.nextAt = this.#t0;
      return;
    }
    const lastRelease = this.#t0 + (this.#index - 1) * this.periodMs;
    this.periodMs = periodMs;
    this.#t0 = lastRelease;
    this.#index = Math.max(1, Math.ceil((now - lastRelease) / periodMs));
    this.nextAt = lastRelease + this.#index * periodMs;
  }

  #badReleases(count: number): void {
    const consecutive = (this.stats.consecutiveMisses += count);
    if (consecutive < DEFAULT_BACKPRESSURE_AFTER || this.#backpressureRaised) return;
    this.#backpressureRaised = true;
    this.backpressures++;
  }
}
