/**
 * The telemetry fan-out (seeds 000 and 002): one timer, ticking only while someone subscribes.
 * Clients are grouped by topic and by rate (a rate is a whole number of ticks); on each tick a due
 * group's message is built and serialised ONCE and the same bytes are queued on every socket of
 * the group, so 50 clients cost one `describe()`, one `JSON.stringify` and one UTF-8 encoding per
 * tick, not 50. Each client's socket is corked for the tick, so all its frames of the tick go out
 * in one write.
 * Sources are read at most once per tick. Sends never wait (see `TelemetryClient`).
 */
import type { SchedulerDescription } from '../../scheduler/describe.js';
import type { BridgeSource, MonitorSource, SchedulerSource, WorkersSource } from '../sources.js';
import { TelemetryClient, type CorkableTransport, type TelemetrySocket } from './client.js';
import { DataFeed } from './data-feed.js';
import { EventFeed, MONITOR_EVENT_KINDS, SCHEDULER_EVENT_KINDS, WORKER_EVENT_KINDS, type EventFeedSource } from './event-feed.js';
import {
  CONTROL_TOPIC,
  DEFAULT_DATA_RATE_HZ,
  DEFAULT_RATE_HZ,
  EVENTS_TOPIC,
  MAX_SUBSCRIPTIONS,
  clientMessageSchema,
  divisorFor,
  isSnapshotTopic,
  rateOf,
  wireReplacer,
} from './protocol.js';
import { TaskDeltaTracker } from './task-deltas.js';

export interface TelemetryHubOptions {
  scheduler: SchedulerSource;
  workers: WorkersSource | undefined;
  monitor: MonitorSource | undefined;
  bridge: BridgeSource | undefined;
  /** Monotonic time for message stamps (the scheduler's clock). */
  now: () => number;
  tickMs: number;
  maxBufferedBytes: number;
}

export interface TelemetryStats {
  clients: number;
  /** Clients dropped for exceeding their send buffer, since start. */
  slowClientsDropped: number;
  /** Frames queued on sockets, since start. */
  framesSent: number;
}

type Group = Set<TelemetryClient>;

class ControlError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export class TelemetryHub {
  readonly #options: TelemetryHubOptions;
  readonly #clients = new Set<TelemetryClient>();
  /** topic -> tick divisor -> clients. */
  readonly #groups = new Map<string, Map<number, Group>>();
  readonly #taskTrackers = new Map<number, TaskDeltaTracker>();
  readonly #events: EventFeed;
  readonly #data: DataFeed;
  #timer: ReturnType<typeof setInterval> | undefined;
  #tick = 0;
  #slowDropped = 0;
  #framesSent = 0;
  #cache: { tick: number; description?: SchedulerDescription; workers?: string } = { tick: -1 };
  /** The last monitor snapshot serialised, and the one each group got last. */
  #monitorText: { snapshot: object | undefined; text: string } | undefined;
  readonly #monitorSent = new Map<number, object>();

