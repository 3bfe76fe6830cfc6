/**
 * Keeps this thread's event loop alive while anything holds it, without allocating per hold.
 *
 * Why: a pending `Atomics.waitAsync` does not keep Node's event loop alive, so a consumer waiting
 * on a ring needs a ref'd handle meanwhile. Creating (and clearing) a timer per wait costs a
 * `Timeout` and, whenever its list runs empty, a new timer list: at 4,000 waits/s that garbage is
 * most of what a caught-up ring consumer allocates. How: one idle interval per thread, created on
 * the first hold and never cleared; holds are counted, and the interval is ref'd while the count is
 * above zero and unref'd (it then keeps nothing alive) when it drops back.
 */

const IDLE_MS = 2 ** 30;
const idle = (): void => {};

let holds = 0;
let interval: NodeJS.Timeout | undefined;

/** Keep the event loop alive until the matching `releaseLoop()`. */
export function holdLoop(): void {
  if (holds++ > 0) return;
  if (interval === undefined) interval = setInterval(idle, IDLE_MS);
  else interval.ref();
}

/** End one `holdLoop()`. */
export function releaseLoop(): void {
  if (--holds === 0) interval?.unref();
}
