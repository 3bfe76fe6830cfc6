/**
 * The console demo of the engine: a lab rig's loops (seed 000) and firmware chores (seed 003) on
 * one Scheduler, their live stats printed once a second; Ctrl-C drains.
 */
import { Scheduler } from '../scheduler/scheduler.js';
import { TaskPriority } from '../scheduler/priority.js';
import { TaskNonFatalError } from '../errors.js';

export interface DemoOptions {
  /** Where stats go (default stdout). */
  out?: NodeJS.WritableStream;
  /** Stop by itself after this long (default: run until a signal). */
  durationMs?: number;
}

function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // simulated device I/O on the CPU
  }
}

export function registerEngineDemo(scheduler: Scheduler): void {
  let position = 0;
  scheduler.schedulePeriodic(
    { name: 'stage.position', periodMs: 20, maxJitterMs: 2, priority: TaskPriority.REALTIME },
    () => {
      position = (position + 1) % 1000;
    },
  );
  scheduler.schedulePeriodic(
    { name: 'piezo.control', periodMs: 10, deadlineMs: 8, maxJitterMs: 2, priority: TaskPriority.CRITICAL },
    () => busyWait(0.2),
  );
  scheduler.schedulePeriodic(
    { name: 'camera.exposure', periodMs: 100, deadlineMs: 30, priority: TaskPriority.HIGH, overrun: 'queue-one' },
    // every 10th run overruns its deadline to show accounting and backpressure
    async (ctx) => ctx.sleep(Math.floor(ctx.scheduledAt / 100) % 10 === 0 ? 45 : 5),
  );
  scheduler.scheduleRecurring({ name: 'wifi.check', delayMs: 500, priority: TaskPriority.NORMAL }, async (ctx) => {
    await ctx.sleep(50);
    if (Math.random() < 0.2) throw new TaskNonFatalError('access point did not answer');
  });
  scheduler.scheduleCron({ name: 'maintenance.tick', cron: '*/5 * * * * *', priority: TaskPriority.BACKGROUND }, () => undefined);
}

export async function runEngineDemo(options: DemoOptions = {}): Promise<void> {
  const out = options.out ?? process.stdout;
  const scheduler = new Scheduler();
  registerEngineDemo(scheduler);
  scheduler.on('backpressure', (info) => out.write(`backpressure: ${info.name} ${info.consecutive} bad releases in a row\n`));
  scheduler.start();
  const ticker = setInterval(() => out.write(`\n${scheduler.dumpState()}\n`), 1000);
  const stop = (): void => {
    clearInterval(ticker);
    out.write('\ndraining...\n');
    void scheduler.stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const timer = options.durationMs === undefined ? undefined : setTimeout(stop, options.durationMs);
  await scheduler.runForever();
  if (timer !== undefined) clearTimeout(timer);
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  out.write(`${scheduler.dumpState()}\nstopped.\n`);
}
