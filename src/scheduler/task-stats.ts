/**
 * Run accounting for one task (seed 000): every run's jitter (actual start - scheduled start) and
 * execution time go into percentile histograms; counters say how releases and runs ended.
 */
import { DurationHistogram, type PercentileSummary } from '../stats/histogram.js';

/** A read-only copy of a task's counters and percentiles (milliseconds). */
export interface TaskStats {
  /** Runs started. */
  runs: number;
  /** Runs that finished without error. */
  completed: number;
  /** Runs that threw or rejected (including TaskNonFatalError). */
  failed: number;
  /** Releases that did not produce a run (previous run still going, or the loop fell behind). */
  skipped: number;
  /** Releases that found the previous run of the task still queued or running. */
  overruns: number;
  /** Runs that finished (or were still running) after scheduled start + deadline. */
  deadlineMisses: number;
  /** Runs that started more than maxJitterMs after their scheduled start. */
  jitterWarnings: number;
  /** Releases in a row that overran or missed their deadline; 0 after a clean run. */
  consecutiveMisses: number;
  /** Sum of execution times. */
  totalExecMs: number;
  /** Sum of jitters (with `runs`, the mean). */
  totalJitterMs: number;
  jitterMs: PercentileSummary;
  execMs: PercentileSummary;
}

/**
 * The counters of one task and its two histograms. Nothing here is touched per run by the engine's
 * loop tasks except through the histogram ids (at 10,000 tasks every object a release touches is
 * a cache miss): `runs` and `completed` are read off the histograms' counts, since every start
 * records a jitter and every finish an execution time; the rest change only on rarer events.
 */
export class TaskStatsRecorder {
  failed = 0;
  skipped = 0;
  overruns = 0;
  deadlineMisses = 0;
  jitterWarnings = 0;
  consecutiveMisses = 0;
  readonly jitter: DurationHistogram;
  readonly exec: DurationHistogram;
  #final: TaskStats | undefined;

  constructor() {
    // a pair: a release records both, and their scalars share one cache line
    [this.jitter, this.exec] = DurationHistogram.pair();
  }

  /** Runs started (each recorded its jitter). */
  get runs(): number {
    return this.#final?.runs ?? this.jitter.count;
  }

  /** Runs that finished without error (each finish recorded its execution time). */
  get completed(): number {
    return this.#final?.completed ?? this.exec.count - this.failed;
  }

  /**
   * The task is gone for good and nothing will be recorded any more: keep the figures as they are
   * and give both histograms back to the arena at once (reliability plan G2: a loop that registers
   * and cancels tasks would otherwise grow the arena by 4 KB per task until a full GC).
   */
  retire(): void {
    if (this.#final !== undefined) return;
    this.#final = this.snapshot();
    this.jitter.release();
    this.exec.release();
  }

  snapshot(): TaskStats {
    const final = this.#final;
    if (final !== undefined) return { ...final, jitterMs: { ...final.jitterMs }, execMs: { ...final.execMs } };
    return {
      runs: this.runs,
      completed: this.completed,
      failed: this.failed,
      skipped: this.skipped,
      overruns: this.overruns,
      deadlineMisses: this.deadlineMisses,
      jitterWarnings: this.jitterWarnings,
      consecutiveMisses: this.consecutiveMisses,
      totalExecMs: this.exec.sumMs,
      totalJitterMs: this.jitter.sumMs,
      jitterMs: this.jitter.summary(),
      execMs: this.exec.summary(),
    };
  }
}
