/**
 * The monitor's timeline (seed 004's "event timelines"): the last N notable events in a ring,
 * oldest overwritten first, queryable by time and kind. Entries are frozen and JSON-safe, so the
 * HTTP routes and the dashboard can hand them out as they are. `seq` numbers entries in order, so
 * a poller can ask for what it has not seen even when several entries share a timestamp.
 */
import type { JsonObject } from './detail.js';

export type TimelineKind =
  | 'worker-state'
  | 'worker-suspect'
  | 'worker-restart'
  | 'worker-degraded'
  | 'worker-safety'
  | 'worker-exit'
  | 'deadline-miss'
  | 'backpressure'
  | 'safety-override'
  | 'task-error'
  | 'latency-alert'
  | 'stale'
  | 'stale-cleared'
  | 'idle'
  | 'busy'
  | 'flag'
  | 'monitor-lag'
  | 'source-error';

export interface TimelineEntry {
  /** 1, 2, 3...: order of recording. */
  readonly seq: number;
  /** Monotonic ms on the monitor's clock. */
  readonly at: number;
  /** Wall-clock epoch ms. */
  readonly wallAt: number;
  readonly kind: TimelineKind;
  /** The task, worker or queue concerned, when there is one. */
  readonly name?: string;
  readonly detail: Readonly<JsonObject>;
}

export interface TimelineQuery {
  /** Only entries with `at >= sinceMs` (monotonic ms, as in `entry.at`). */
  sinceMs?: number;
  /** Only entries with `seq > afterSeq`. */
  afterSeq?: number;
  /** Only these kinds. */
  kinds?: readonly string[];
  /** At most this many, the most recent (default: all that match). */
  limit?: number;
}

export class Timeline {
  readonly capacity: number;
  readonly #ring: (TimelineEntry | undefined)[];
  #seq = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#ring = new Array<TimelineEntry | undefined>(capacity).fill(undefined);
  }

  /** Entries recorded so far (including those overwritten). */
  get recorded(): number {
    return this.#seq;
  }

  push(at: number, wallAt: number, kind: TimelineKind, name: string | undefined, detail: JsonObject): TimelineEntry {
    const seq = ++this.#seq;
    const entry: TimelineEntry = Object.freeze({ seq, at, wallAt, kind, ...(name === undefined ? {} : { name }), detail: Object.freeze(detail) });
    this.#ring[(seq - 1) % this.capacity] = entry;
    return entry;
  }

  /** Matching entries, oldest first. */
  query(query: TimelineQuery = {}): TimelineEntry[] {
    const kinds = query.kinds === undefined ? undefined : new Set(query.kinds);
    const matches: TimelineEntry[] = [];
    const first = Math.max(1, this.#seq - this.capacity + 1, (query.afterSeq ?? 0) + 1);
    for (let seq = first; seq <= this.#seq; seq++) {
      const entry = this.#ring[(seq - 1) % this.capacity]!;
      if (query.sinceMs !== undefined && entry.at < query.sinceMs) continue;
      if (kinds !== undefined && !kinds.has(entry.kind)) continue;
      matches.push(entry);
    }
    return query.limit === undefined || matches.length <= query.limit ? matches : matches.slice(matches.length - query.limit);
  }
}
