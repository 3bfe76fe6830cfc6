/**
 * The lab's recording sessions: 10 s of work every 18 s. The dashcam reader (seed 004) and the
 * perception feeder (seed 001) only produce work during a session, so between sessions the
 * pipeline drains and the monitor can see the whole system idle: seed 004's "is it done?".
 * The device loops (seeds 000, 002, 003) run throughout; they are not work that ends.
 */
export const SESSION_PERIOD_MS = 18_000;
export const SESSION_ACTIVE_MS = 10_000;

/** Whether scheduler time `t` (ms) falls inside a recording session. */
export function inSession(t: number): boolean {
  return t % SESSION_PERIOD_MS < SESSION_ACTIVE_MS;
}
