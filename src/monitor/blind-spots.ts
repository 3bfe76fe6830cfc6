/**
 * The monitor's own lag (reliability plan F3). When a tick comes late, the event loop the monitor
 * runs on was blocked, and so, usually, was the code that records heartbeats: their messages sit
 * queued until the loop is free, and the first tick after the block would see every worker as
 * silent. So a late tick records its whole gap as a blind spot, and heartbeat ages are judged
 * without the time that fell in blind spots: a worker is stale only if it has been silent for
 * `staleAfterMs` of time the monitor could actually see. A worker that is really dead is still
 * flagged, at most one blind spot later.
 */

const CAPACITY = 64;

export class BlindSpots {
  /** Pairs of [start, end] in monotonic ms, in a ring; oldest overwritten first. */
  readonly #spans = new Float64Array(CAPACITY * 2);
  #count = 0;
  #next = 0;
  #totalMs = 0;

  /** Blind time recorded so far (ms). */
  get totalMs(): number {
    return this.#totalMs;
  }

  record(startAt: number, endAt: number): void {
    if (!(endAt > startAt)) return;
    this.#spans[this.#next * 2] = startAt;
    this.#spans[this.#next * 2 + 1] = endAt;
    this.#next = (this.#next + 1) % CAPACITY;
    this.#count = Math.min(this.#count + 1, CAPACITY);
    this.#totalMs += endAt - startAt;
  }

  /** Blind time (ms) within (sinceAt, untilAt]. */
  within(sinceAt: number, untilAt: number): number {
    let blind = 0;
    for (let i = 0; i < this.#count; i++) {
      const start = Math.max(this.#spans[i * 2]!, sinceAt);
      const end = Math.min(this.#spans[i * 2 + 1]!, untilAt);
      if (end > start) blind += end - start;
    }
    return blind;
  }

  clear(): void {
    this.#count = 0;
    this.#next = 0;
  }
}
