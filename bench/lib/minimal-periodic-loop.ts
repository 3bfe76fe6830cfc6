/**
 * The least a periodic scheduler can do per release, as a reference for the scale bench: a 4-ary
 * heap of task objects keyed by due time; per release pop the earliest, count the run and its
 * jitter on the task, call the body, push the next release (t0 + k * period). No histograms, no
 * ready queue, no events, no overrun policy: what remains is the memory traffic of N tasks, so
 * its 10,000-vs-100 ratio is the floor this machine's caches set for any per-task-object design.
 */

class ReferenceTask {
  dueAt = 0;
  runs = 0;
  jitterSum = 0;
  jitterMax = 0;
  readonly periodMs: number;
  readonly body: () => void;

  constructor(periodMs: number, body: () => void) {
    this.periodMs = periodMs;
    this.body = body;
  }
}

/** CPU per release (us) of `releases` releases with `count` tasks of period `periodOf(i)`. */
export function minimalLoopCost(count: number, releases: number, warmUp: number, periodOf: (i: number) => number): number {
  const keys = new Float64Array(count);
  const items: ReferenceTask[] = [];
  let size = 0;
  const push = (task: ReferenceTask): void => {
    let i = size++;
    const key = task.dueAt;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      if (keys[parent]! <= key) break;
      keys[i] = keys[parent]!;
      items[i] = items[parent]!;
      i = parent;
    }
    keys[i] = key;
    items[i] = task;
  };
  const pop = (): ReferenceTask => {
    const top = items[0]!;
    const last = --size;
    const key = keys[last]!;
    const item = items[last]!;
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= size) break;
      let child = first;
      for (let c = first + 1, end = Math.min(first + 4, size); c < end; c++) if (keys[c]! < keys[child]!) child = c;
      if (key <= keys[child]!) break;
      keys[i] = keys[child]!;
      items[i] = items[child]!;
      i = child;
    }
    keys[i] = key;
    items[i] = item;
    return top;
  };
  let released = 0;
  const body = (): void => {
    released++;
  };
  for (let i = 0; i < count; i++) push(new ReferenceTask(periodOf(i), body));
  let now = 0;
  const drive = (n: number): void => {
    for (const end = released + n; released < end; ) {
      const task = pop();
      if (task.dueAt > now) now = task.dueAt; // a stepped clock, as the scale bench's
      const jitter = now - task.dueAt;
      task.runs++;
      task.jitterSum += jitter;
      if (jitter > task.jitterMax) task.jitterMax = jitter;
      task.body();
      task.dueAt += task.periodMs;
      push(task);
    }
  };
  drive(warmUp);
  const cpu0 = process.cpuUsage();
  drive(releases);
  const used = process.cpuUsage(cpu0);
  return (used.user + used.system) / releases;
}
