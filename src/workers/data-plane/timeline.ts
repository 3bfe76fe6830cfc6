/**
 * The payload timeline: monotonic milliseconds that mean the same on every thread and process of
 * the machine, so the parent can subtract a worker's `ts` from its own clock (one-way latency).
 *
 * Why not `performance.now()`: each thread and process counts from its own start. Why not
 * `performance.timeOrigin + now()`: the origin is a wall-clock reading, so two threads started
 * around an NTP step disagree. Both `performance.now()` and `process.hrtime()` read the same
 * CLOCK_MONOTONIC, so the offset between them is fixed: measured once per thread (at import), then
 * `payloadNow()` is one `performance.now()` plus an addition, allocation-free.
 */
import { performance } from 'node:perf_hooks';

function measureOffset(): number {
  const before = performance.now();
  const [seconds, nanos] = process.hrtime();
  const after = performance.now();
  return seconds * 1e3 + nanos / 1e6 - (before + after) / 2;
}

const offsetMs = measureOffset();

/** Now, in ms on the machine-wide monotonic payload timeline (CLOCK_MONOTONIC). */
export function payloadNow(): number {
  return performance.now() + offsetMs;
}
