/**
 * Seed 004's HUD line: per worker category, how many workers are busy and on what; the backlog
 * per category; stale workers; the shutdown flags when set. For example
 * `3 GPU workers busy: {VEHICLE_DETECT:1, PLATE_DETECT:1, OCR:1} | 5 CPU workers busy: {PLATE_SMOOTH:3, SUMMARY:2} | backlog gpu=12 cpu=3 | stale: none`.
 * Categories keep the order they are first met; tasks are listed busiest first.
 */

export interface HudInput {
  workers: readonly { category: string | null; task: string | null }[];
  backlogByCategory: Readonly<Record<string, number>>;
  stale: readonly string[];
  idle: boolean;
  flags: { stop: boolean; terminate: boolean };
}

const MAX_STALE_NAMED = 5;

function busyByCategory(workers: HudInput['workers']): Map<string | null, Map<string, number>> {
  const categories = new Map<string | null, Map<string, number>>();
  for (const worker of workers) {
    let tasks = categories.get(worker.category);
    if (tasks === undefined) {
      tasks = new Map();
      categories.set(worker.category, tasks);
    }
    if (worker.task !== null) tasks.set(worker.task, (tasks.get(worker.task) ?? 0) + 1);
  }
  return categories;
}

function describeCategory(category: string | null, tasks: Map<string, number>): string {
  let busy = 0;
  for (const count of tasks.values()) busy += count;
  const label = category === null ? '' : `${category.toUpperCase()} `;
  const noun = busy === 1 ? 'worker' : 'workers';
  if (busy === 0) return `0 ${label}${noun} busy`;
  // Array.prototype.sort is stable: equal counts keep first-met order.
  const list = [...tasks].sort((a, b) => b[1] - a[1]).map(([task, count]) => `${task}:${count}`);
  return `${busy} ${label}${noun} busy: {${list.join(', ')}}`;
}

export function formatHud(input: HudInput): string {
  const parts: string[] = [];
  for (const [category, tasks] of busyByCategory(input.workers)) parts.push(describeCategory(category, tasks));
  if (parts.length === 0) parts.push('0 workers');
  const backlog = Object.entries(input.backlogByCategory).map(([category, size]) => `${category}=${size}`);
  parts.push(backlog.length === 0 ? 'backlog none' : `backlog ${backlog.join(' ')}`);
  const named = input.stale.slice(0, MAX_STALE_NAMED).join(', ');
  const more = input.stale.length > MAX_STALE_NAMED ? ` +${input.stale.length - MAX_STALE_NAMED} more` : '';
  parts.push(`stale: ${input.stale.length === 0 ? 'none' : named + more}`);
  if (input.idle) parts.push('idle');
  if (input.flags.terminate) parts.push('TERMINATE');
  else if (input.flags.stop) parts.push('STOP');
  return parts.join(' | ');
}
