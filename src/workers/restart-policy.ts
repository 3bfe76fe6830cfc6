/**
 * When to restart a failed worker, and when to give up (reliability plan A7-A9).
 *
 * Backoff: the n-th restart in a row waits `initialMs * factor^n`, capped at `maxMs`, spread by
 * +-`jitter` so a fleet does not restart in lockstep; a worker that stayed running for
 * `resetAfterMs` starts again from `initialMs` (Kubernetes' "reset after stable"). Budget, after
 * OTP's restart intensity: a failure that makes more than `maxRestarts` failures within the last
 * `windowMs` is not restarted: the worker is degraded until someone resets it. Pure logic over
 * times passed in, so it is tested at its exact edges with no clock at all.
 */
export interface BackoffOptions {
  /** First restart delay (default 100 ms). */
  initialMs?: number;
  /** Longest delay (default 30 s). */
  maxMs?: number;
  /** Growth per consecutive restart (default 2). */
  factor?: number;
  /** Total spread of each delay as a fraction: delay * (1 + jitter * (u - 0.5)), u uniform in [0, 1) (default 0.2: +-10 %). */
  jitter?: number;
  /** Running this long without failing resets the delay to `initialMs` (default 60 s). */
  resetAfterMs?: number;
}

export interface RestartBudgetOptions {
  /** Failures allowed within `windowMs` before the worker is degraded: the next one degrades it (default 5). */
  maxRestarts?: number;
  /** The budget's sliding window (default 10 s). */
  windowMs?: number;
}

export const DEFAULT_BACKOFF = { initialMs: 100, maxMs: 30_000, factor: 2, jitter: 0.2, resetAfterMs: 60_000 } as const;
export const DEFAULT_RESTART_BUDGET = { maxRestarts: 5, windowMs: 10_000 } as const;

export type FailureDecision =
  | { action: 'restart'; delayMs: number; attempt: number }
  | { action: 'degrade'; failures: number; windowMs: number };

export class RestartPolicy {
  readonly #backoff: Required<BackoffOptions>;
  readonly #budget: Required<RestartBudgetOptions>;
  readonly #random: () => number;
  readonly #failures: number[] = [];
  #attempt = 0;
  #runningSince: number | undefined;

  constructor(backoff: BackoffOptions = {}, budget: RestartBudgetOptions = {}, random: () => number = Math.random) {
    this.#backoff = { ...DEFAULT_BACKOFF, ...backoff };
    this.#budget = { ...DEFAULT_RESTART_BUDGET, ...budget };
    this.#random = random;
  }

  /** Consecutive restarts so far (0 after a stable run or a reset). */
  get attempt(): number {
    return this.#attempt;
  }

  /** The worker reached `running` at `now`. */
  running(now: number): void {
    this.#runningSince = now;
  }

  /** The worker failed at `now`: restart after a delay, or degrade. */
  failed(now: number): FailureDecision {
    const { initialMs, maxMs, factor, jitter, resetAfterMs } = this.#backoff;
    if (this.#runningSince !== undefined && now - this.#runningSince >= resetAfterMs) this.#attempt = 0;
    this.#runningSince = undefined;
    const { maxRestarts, windowMs } = this.#budget;
    while (this.#failures.length > 0 && now - this.#failures[0]! >= windowMs) this.#failures.shift();
    this.#failures.push(now);
    if (this.#failures.length > maxRestarts) return { action: 'degrade', failures: this.#failures.length, windowMs };
    const base = Math.min(maxMs, initialMs * factor ** this.#attempt);
    const spread = 1 + jitter * (this.#random() - 0.5);
    const attempt = ++this.#attempt;
    return { action: 'restart', delayMs: Math.min(maxMs, base * spread), attempt };
  }

  /** Forget the budget and the backoff (after `resetDegraded`). */
  reset(): void {
    this.#failures.length = 0;
    this.#attempt = 0;
    this.#runningSince = undefined;
  }
}
