/**
 * Seed 003 in the lab rig: the firmware's chores on the one scheduler facade. LED refresh and
 * button sampling at the critical-UI tier, a connectivity check that re-runs a while after it
 * finishes and sometimes fails recoverably (`TaskNonFatalError`), an OTA update check on a cron
 * schedule, a boot announcement once, and a background cleanup that yields as it goes.
 */
import { TaskNonFatalError } from '../errors.js';
import { TaskPriority } from '../scheduler/priority.js';
import type { Scheduler } from '../scheduler/scheduler.js';

export function registerFirmwareTasks(scheduler: Scheduler): void {
  let brightness = 0;
  scheduler.schedulePeriodic({ name: 'led.refresh', periodMs: 40, maxJitterMs: 5, priority: TaskPriority.CRITICAL }, () => {
    brightness = (brightness + 7) % 256;
  });
  scheduler.schedulePeriodic({ name: 'button.sample', periodMs: 25, maxJitterMs: 5, priority: TaskPriority.CRITICAL }, () => undefined);
  scheduler.scheduleRecurring({ name: 'wifi.check', delayMs: 2_000, priority: TaskPriority.HIGH }, async (ctx) => {
    await ctx.sleep(30 + Math.random() * 70);
    if (Math.random() < 0.2) throw new TaskNonFatalError('access point did not answer');
  });
  scheduler.scheduleCron({ name: 'ota.check', cron: '*/30 * * * * *', priority: TaskPriority.LOW }, async (ctx) => ctx.sleep(20));
  scheduler.scheduleOnce({ name: 'boot.announce', delayMs: 0, priority: TaskPriority.NORMAL }, () => undefined);
  scheduler.scheduleRecurring({ name: 'maintenance.cleanup', delayMs: 10_000, priority: TaskPriority.BACKGROUND }, async () => {
    for (let batch = 0; batch < 5; batch++) await scheduler.yieldControl();
  });
}
