/**
 * The benches' crash injection, a worker command: `crash({ code })` answers, then the worker exits
 * with `code` on the next turn (a thread ends, a process exits), as a driver that dies would.
 */
import { z } from 'zod';

export const crashCommand = {
  input: z.object({ code: z.number().int() }),
  handle({ code }: { code: number }): null {
    setImmediate(() => process.exit(code));
    return null;
  },
};
