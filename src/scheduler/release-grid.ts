/**
 * The fixed-rate grid shared by the engine's periodic tasks and the worker-side loops: release k
 * is due at `t0 + k * periodMs`.
 *
 * After release `index` fires at `now`, the next one is normally `index + 1`, even when already
 * due (a coarse timer's sub-period lateness costs no runs). When the release was late by
 * `COALESCE_AFTER_PERIODS` periods or more (a blocked event loop, a suspended process), the slots
 * in between are skipped: the next release is the first one still ahead, so there is never a
 * catch-up burst.
 */

export const COALESCE_AFTER_PERIODS = 2;

/** The index of the release that follows release `index` (due at `releaseAt`), fired at `now`. */
export function nextReleaseIndex(t0: number, periodMs: number, index: number, releaseAt: number, now: number): number {
  if (now - releaseAt < COALESCE_AFTER_PERIODS * periodMs) return index + 1;
  return Math.floor((now - t0) / periodMs) + 1;
}
