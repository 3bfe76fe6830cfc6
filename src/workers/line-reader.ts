/**
 * Splits a byte stream into newline-terminated UTF-8 lines with a hard size limit, for the control
 * pipe of process workers. A line longer than `maxBytes` is never buffered whole: its bytes are
 * dropped as they arrive until its newline, and it is reported once as `too-large`. So a peer
 * sending 10 MB without a newline costs at most `maxBytes` of memory.
 */
export class LineReader {
  readonly #maxBytes: number;
  readonly #onLine: (line: string) => void;
  readonly #onTooLarge: () => void;
  #parts: Buffer[] = [];
  #size = 0;
  #discarding = false;

  constructor(maxBytes: number, onLine: (line: string) => void, onTooLarge: () => void) {
    this.#maxBytes = maxBytes;
    this.#onLine = onLine;
    this.#onTooLarge = onTooLarge;
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline < 0 ? chunk.length : newline;
      this.#append(chunk, start, end);
      if (newline < 0) return;
      this.#endLine();
      start = newline + 1;
    }
  }

  #append(chunk: Buffer, start: number, end: number): void {
    if (this.#discarding || end === start) return;
    this.#size += end - start;
    if (this.#size > this.#maxBytes) {
      this.#discarding = true;
      this.#parts = [];
      return;
    }
    this.#parts.push(chunk.subarray(start, end));
  }

  #endLine(): void {
    if (this.#discarding) {
      this.#discarding = false;
      this.#onTooLarge();
    } else if (this.#size > 0) {
      const parts = this.#parts;
      const line = parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts).toString('utf8');
      this.#onLine(line);
    }
    this.#parts = [];
    this.#size = 0;
  }
}
