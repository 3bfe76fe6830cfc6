/**
 * One reading of the sources per scrape. prom-client calls every metric's collect callback
 * synchronously at the start of `registry.metrics()`, so the first callback reads the scheduler,
 * the workers and the monitor once and the rest share that reading until the next microtask:
 * every figure of one scrape comes from the same instant, and a scrape of 30 metrics costs one
 * `describe()`, not 30. A source that throws is counted and skipped, never failing the scrape.
 */
import type { LatencyStats } from '../scheduler/latency-monitor.js';
import type { SchedulerDescription } from '../scheduler/describe.js';
import type { MonitorSnapshot } from '../monitor/snapshot.js';
import type { SchedulerSource, SchedulerSummary, WorkerSnapshot, WorkerSource } from '../monitor/sources.js';
import { LabelBudget } from './label-budget.js';

export interface MetricsSources {
  /** The scheduler: per-task stats from `describe()`, plus `summary()` and `latency.stats()` when it has them. */
  scheduler?: SchedulerSource;
  /** Worker managers; read directly only when there is no monitor. */
  workers?: readonly WorkerSource[];
  /** The monitor: workers (with their stale marks), backlog, event loop, idle and flags from its snapshot. */
  monitor?: { snapshot(): MonitorSnapshot };
}

/** A worker as a scrape sees it: the monitor's view carries `stale`, a manager's row does not. */
export type ScrapedWorker = WorkerSnapshot & { stale?: boolean };

export type ScrapeSourceName = 'scheduler' | 'workers' | 'monitor';

export interface Scrape {
  description: SchedulerDescription | undefined;
  jobs: SchedulerSummary | undefined;
  latency: LatencyStats | undefined;
  workers: readonly ScrapedWorker[];
  monitor: MonitorSnapshot | undefined;
}

export interface LabelBudgets {
  task: LabelBudget;
  worker: LabelBudget;
  queue: LabelBudget;
  category: LabelBudget;
}

export class ScrapeReader {
  readonly budgets: LabelBudgets;
  /** Source reads that threw, by source. */
  readonly errors: Record<ScrapeSourceName, number> = { scheduler: 0, workers: 0, monitor: 0 };
  readonly #sources: MetricsSources;
  #current: Scrape | undefined;

  constructor(sources: MetricsSources, budgets: LabelBudgets) {
    this.#sources = sources;
    this.budgets = budgets;
  }

  /** This scrape's reading. */
  get(): Scrape {
    if (this.#current === undefined) {
      this.#current = this.#read();
      queueMicrotask(() => {
        this.#current = undefined;
      });
    }
    return this.#current;
  }

  #read(): Scrape {
    const { scheduler, monitor } = this.#sources;
    const snapshot = monitor === undefined ? undefined : this.#guard('monitor', () => monitor.snapshot());
    const description = scheduler === undefined ? undefined : this.#guard('scheduler', () => scheduler.describe());
    const jobs = scheduler?.summary === undefined ? undefined : this.#guard('scheduler', () => scheduler.summary!());
    const latency = scheduler?.latency === undefined ? undefined : this.#guard('scheduler', () => scheduler.latency!.stats());
    const workers: readonly ScrapedWorker[] = snapshot?.workers ?? this.#listWorkers();
    this.budgets.task.refresh(new Set(description?.tasks.map((t) => t.name)));
    this.budgets.worker.refresh(new Set(workers.map((w) => w.name)));
    this.budgets.queue.refresh(new Set(Object.keys(snapshot?.backlog.byQueue ?? {})));
    this.budgets.category.refresh(new Set(Object.keys(snapshot?.backlog.byCategory ?? {})));
    return { description, jobs, latency, workers, monitor: snapshot };
  }

  #listWorkers(): WorkerSnapshot[] {
    const rows: WorkerSnapshot[] = [];
    for (const source of this.#sources.workers ?? []) rows.push(...(this.#guard('workers', () => source.list()) ?? []));
    return rows;
  }

  #guard<T>(source: ScrapeSourceName, read: () => T): T | undefined {
    try {
      return read();
    } catch {
      this.errors[source]++;
      return undefined;
    }
  }
}
