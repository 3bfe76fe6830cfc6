/**
 * One telemetry client: its socket, its subscriptions and its budget. Sending never waits: when
 * the socket's unsent bytes pass the cap, the client is dropped (terminated) instead, so a slow
 * consumer can never hold back producers or make the server buffer without limit. Control
 * messages are rate-limited per client.
 */

/** The part of a `ws` WebSocket the hub uses. */
export interface TelemetrySocket {
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

const OPEN = 1;
/** Control messages a client may send per second. */
const CONTROL_PER_SECOND = 20;

export class TelemetryClient {
  readonly socket: TelemetrySocket;
  /** Subscribed topics and their tick divisor. */
  readonly subscriptions = new Map<string, number>();
  readonly #maxBufferedBytes: number;
  #windowStart = Number.NEGATIVE_INFINITY;
  #windowCount = 0;
  #dropped = false;

  constructor(socket: TelemetrySocket, maxBufferedBytes: number) {
    this.socket = socket;
    this.#maxBufferedBytes = maxBufferedBytes;
  }

  /** Whether the client was dropped for being too slow. */
  get dropped(): boolean {
    return this.#dropped;
  }

  /** Queue `text` unless the socket is closed or over its buffer cap (then drop the client). */
  send(text: string): boolean {
    if (this.#dropped || this.socket.readyState !== OPEN) return false;
    if (this.socket.bufferedAmount > this.#maxBufferedBytes) {
      this.#dropped = true;
      this.socket.terminate();
      return false;
    }
    this.socket.send(text);
    return true;
  }

  /** Count a control message at `now` (ms); false when the client exceeded its rate. */
  admitControl(now: number): boolean {
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#windowCount = 0;
    }
    return ++this.#windowCount <= CONTROL_PER_SECOND;
  }
}
