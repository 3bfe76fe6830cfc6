// The packed job record: both priorities in the flag integer, and the running list's index kept in
// `queueIndex` below -1 (a job is never queued and running at once).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Job, type JobHost } from '../../src/scheduler/jobs/job.js';
import { RunningJobs } from '../../src/scheduler/jobs/running-jobs.js';
import { createPriorityQueue } from '../../src/scheduler/policies/priority.js';

const noop = (): void => {};
const host: JobHost = {
  start: noop,
  onTimer: noop,
  cancel: () => false,
  yieldSlot: () => Promise.resolve(),
  shouldYield: () => false,
  acquire: () => Promise.resolve(noop),
  sleep: () => Promise.resolve(),
  priorityChanged: noop,
  idAssigned: noop,
};

let ids = 0;
function job(priority: number, readyAt = 0, constraints: { preemptible?: boolean; hardRealtime?: boolean } = {}): Job {
  return new Job(host, ++ids, { name: `j${ids}`, fn: noop, priority, constraints }, readyAt, Number.POSITIVE_INFINITY, undefined);
}

test('each priority 0 to 6 round-trips beside the booleans and the attempt', () => {
  for (let priority = 0; priority <= 6; priority++) {
    const j = job(priority, 0, { preemptible: false, hardRealtime: true });
    assert.equal(j.basePriority, priority);
    assert.equal(j.effectivePriority, priority);
    j.attempt = 1000;
    j.holdsSlot = true;
    j.yieldRequested = true;
    j.effectivePriority = 6 - priority;
    assert.deepEqual(
      [j.basePriority, j.effectivePriority, j.attempt, j.preemptible, j.hardRealtime, j.holdsSlot, j.yieldRequested, j.timedOut],
      [priority, 6 - priority, 1000, false, true, true, true, false],
    );
    j.attempt = 1001;
    j.holdsSlot = false;
    assert.deepEqual([j.basePriority, j.effectivePriority, j.attempt, j.holdsSlot], [priority, 6 - priority, 1001, false]);
  }
});

test('an effective priority outside 0 to 6 or between classes is refused', () => {
  const j = job(3);
  for (const bad of [-1, 7, 2.5, Number.NaN]) assert.throws(() => (j.effectivePriority = bad), RangeError);
  assert.equal(j.effectivePriority, 3);
});

test('a running job keeps its list index in queueIndex, below -1, and reads as not queued', () => {
  const running = new RunningJobs(createPriorityQueue(), true);
  const jobs = [job(1), job(2), job(3), job(4)];
  for (const j of jobs) running.add(j);
  assert.deepEqual(
    jobs.map((j) => j.queueIndex),
    [-2, -3, -4, -5],
  );
  running.remove(jobs[1]!); // the last one moves into its place
  assert.equal(jobs[1]!.queueIndex, -1);
  assert.equal(jobs[3]!.queueIndex, -3);
  assert.equal(running.size, 3);
  running.remove(jobs[1]!); // not running any more: nothing happens
  assert.equal(running.size, 3);
  assert.deepEqual(new Set(running.list()), new Set([jobs[0], jobs[2], jobs[3]]));
  for (const j of [jobs[3]!, jobs[0]!, jobs[2]!]) running.remove(j);
  assert.equal(running.size, 0);
  assert.ok(jobs.every((j) => j.queueIndex === -1));
});

test('the preemption candidate follows adds and removals of the running list', () => {
  const running = new RunningJobs(createPriorityQueue(Number.POSITIVE_INFINITY), true);
  const urgent = job(1);
  const least = job(5);
  const pinned = job(6, 0, { preemptible: false });
  const middle = job(3);
  for (const j of [urgent, least, pinned, middle]) running.add(j);
  assert.equal(running.candidate(), least); // the IDLE job may not be asked
  running.remove(urgent); // `middle` moves to index 0
  assert.equal(running.candidate(), least);
  running.remove(least);
  assert.equal(running.candidate(), middle);
  middle.yieldRequested = true;
  running.invalidate();
  assert.equal(running.candidate(), undefined);
});
