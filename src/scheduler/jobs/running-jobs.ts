/**
 * The jobs holding a slot, and which of them preemption would ask to yield.
 *
 * Each job knows its index in the list, so adding and removing cost no hashing. A job is never in
 * the ready queue and in this list at once, so the index shares the job's `queueIndex` field,
 * encoded below -1 (`-2 - index`): a running job reads as not queued, and the job needs no field
 * of its own for it (a queued job's bytes are what a deep queue pays for). The
 * preemption candidate is the least urgent running job that may be asked to yield (preemptible,
 * not asked yet). It is kept up as jobs start (one comparison each) and found again only when it
 * stops being the candidate (it ended, yielded or was asked, or a priority changed): checking for
 * preemption, on every submission while all slots are busy, is then one comparison of the queue
 * head with it rather than a scan of the running jobs. Under the fair policy, whose levels move by
 * themselves, it is found by a scan each time.
 */
import type { ReadyQueue } from '../ready-queue.js';
import type { Job } from './job.js';

/** A running job's `queueIndex` for its index in the list, and back (negative: not running). */
const placeAt = (index: number): number => -2 - index;
const indexAt = (place: number): number => -2 - place;

export class RunningJobs {
  readonly #jobs: Job[] = [];
  readonly #queue: ReadyQueue;
  /** Whether the candidate can be kept between checks (not under the fair policy). */
  readonly #keep: boolean;
  #candidate: Job | undefined;
  #candidateKnown = true;

  constructor(queue: ReadyQueue, keepCandidate: boolean) {
    this.#queue = queue;
    this.#keep = keepCandidate;
  }

  get size(): number {
    return this.#jobs.length;
  }

  /** The running jobs, in no particular order (a copy). */
  list(): Job[] {
    return [...this.#jobs];
  }

  add(job: Job): void {
    job.queueIndex = placeAt(this.#jobs.length);
    this.#jobs.push(job);
    if (!this.#candidateKnown || !this.#keep || !job.preemptible || job.yieldRequested) return;
    const candidate = this.#candidate;
    if (candidate === undefined || this.#queue.compare(job, candidate) > 0) this.#candidate = job;
  }

  remove(job: Job): void {
    const index = indexAt(job.queueIndex);
    if (index < 0) return;
    const last = this.#jobs.pop()!;
    if (last !== job) {
      this.#jobs[index] = last;
      last.queueIndex = placeAt(index);
    }
    job.queueIndex = -1;
    if (job === this.#candidate) this.invalidate();
  }

  /** Something the candidate depends on changed (a priority, a yield request): find it again when asked. */
  invalidate(): void {
    this.#candidate = undefined;
    this.#candidateKnown = false;
  }

  /** The least urgent running job that may be asked to yield, if any. */
  candidate(): Job | undefined {
    if (this.#candidateKnown && this.#keep) return this.#candidate;
    let least: Job | undefined;
    const jobs = this.#jobs;
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i]!;
      if (job.preemptible && !job.yieldRequested && (least === undefined || this.#queue.compare(job, least) > 0)) least = job;
    }
    this.#candidate = least;
    this.#candidateKnown = true;
    return least;
  }
}
