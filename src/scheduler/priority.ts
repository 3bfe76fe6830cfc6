/**
 * Seven priority classes (seed 001), lower is more urgent (seed 000). Plain numbers 0-6 are
 * accepted wherever a priority is.
 */

export const TaskPriority = {
  REALTIME: 0,
  CRITICAL: 1,
  HIGH: 2,
  NORMAL: 3,
  LOW: 4,
  BACKGROUND: 5,
  IDLE: 6,
} as const;

export type TaskPriority = (typeof TaskPriority)[keyof typeof TaskPriority];
export type PriorityName = keyof typeof TaskPriority;

export const PRIORITY_NAMES: readonly PriorityName[] = ['REALTIME', 'CRITICAL', 'HIGH', 'NORMAL', 'LOW', 'BACKGROUND', 'IDLE'];

export const MOST_URGENT = TaskPriority.REALTIME;
export const LEAST_URGENT = TaskPriority.IDLE;

/** The class name of a numeric priority (values between classes round to the more urgent one). */
export function priorityName(priority: number): PriorityName {
  const index = Math.min(Math.max(Math.floor(priority), MOST_URGENT), LEAST_URGENT);
  return PRIORITY_NAMES[index] ?? 'NORMAL';
}
