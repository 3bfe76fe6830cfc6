/**
 * What a periodic run and a submitted job share: a place in the ready queue (`Dispatchable`) and
 * on the timeline (`Timed`), and an AbortSignal made only when someone asks for it.
 */
import type { Dispatchable } from './ready-queue.js';
import type { Timed } from './timer-queue.js';

export abstract class WorkItem implements Dispatchable, Timed {
  // the priorities: a run keeps them as fields, a job packs them into its flag integer
  abstract readonly basePriority: number;
  abstract effectivePriority: number;
  readyAt: number;
  /** Absolute deadline on the scheduler's clock, or Infinity (a job keeps a finite one in its extras). */
  abstract readonly deadlineAt: number;
  seq = 0;
  queueIndex = -1;
  // what only some items use (the fair policy's level, a place on the timeline, a signal): each
  // kind keeps these where it likes (a run, as fields; a job, in its extras made on first need)
  abstract level: number;
  abstract timerAt: number;
  abstract timerIndex: number;
  protected abstract controller: AbortController | undefined;

  constructor(readyAt: number) {
    this.readyAt = readyAt;
  }

  /** Absolute deadline on the scheduler's clock, or Infinity. */
  get deadline(): number {
    return this.deadlineAt;
  }

  get signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal;
  }

  /** @internal Abort the signal (once; later reasons are ignored). */
  abort(reason: unknown): void {
    const controller = (this.controller ??= new AbortController());
    if (!controller.signal.aborted) controller.abort(reason);
  }

  /** @internal A fresh signal for another attempt, when the last one was aborted (a timeout). */
  resetSignal(): void {
    if (this.controller?.signal.aborted === true) this.controller = undefined;
  }

  abstract start(): void;
  abstract onTimer(now: number): void;
}