  constructor(options: TelemetryHubOptions) {
    this.#options = options;
    const sources: EventFeedSource[] = [{ name: 'scheduler', emitter: options.scheduler, kinds: SCHEDULER_EVENT_KINDS }];
    if (options.workers !== undefined) sources.push({ name: 'workers', emitter: options.workers, kinds: WORKER_EVENT_KINDS });
    if (options.monitor !== undefined) sources.push({ name: 'monitor', emitter: options.monitor, kinds: MONITOR_EVENT_KINDS });
    this.#events = new EventFeed(sources, options.now);
    this.#data = new DataFeed(options.bridge);
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  stats(): TelemetryStats {
    return { clients: this.#clients.size, slowClientsDropped: this.#slowDropped, framesSent: this.#framesSent };
  }

  /** A new client on `socket`; `transport` is its TCP socket, corked around each tick when given. */
  connect(socket: TelemetrySocket, transport?: CorkableTransport): TelemetryClient {
    const client = new TelemetryClient(socket, this.#options.maxBufferedBytes, transport);
    this.#clients.add(client);
    return client;
  }

  disconnect(client: TelemetryClient): void {
    if (!this.#clients.delete(client)) return;
    for (const topic of [...client.subscriptions.keys()]) this.#unsubscribe(client, topic);
  }

  /** Handle one control message; false when the client must be closed (flooding). */
  handleMessage(client: TelemetryClient, text: string): boolean {
    if (!client.admitControl(this.#options.now())) return false;
    let reply: object;
    try {
      const message = clientMessageSchema.safeParse(parseJson(text));
      if (!message.success) throw new ControlError('ERR_TACTUS_BAD_MESSAGE', message.error.issues[0]?.message ?? 'invalid message');
      if (message.data.op === 'subscribe') {
        const rateHz = this.#subscribe(client, message.data.topic, message.data.rateHz);
        reply = { topic: CONTROL_TOPIC, ok: true, op: 'subscribe', subscribed: message.data.topic, rateHz };
      } else {
        this.#unsubscribe(client, message.data.topic);
        reply = { topic: CONTROL_TOPIC, ok: true, op: 'unsubscribe', unsubscribed: message.data.topic };
      }
    } catch (error) {
      const code = error instanceof ControlError ? error.code : 'ERR_TACTUS_BAD_MESSAGE';
      reply = { topic: CONTROL_TOPIC, ok: false, code, message: error instanceof Error ? error.message : 'error' };
    }
    this.#send(client, JSON.stringify(reply));
    return true;
  }

  /** Detach from every source and stop the timer; clients are closed by the server. */
  close(): void {
    for (const client of this.#clients) this.disconnect(client);
    this.#stopTimer();
    this.#events.detach();
    this.#data.close();
  }

  #subscribe(client: TelemetryClient, topic: string, askedHz: number | undefined): number {
    const { tickMs } = this.#options;
    const known = isSnapshotTopic(topic) || topic === EVENTS_TOPIC;
    if (!known && !this.#data.available) throw new ControlError('ERR_TACTUS_UNKNOWN_TOPIC', `no topic ${JSON.stringify(topic)}`);
    if (topic === 'workers' && this.#options.workers === undefined) throw new ControlError('ERR_TACTUS_UNKNOWN_TOPIC', 'no worker manager is configured');
    if (topic === 'monitor' && this.#options.monitor === undefined) throw new ControlError('ERR_TACTUS_UNKNOWN_TOPIC', 'no monitor is configured');
    if (!client.subscriptions.has(topic) && client.subscriptions.size >= MAX_SUBSCRIPTIONS) {
      throw new ControlError('ERR_TACTUS_TOO_MANY_SUBSCRIPTIONS', `at most ${MAX_SUBSCRIPTIONS} subscriptions per client`);
    }
    // Events are flushed every tick (they are batched, not sampled), so they ignore the rate.
    const divisor = topic === EVENTS_TOPIC ? 1 : divisorFor(askedHz ?? DEFAULT_RATE_HZ[topic] ?? DEFAULT_DATA_RATE_HZ, tickMs);
    if (client.subscriptions.has(topic)) this.#unsubscribe(client, topic);
    if (!known) {
      try {
        this.#data.retain(topic);
      } catch (error) {
        throw new ControlError('ERR_TACTUS_UNKNOWN_TOPIC', error instanceof Error ? error.message : `no topic ${JSON.stringify(topic)}`);
      }
    }
    client.subscriptions.set(topic, divisor);
    let byDivisor = this.#groups.get(topic);
    if (byDivisor === undefined) this.#groups.set(topic, (byDivisor = new Map()));
    let group = byDivisor.get(divisor);
    if (group === undefined) byDivisor.set(divisor, (group = new Set()));
    group.add(client);
    if (topic === 'tasks' && !this.#taskTrackers.has(divisor)) {
      // A new group's first deltas count from now, the moment of its full frame.
      const tracker = new TaskDeltaTracker();
      tracker.next(this.#options.scheduler.describe());
      this.#taskTrackers.set(divisor, tracker);
    }
    if (topic === EVENTS_TOPIC) this.#events.attach();
    if (isSnapshotTopic(topic)) this.#send(client, this.#initialFrame(topic));
    this.#startTimer();
    return rateOf(divisor, tickMs);
  }

  #unsubscribe(client: TelemetryClient, topic: string): void {
    const divisor = client.subscriptions.get(topic);
    if (divisor === undefined) return;
    client.subscriptions.delete(topic);
    const byDivisor = this.#groups.get(topic);
    const group = byDivisor?.get(divisor);
    group?.delete(client);
    if (group !== undefined && group.size === 0) {
      byDivisor!.delete(divisor);
      if (topic === 'tasks') this.#taskTrackers.delete(divisor);
      if (topic === 'monitor') this.#monitorSent.delete(divisor);
    }
    if (byDivisor !== undefined && byDivisor.size === 0) {
      this.#groups.delete(topic);
      if (topic === EVENTS_TOPIC) this.#events.detach();
    }
    if (!isSnapshotTopic(topic) && topic !== EVENTS_TOPIC) this.#data.release(topic);
    if (this.#groups.size === 0) this.#stopTimer();
  }

  #startTimer(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#onTick(), this.#options.tickMs);
    this.#timer.unref();
  }

  #stopTimer(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #onTick(): void {
    const tick = ++this.#tick;
    for (const client of this.#clients) client.cork();
    try {
      for (const [topic, byDivisor] of this.#groups) {
        for (const [divisor, group] of byDivisor) {
          if (topic !== EVENTS_TOPIC && tick % divisor !== 0) continue;
          const frame = this.#frame(topic, divisor, tick);
          if (frame === undefined) continue;
          const bytes = Buffer.from(frame);
          for (const client of group) this.#send(client, bytes);
        }
      }
    } finally {
      for (const client of this.#clients) client.uncork();
    }
  }

  /** The message of `topic` for group `divisor` at this tick; undefined when there is nothing new. */
  #frame(topic: string, divisor: number, tick: number): string | undefined {
    const t = this.#options.now();
    switch (topic) {
      case 'tasks': {
        const tracker = this.#taskTrackers.get(divisor);
        if (tracker === undefined) return undefined;
        const { tasks, removed } = tracker.next(this.#description(tick));
        if (tasks.length === 0 && removed.length === 0) return undefined;
        return JSON.stringify({ topic, t, tasks, removed, summary: this.#options.scheduler.summary?.() }, wireReplacer);
      }
      case 'workers':
        return this.#cached(tick, 'workers', this.#workersFrame);
      case 'monitor': {
        // The monitor samples once per interval: a group gets each new snapshot once, serialised once.
        const snapshot = this.#options.monitor?.snapshot();
        if (snapshot === undefined || this.#monitorSent.get(divisor) === snapshot) return undefined;
        this.#monitorSent.set(divisor, snapshot);
        return this.#monitorFrame(snapshot);
      }
      case EVENTS_TOPIC: {
        const batch = this.#events.drain();
        return batch === undefined ? undefined : JSON.stringify({ topic, t, events: batch.events, dropped: batch.dropped }, wireReplacer);
      }
      default: {
        const taken = this.#data.take(topic, divisor);
        return taken === undefined ? undefined : JSON.stringify({ topic, t, sample: taken.sample, received: taken.received }, wireReplacer);
      }
    }
  }

  /** What a client gets as soon as it subscribes to a snapshot topic. */
  #initialFrame(topic: 'tasks' | 'workers' | 'monitor'): string {
    const t = this.#options.now();
    if (topic === 'tasks') {
      const description = this.#options.scheduler.describe();
      return JSON.stringify({ topic, t, full: true, state: description.state, tasks: description.tasks, summary: this.#options.scheduler.summary?.() }, wireReplacer);
    }
    return topic === 'workers' ? this.#workersFrame() : this.#monitorFrame(this.#options.monitor?.snapshot());
  }

  readonly #workersFrame = (): string =>
    JSON.stringify({ topic: 'workers', t: this.#options.now(), workers: this.#options.workers?.list() ?? [] }, wireReplacer);

  #monitorFrame(snapshot: object | undefined): string {
    const cached = this.#monitorText;
    if (cached !== undefined && cached.snapshot === snapshot) return cached.text;
    const text = JSON.stringify({ topic: 'monitor', t: this.#options.now(), snapshot, hud: this.#options.monitor?.hudLine() }, wireReplacer);
    this.#monitorText = { snapshot, text };
    return text;
  }

  #description(tick: number): SchedulerDescription {
    if (this.#cache.tick !== tick) this.#cache = { tick };
    return (this.#cache.description ??= this.#options.scheduler.describe());
  }

  #cached(tick: number, key: 'workers', build: () => string): string {
    if (this.#cache.tick !== tick) this.#cache = { tick };
    return (this.#cache[key] ??= build());
  }

  #send(client: TelemetryClient, frame: string | Buffer): void {
    const wasDropped = client.dropped;
    if (client.send(frame)) this.#framesSent++;
    else if (!wasDropped && client.dropped) this.#slowDropped++;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ControlError('ERR_TACTUS_BAD_MESSAGE', 'not JSON');
  }
}
