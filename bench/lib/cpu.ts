/**
 * CPU cost of a window: process CPU time (user + system, all threads) over wall time, so 1.0 means
 * one core busy for the whole window. Read with `process.cpuUsage`, the same source `top` uses.
 */

export interface CpuReading {
  wallMs: number;
  cpuMs: number;
  /** cpuMs / wallMs: the fraction of one core. */
  core: number;
}

/** Start measuring; the returned function reads the window so far. */
export function startCpuMeter(): () => CpuReading {
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  return () => {
    const wallMs = performance.now() - wall0;
    const used = process.cpuUsage(cpu0);
    const cpuMs = (used.user + used.system) / 1000;
    return { wallMs, cpuMs, core: cpuMs / wallMs };
  };
}
