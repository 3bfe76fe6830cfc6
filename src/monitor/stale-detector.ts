/**
 * Stale workers (seed 004, reliability plan F1): a worker that should be beating (starting,
 * running or suspect) whose last heartbeat is older than `staleAfterMs` becomes stale ONCE; it
 * clears only after `clearAfterBeats` samples in a row each saw a new, fresh beat (hysteresis, so
 * a worker hovering at the threshold does not flap). Silence is measured without the monitor's
 * own blind spots (F3), and only from when the monitor began watching the worker's current
 * generation. A new generation (the supervisor restarted it), leaving the watched states or
 * leaving the list clears the mark too. Pure logic: time comes in as `now`.
 */
import type { BlindSpots } from './blind-spots.js';
import type { WorkerSnapshot, WorkerState } from './sources.js';

const WATCHED: ReadonlySet<WorkerState> = new Set<WorkerState>(['starting', 'running', 'suspect']);

export type StaleReason = 'silent' | 'beats-resumed' | 'restarted' | 'not-running' | 'gone';

export interface StaleChange {
  kind: 'stale' | 'stale-cleared';
  worker: string;
  generation: number;
  /** Time since the last beat (or since the worker was first watched, if it never beat). */
  heartbeatAgeMs: number;
  /** The same without the monitor's blind spots: what the decision was made on. */
  silentMs: number;
  reason: StaleReason;
}

interface Track {
  generation: number;
  stale: boolean;
  watchedSince: number | undefined;
  lastBeatAt: number | null;
  freshBeats: number;
  pass: number;
}

export class StaleDetector {
  readonly #staleAfterMs: number;
  readonly #clearAfterBeats: number;
  readonly #blind: BlindSpots;
  readonly #tracks = new Map<string, Track>();
  #pass = 0;

  constructor(staleAfterMs: number, clearAfterBeats: number, blind: BlindSpots) {
    this.#staleAfterMs = staleAfterMs;
    this.#clearAfterBeats = clearAfterBeats;
    this.#blind = blind;
  }

  isStale(name: string): boolean {
    return this.#tracks.get(name)?.stale === true;
  }

  /** Names of stale workers, in the order they were first seen. */
  staleNames(): string[] {
    const names: string[] = [];
    for (const [name, track] of this.#tracks) if (track.stale) names.push(name);
    return names;
  }

  /** Judge one sample of every worker; returns the marks raised and cleared. */
  evaluate(workers: readonly WorkerSnapshot[], now: number): StaleChange[] {
    const changes: StaleChange[] = [];
    const pass = ++this.#pass;
    for (const worker of workers) {
      let track = this.#tracks.get(worker.name);
      if (track === undefined) {
        track = { generation: worker.generation, stale: false, watchedSince: undefined, lastBeatAt: null, freshBeats: 0, pass };
        this.#tracks.set(worker.name, track);
      }
      track.pass = pass;
      if (worker.generation !== track.generation) {
        this.#clear(track, worker, 0, 0, 'restarted', changes);
        track.generation = worker.generation;
        track.watchedSince = undefined;
        track.lastBeatAt = null;
      }
      if (!WATCHED.has(worker.state)) {
        this.#clear(track, worker, 0, 0, 'not-running', changes);
        track.watchedSince = undefined;
        continue;
      }
      track.watchedSince ??= now;
      this.#judge(track, worker, now, changes);
    }
    for (const [name, track] of this.#tracks) {
      if (track.pass === pass) continue;
      if (track.stale) changes.push({ kind: 'stale-cleared', worker: name, generation: track.generation, heartbeatAgeMs: 0, silentMs: 0, reason: 'gone' });
      this.#tracks.delete(name);
    }
    return changes;
  }

  #judge(track: Track, worker: WorkerSnapshot, now: number, changes: StaleChange[]): void {
    const beatAt = worker.lastHeartbeatAt ?? (worker.heartbeatAgeMs === null ? null : now - worker.heartbeatAgeMs);
    // Silence only counts from when the monitor began watching this generation: a new generation
    // may still show its predecessor's last beat, and a monitor cannot vouch for what it did not see.
    const watchedMs = now - track.watchedSince!;
    const reportedMs = worker.heartbeatAgeMs ?? (beatAt === null ? watchedMs : now - beatAt);
    const ageMs = Math.min(reportedMs, watchedMs);
    const silentMs = ageMs - this.#blind.within(now - ageMs, now);
    const newBeat = beatAt !== null && (track.lastBeatAt === null || beatAt > track.lastBeatAt);
    track.lastBeatAt = beatAt;
    if (!track.stale) {
      if (silentMs > this.#staleAfterMs) {
        track.stale = true;
        track.freshBeats = 0;
        changes.push({ kind: 'stale', worker: worker.name, generation: worker.generation, heartbeatAgeMs: ageMs, silentMs, reason: 'silent' });
      }
      return;
    }
    track.freshBeats = newBeat && silentMs <= this.#staleAfterMs ? track.freshBeats + 1 : 0;
    if (track.freshBeats >= this.#clearAfterBeats) this.#clear(track, worker, ageMs, silentMs, 'beats-resumed', changes);
  }

  #clear(track: Track, worker: WorkerSnapshot, ageMs: number, silentMs: number, reason: StaleReason, changes: StaleChange[]): void {
    if (!track.stale) return;
    track.stale = false;
    track.freshBeats = 0;
    changes.push({ kind: 'stale-cleared', worker: worker.name, generation: track.generation, heartbeatAgeMs: ageMs, silentMs, reason });
  }
}
