/** One line naming the machine and its load, so a pasted result says where and under what load it ran. */
import { cpus, loadavg } from 'node:os';

export function machineLine(): string {
  const [one, five] = loadavg();
  return `node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load average ${one?.toFixed(2)} (1 min) ${five?.toFixed(2)} (5 min)`;
}

/** Run a full GC if the bench was started with --expose-gc, so one scenario's garbage does not land in the next. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
