/**
 * Linux timer slack for worker loops. Every timed sleep of a normal thread (the futex behind
 * `Atomics.wait`, epoll timeouts) may be woken up to its timer slack late, 50 us by default: the
 * kernel batches wake-ups. A precise loop pays that in spin time (the spin margin must cover it),
 * so the launchers give each worker a slack of SLACK_NS instead. A thread inherits the slack of
 * the thread that creates it, and a process keeps it across exec, so the parent lowers its own
 * slack (writing /proc/self/timerslack_ns needs no privilege when the writer is the process's
 * main thread), creates the worker, and puts its own value back. Best effort: elsewhere (not
 * Linux, not the main thread, /proc not mounted) the worker keeps the default slack.
 */
import { isMainThread } from 'node:worker_threads';
import { readFileSync, writeFileSync } from 'node:fs';

/** The slack a worker starts with (1 us: below this VM's wake-up noise, no batching). */
export const WORKER_TIMER_SLACK_NS = 1000;

const SLACK_FILE = '/proc/self/timerslack_ns';

/** Run `create` (which starts a thread or a process) with this thread's timer slack at `ns`. */
export function withTimerSlack<T>(ns: number, create: () => T): T {
  const previous = isMainThread ? readSlack() : undefined;
  if (previous === undefined || !writeSlack(ns)) return create();
  try {
    return create();
  } finally {
    writeSlack(previous);
  }
}

function readSlack(): string | undefined {
  try {
    return readFileSync(SLACK_FILE, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function writeSlack(value: number | string): boolean {
  try {
    writeFileSync(SLACK_FILE, String(value));
    return true;
  } catch {
    return false;
  }
}
