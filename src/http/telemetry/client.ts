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
  send(data: string | Buffer, options: { binary: boolean }): void;
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

  /**
   * Queue a text frame unless the socket is closed or over its buffer cap (then drop the client).
   * A frame fanned out to many clients is passed as one pre-encoded Buffer, encoded once for all.
   */
  send(text: string | Buffer): boolean {
    if (this.#dropped || this.socket.readyState !== OPEN) return false;
    if (this.socket.bufferedAmount > this.#maxBufferedBytes) {
      this.#dropped = true;
      this.socket.terminate();
      return false;
    }
    this.socket.send(text, { binary: false });
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
