/**
 * The fixed-rate grid shared by the engine's periodic tasks and the worker-side loops: release k
 * is due at `t0 + k * periodMs`.
 *
 * After release `index` fires at `now`, the next one is normally `index + 1`, even when already
 * due: lateness inside the catch-up window costs no runs (they follow at once). The window is
 * `COALESCE_AFTER_PERIODS` periods but at least `MIN_CATCH_UP_MS`, so a 1 ms loop rides out the
 * 2-5 ms stalls a busy process sees (a burst of at most ~10 runs) without losing releases. A
 * release later than the window (a blocked event loop, a suspended process) skips the slots in
 * between: the next release is the first one still ahead, so a long stall never causes a burst.
 */

export const COALESCE_AFTER_PERIODS = 2;
export const MIN_CATCH_UP_MS = 10;

/** The index of the release that follows release `index` (due at `releaseAt`), fired at `now`. */
export function nextReleaseIndex(t0: number, periodMs: number, index: number, releaseAt: number, now: number): number {
  if (now - releaseAt < Math.max(COALESCE_AFTER_PERIODS * periodMs, MIN_CATCH_UP_MS)) return index + 1;
  return Math.floor((now - t0) / periodMs) + 1;
}
