/** Run a 1 ms tactus loop, unmeasured, so the scheduler's hot path is compiled before a bench window opens. */
import { Scheduler, type SchedulerOptions } from '../../src/index.js';
import { sleep } from './machine.js';

/** `options` should name the clock the measured schedulers will use, so the code is compiled for it. */
export async function warmUpScheduler(ms = 1000, options: SchedulerOptions = {}): Promise<void> {
  const scheduler = new Scheduler(options);
  scheduler.schedulePeriodic({ name: 'warm-up', periodMs: 1 }, () => {});
  scheduler.start();
  await sleep(ms);
  await scheduler.stop();
}
