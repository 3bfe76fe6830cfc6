/**
 * What fresh memory costs on this machine: the first write to each 4 KB page of a new 32 MB buffer
 * (the kernel maps and zeroes the page; on a VM, one more fault to the hypervisor). A queue of
 * 200,000 jobs needs tens of MB of pages that the GC has just returned to the system, so this
 * per-byte cost times the bytes a queued job holds is a floor under the cost of queueing a job.
 */
const PAGE = 4096;
const BYTES = 32 * 1024 * 1024;

/** Nanoseconds per byte of first-touched memory, the median of five buffers. */
export function freshMemoryNsPerByte(): number {
  const runs: number[] = [];
  for (let round = 0; round < 5; round++) {
    const start = performance.now();
    const buffer = new Uint8Array(BYTES);
    for (let i = 0; i < BYTES; i += PAGE) buffer[i] = 1;
    runs.push(((performance.now() - start) * 1e6) / BYTES);
  }
  return runs.sort((a, b) => a - b)[2]!;
}
