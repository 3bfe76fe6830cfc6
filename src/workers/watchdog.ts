/**
 * Missed-heartbeat accounting for one worker generation (reliability plan A3, B4, B5, D3).
 *
 * The supervisor ticks the watchdog `TICKS_PER_BEAT` times per heartbeat period with the worker's
 * latest progress counter (read from shared memory for a thread, from the last heartbeat message
 * for a process). A counter that moved is a beat, seen at the tick's time on the PARENT's clock;
 * a counter that stood still adds the time since the previous tick to the worker's silence.
 *
 * The watchdog runs on the parent's event loop, which can itself be blocked. Its own lateness must
 * not count against the worker: a tick never adds more than `MAX_CREDIT_TICKS` tick periods of
 * silence, however late it fires. After a 1 s block the worker is charged at most two ticks, and
 * the heartbeats it sent meanwhile (queued messages, or a counter that moved) are seen on the very
 * next tick. A real hang is still caught: a silent worker is charged a tick per on-time tick.
 */
export interface WatchdogOptions {
  heartbeatMs: number;
  /** Missed beats before the worker is suspect. */
  suspectAfterBeats: number;
  /** Missed beats before the worker is killed. */
  killAfterBeats: number;
}

export type WatchdogVerdict = 'alive' | 'silent' | 'suspect' | 'recovered' | 'kill';

export const TICKS_PER_BEAT = 10;
export const MAX_CREDIT_TICKS = 2;

export class Watchdog {
  readonly tickMs: number;
  readonly #options: WatchdogOptions;
  readonly #maxCreditMs: number;
  #lastTickAt: number;
  #lastProgress: number | undefined;
  #lastBeatAt: number | undefined;
  #silentMs = 0;
  #suspect = false;

  /** Start watching at parent time `now`, with the worker's progress counter as it reads now. */
  constructor(options: WatchdogOptions, now: number, progress: number | undefined) {
    this.#options = options;
    this.tickMs = options.heartbeatMs / TICKS_PER_BEAT;
    this.#maxCreditMs = this.tickMs * MAX_CREDIT_TICKS;
    this.#lastTickAt = now;
    this.#lastProgress = progress;
  }

  /** Parent-clock time the counter was last seen to move, or undefined before the first beat. */
  get lastBeatAt(): number | undefined {
    return this.#lastBeatAt;
  }

  /** Whole heartbeat periods of silence charged to the worker. */
  get missedBeats(): number {
    return Math.floor(this.#silentMs / this.#options.heartbeatMs);
  }

  get suspect(): boolean {
    return this.#suspect;
  }

  /** One watchdog tick at parent time `now` with the worker's progress counter (undefined: none yet). */
  tick(now: number, progress: number | undefined): WatchdogVerdict {
    const gap = now - this.#lastTickAt;
    this.#lastTickAt = now;
    if (progress !== undefined && progress !== this.#lastProgress) {
      this.#lastProgress = progress;
      this.#lastBeatAt = now;
      this.#silentMs = 0;
      if (!this.#suspect) return 'alive';
      this.#suspect = false;
      return 'recovered';
    }
    this.#silentMs += Math.min(Math.max(gap, 0), this.#maxCreditMs);
    const missed = this.missedBeats;
    if (missed >= this.#options.killAfterBeats) return 'kill';
    if (missed >= this.#options.suspectAfterBeats && !this.#suspect) {
      this.#suspect = true;
      return 'suspect';
    }
    return 'silent';
  }
}
