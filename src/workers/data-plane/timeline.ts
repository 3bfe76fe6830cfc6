/**
 * The payload timeline: monotonic milliseconds that mean the same on every thread and process of
 * the machine, so the parent can subtract a worker's `ts` from its own clock (one-way latency).
 *
 * Why not `performance.now()`: each thread and process counts from its own start. Why not
 * `performance.timeOrigin + now()`: the origin is a wall-clock reading, so two threads started
 * around an NTP step disagree. Both `performance.now()` and `process.hrtime()` read the same
 * CLOCK_MONOTONIC, so the offset between them is fixed: measured once per thread (at import), then
 * `payloadNow()` is one `performance.now()` plus an addition, allocation-free. The offset is read
 * between two `performance.now()` calls, OFFSET_SAMPLES times, keeping the tightest bracket: the
 * first calls of a thread are slow (lazy initialisation), and a single reading was seen off by
 * 33 us, which a one-way latency of tens of microseconds cannot afford.
 */
import { performance } from 'node:perf_hooks';

const OFFSET_SAMPLES = 64;

function measureOffset(): number {
  let offset = 0;
  let bracket = Number.POSITIVE_INFINITY;
  for (let i = 0; i < OFFSET_SAMPLES; i++) {
    const before = performance.now();
    const [seconds, nanos] = process.hrtime();
    const after = performance.now();
    if (after - before < bracket) {
      bracket = after - before;
      offset = seconds * 1e3 + nanos / 1e6 - (before + after) / 2;
    }
  }
  return offset;
}

const offsetMs = measureOffset();

/** Now, in ms on the machine-wide monotonic payload timeline (CLOCK_MONOTONIC). */
export function payloadNow(): number {
  return performance.now() + offsetMs;
}
