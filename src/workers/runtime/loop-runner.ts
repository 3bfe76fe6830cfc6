/**
 * The worker's timeline: all of its loops on one thread, each release on the precise sleeper.
 *
 * One step per event-loop turn: prove progress (`beat`), let the runtime flush what it owes the
 * parent, pick the loop due first and, if its release is near (< NEAR_MS), block until it with the
 * precise sleeper and run it; then yield ONE event-loop turn (`setImmediate`) so commands and I/O
 * are served between runs, never during a wait's final approach. Releases further away sleep on
 * a plain timer instead, waking at least `IDLE_STEPS_PER_BEAT` times per heartbeat so an idle worker
 * still proves it is alive. A body that never returns stops the steps, and with them the
 * heartbeat: that is how a hang is seen.
 */
import { isPromiseLike } from '../../scheduler/loop-task.js';
import type { LoopContext } from './define-worker.js';
import type { LoopSlot } from './loop-slot.js';

/** Releases closer than this are waited for on the precise sleeper, further ones on a timer. */
export const NEAR_MS = 2;
/** An idle runner still steps (and beats) this many times per heartbeat period. */
export const IDLE_STEPS_PER_BEAT = 4;

export interface LoopRunnerOptions {
  slots: readonly LoopSlot[];
  /** The reused context object of each slot, by index. */
  contexts: readonly LoopContext<unknown, unknown>[];
  heartbeatMs: number;
  now(): number;
  /** Block until `atMs`; returns the clock reading that reached it (the run's start). */
  waitUntil(atMs: number): number;
  /** Progress: called on every step. */
  beat(): void;
  /** Called on every step after `beat`, with the step's time (flush events, stats, heartbeats). */
  afterStep(now: number): void;
}

export class LoopRunner {
  readonly #options: LoopRunnerOptions;
  readonly #idleWakeMs: number;
  #running = false;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #current = -1;
  readonly #step = (): void => this.#onStep();
  readonly #settled = (): void => this.#finish(undefined, false, true);
  readonly #rejected = (error: unknown): void => this.#finish(error, true, true);

  constructor(options: LoopRunnerOptions) {
    this.#options = options;
    this.#idleWakeMs = Math.max(1, options.heartbeatMs / IDLE_STEPS_PER_BEAT);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const now = this.#options.now();
    for (const slot of this.#options.slots) slot.anchor(now);
    this.#yield();
  }

  /** Stop releasing; a run in progress finishes, nothing starts after it. */
  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
  }

  /** Re-plan after a period change (the next step picks the new earliest release). */
  replan(): void {
    if (!this.#running || this.#current >= 0 || this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#yield();
  }

  #onStep(): void {
    this.#timer = undefined;
    this.#immediate = undefined;
    if (!this.#running) return;
    const options = this.#options;
    const now = options.now();
    options.beat();
    options.afterStep(now);
    const index = this.#earliest();
    if (index < 0) {
      this.#sleep(this.#idleWakeMs);
      return;
    }
    const slot = options.slots[index]!;
    const remaining = slot.nextAt - now;
    if (remaining > NEAR_MS) {
      this.#sleep(Math.min(remaining - NEAR_MS, this.#idleWakeMs));
      return;
    }
    this.#run(index, options.waitUntil(slot.nextAt));
  }

  #run(index: number, startedAt: number): void {
    const options = this.#options;
    const slot = options.slots[index]!;
    slot.begin(startedAt);
    this.#current = index;
    let result: unknown;
    try {
      result = slot.body(options.contexts[index]!);
    } catch (error) {
      this.#finish(error, true, false);
      return;
    }
    if (isPromiseLike(result)) result.then(this.#settled, this.#rejected);
    else this.#finish(undefined, false, false);
  }

  #finish(error: unknown, failed: boolean, settledLater: boolean): void {
    const slot = this.#options.slots[this.#current];
    this.#current = -1;
    slot?.end(this.#options.now(), error, failed, settledLater);
    if (this.#running) this.#yield();
  }

  #earliest(): number {
    const slots = this.#options.slots;
    let best = -1;
    let bestAt = Number.POSITIVE_INFINITY;
    for (let i = 0; i < slots.length; i++) {
      const at = slots[i]!.nextAt;
      if (at < bestAt) {
        bestAt = at;
        best = i;
      }
    }
    return best;
  }

  #yield(): void {
    this.#immediate = setImmediate(this.#step);
  }

  #sleep(ms: number): void {
    this.#timer = setTimeout(this.#step, ms);
  }
}
