/**
 * One telemetry client: its socket, its subscriptions and its budget. Sending never waits: when
 * the socket's unsent bytes pass the cap, the client is dropped (terminated) instead, so a slow
 * consumer can never hold back producers or make the server buffer without limit. Control
 * messages are rate-limited per client. The hub corks the client's TCP socket around a tick, so
 * the frames of one tick leave in one write (one syscall, one wake-up of the reader) instead of
 * one each.
 */

/** The part of a `ws` WebSocket the hub uses. */
export interface TelemetrySocket {
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: string | Buffer, options: { binary: boolean }): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

/** The TCP socket under the WebSocket, held back while a tick's frames are queued. */
export interface CorkableTransport {
  cork(): void;
  uncork(): void;
}

const OPEN = 1;
/** Every frame is a text frame: one options object for all sends. */
const TEXT = { binary: false } as const;
/** Control messages a client may send per second. */
const CONTROL_PER_SECOND = 20;

export class TelemetryClient {
  readonly socket: TelemetrySocket;
  readonly #transport: CorkableTransport | undefined;
  /** Subscribed topics and their tick divisor. */
  readonly subscriptions = new Map<string, number>();
  readonly #maxBufferedBytes: number;
  #windowStart = Number.NEGATIVE_INFINITY;
  #windowCount = 0;
  #dropped = false;

  constructor(socket: TelemetrySocket, maxBufferedBytes: number, transport?: CorkableTransport) {
    this.socket = socket;
    this.#transport = transport;
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
    this.socket.send(text, TEXT);
    return true;
  }

  /** Hold this client's writes until `uncork()` (around one tick of the hub). */
  cork(): void {
    this.#transport?.cork();
  }

  uncork(): void {
    this.#transport?.uncork();
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
