/**
 * A thread worker's heartbeat: one shared 32-bit counter that the worker's loop runner bumps on
 * every iteration (and on idle wake-ups), and that the parent's watchdog reads with no message at
 * all. The parent never reads a worker's clock: it notes WHEN it saw the counter move on its own
 * clock, so a blocked parent sees progress made meanwhile instead of a stale timestamp. The
 * counter wraps; only "changed or not" matters.
 */
export class HeartbeatCell {
  readonly buffer: SharedArrayBuffer;
  readonly #cell: Int32Array;

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.#cell = new Int32Array(buffer, 0, 1);
  }

  static create(): HeartbeatCell {
    return new HeartbeatCell(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  }

  static attach(buffer: SharedArrayBuffer): HeartbeatCell {
    return new HeartbeatCell(buffer);
  }

  /** Worker side: record progress. Allocation-free. */
  beat(): void {
    Atomics.add(this.#cell, 0, 1);
  }

  /** Parent side: the current counter. */
  read(): number {
    return Atomics.load(this.#cell, 0);
  }
}
