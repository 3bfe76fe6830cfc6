/**
 * The contexts a worker's code receives. `BaseContext` is one object per worker; each loop gets a
 * `SlotContext` that adds the run's timing by reading its slot (no allocation per run) and
 * forwards everything else to the base.
 */
import type { LoopContext, WorkerContext, WorkerLog } from './define-worker.js';
import type { LoopSlot } from './loop-slot.js';

/** What the runtime provides behind a context. */
export interface ContextServices {
  now(): number;
  publish(type: string, data: Uint8Array): boolean;
  setTask(task: string | null): void;
  setPeriod(loop: string, periodMs: number): void;
  readonly log: WorkerLog;
}

export class BaseContext implements WorkerContext<unknown, unknown> {
  readonly name: string;
  readonly generation: number;
  readonly isolation: 'thread' | 'process';
  readonly config: unknown;
  readonly signal: AbortSignal;
  readonly log: WorkerLog;
  state: unknown = undefined;
  readonly #services: ContextServices;

  constructor(init: { name: string; generation: number; isolation: 'thread' | 'process'; config: unknown; signal: AbortSignal }, services: ContextServices) {
    this.name = init.name;
    this.generation = init.generation;
    this.isolation = init.isolation;
    this.config = init.config;
    this.signal = init.signal;
    this.log = services.log;
    this.#services = services;
  }

  now(): number {
    return this.#services.now();
  }

  publish(type: string, data: Uint8Array): boolean {
    return this.#services.publish(type, data);
  }

  setTask(task: string | null): void {
    this.#services.setTask(task);
  }

  setPeriod(loop: string, periodMs: number): void {
    this.#services.setPeriod(loop, periodMs);
  }
}

export class SlotContext implements LoopContext<unknown, unknown> {
  readonly #base: BaseContext;
  readonly #slot: LoopSlot;

  constructor(base: BaseContext, slot: LoopSlot) {
    this.#base = base;
    this.#slot = slot;
  }

  get loop(): string {
    return this.#slot.name;
  }

  get iteration(): number {
    return this.#slot.stats.runs;
  }

  get periodMs(): number {
    return this.#slot.periodMs;
  }

  get scheduledAt(): number {
    return this.#slot.scheduledAt;
  }

  get startedAt(): number {
    return this.#slot.startedAt;
  }

  get name(): string {
    return this.#base.name;
  }

  get generation(): number {
    return this.#base.generation;
  }

  get isolation(): 'thread' | 'process' {
    return this.#base.isolation;
  }

  get config(): unknown {
    return this.#base.config;
  }

  get state(): unknown {
    return this.#base.state;
  }

  get signal(): AbortSignal {
    return this.#base.signal;
  }

  get log(): WorkerLog {
    return this.#base.log;
  }

  now(): number {
    return this.#base.now();
  }

  publish(type: string, data: Uint8Array): boolean {
    return this.#base.publish(type, data);
  }

  setTask(task: string | null): void {
    this.#base.setTask(task);
  }

  setPeriod(loop: string, periodMs: number): void {
    this.#base.setPeriod(loop, periodMs);
  }
}
