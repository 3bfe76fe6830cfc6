import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrderedRing } from '../../src/queue/ordered-ring.js';
import { createPriorityQueue } from '../../src/scheduler/policies/priority.js';
import { createFifoQueue } from '../../src/scheduler/policies/fifo.js';
import type { Dispatchable, ReadyQueue } from '../../src/scheduler/ready-queue.js';
import { rng } from '../fixtures/rng.js';


function item(priority: number, readyAt: number, seq: number): Dispatchable {
  return { basePriority: priority, effectivePriority: priority, readyAt, deadlineAt: Infinity, seq, queueIndex: -1, level: 0, start: () => {} };
}

interface Scenario {
  name: string;
  make: () => ReadyQueue;
  /** The reference order: negative when `a` goes first. */
  order: (a: Dispatchable, b: Dispatchable) => number;
}

const byKeys = (k1: (x: Dispatchable) => number, k2: (x: Dispatchable) => number) => (a: Dispatchable, b: Dispatchable) =>
  k1(a) - k1(b) || k2(a) - k2(b) || a.seq - b.seq;

const STEP = 50;
const scenarios: Scenario[] = [
  { name: 'priority with aging', make: () => createPriorityQueue(STEP), order: byKeys((x) => x.readyAt + x.effectivePriority * STEP, (x) => x.effectivePriority) },
  { name: 'priority without aging', make: () => createPriorityQueue(Infinity), order: byKeys((x) => x.effectivePriority, (x) => x.readyAt) },
  { name: 'fifo', make: () => createFifoQueue(), order: byKeys((x) => x.readyAt, () => 0) },
];

for (const scenario of scenarios) {
  test(`${scenario.name}: the ring queue matches a sorted array under random push, pop, remove and re-prioritise`, () => {
    const random = rng(7);
    for (let round = 0; round < 30; round++) {
      const queue = scenario.make();
      const model: Dispatchable[] = [];
      let now = 0;
      let seq = 0;
      const pick = (): Dispatchable => model[Math.floor(random() * model.length)]!;
      for (let step = 0; step < 3000; step++) {
        now += Math.floor(random() * 3); // often equal readyAt: ties fall to the class, then seq
        const op = random();
        if (op < 0.45 || model.length === 0) {
          // mostly whole classes released now; some released in the past (a periodic run) or between classes
          const late = random() < 0.1;
          const priority = random() < 0.05 ? 2.5 : Math.floor(random() * 7);
          const it = item(priority, late ? now - Math.floor(random() * 200) : now, ++seq);
          queue.push(it);
          model.push(it);
        } else if (op < 0.75) {
          model.sort(scenario.order);
          const expected = model.shift();
          const actual = queue.pop();
          assert.equal(actual, expected);
          assert.equal(actual?.queueIndex, -1);
        } else if (op < 0.88) {
          const victim = pick();
          queue.remove(victim);
          assert.equal(victim.queueIndex, -1);
          model.splice(model.indexOf(victim), 1);
        } else {
          // priority inheritance raises (or restores) an effective priority while queued
          const target = pick();
          target.effectivePriority = Math.floor(random() * 7);
          queue.update(target);
        }
        assert.equal(queue.size, model.length);
        model.sort(scenario.order);
        assert.equal(queue.peek(), model[0]);
        for (const queued of model) assert.ok(queued.queueIndex >= 0);
      }
      const seen = new Set<Dispatchable>();
      queue.forEach((x) => seen.add(x));
      assert.deepEqual([...seen].sort(scenario.order), model);
      while (model.length > 0) assert.equal(queue.pop(), model.shift());
      assert.equal(queue.pop(), undefined);
      assert.equal(queue.size, 0);
    }
  });
}

test('priority queue: items queued in order stay out of the heap; an item re-keyed or released late goes there and still leaves first when due', () => {
  const queue = createPriorityQueue(STEP);
  const a = item(3, 0, 1);
  const b = item(3, 10, 2);
  const c = item(3, 5, 3); // released earlier than b: breaks the lane's order
  queue.push(a);
  queue.push(b);
  queue.push(c);
  assert.equal(a.queueIndex & 7, 3);
  assert.equal(b.queueIndex & 7, 3);
  assert.equal(c.queueIndex & 7, 7);
  b.effectivePriority = 0;
  queue.update(b);
  assert.equal(b.queueIndex & 7, 7);
  assert.deepEqual([queue.pop(), queue.pop(), queue.pop()], [b, a, c]);
});

test('ordered ring: order kept across growth, holes and wrap-around; moved entries are told their new position', () => {
  const positions = new Map<number, number>();
  const ring = new OrderedRing<number>((value, position) => positions.set(value, position));
  const random = rng(3);
  const model: number[] = [];
  let next = 0;
  for (let step = 0; step < 20000; step++) {
    const op = random();
    if (op < 0.5 || model.length === 0) {
      assert.ok(ring.canAppend(next, 0, 0));
      positions.set(next, ring.push(next, next, 0, 0));
      model.push(next++);
    } else if (op < 0.8) {
      assert.equal(ring.shift(), model.shift());
    } else {
      const victim = model[Math.floor(random() * model.length)]!;
      assert.equal(ring.remove(positions.get(victim)!), victim === model[0]);
      model.splice(model.indexOf(victim), 1);
    }
    assert.equal(ring.size, model.length);
    assert.equal(ring.peek(), model[0]);
  }
});

test('ordered ring: an entry ordering before the tail is refused, an equal one accepted; an empty ring accepts any', () => {
  const ring = new OrderedRing<string>(() => {});
  ring.push('a', 5, 1, 10);
  assert.equal(ring.canAppend(5, 1, 10), true);
  assert.equal(ring.canAppend(5, 1, 9), false);
  assert.equal(ring.canAppend(5, 0, 99), false);
  assert.equal(ring.canAppend(4, 9, 99), false);
  assert.equal(ring.canAppend(6, 0, 0), true);
  ring.shift();
  assert.equal(ring.canAppend(-100, 0, 0), true);
});

test('ordered ring: removing a position that holds nothing is a RangeError naming it', () => {
  const ring = new OrderedRing<string>(() => {});
  const at = ring.push('a', 1, 0, 0);
  ring.shift();
  assert.throws(() => ring.remove(at), /position 0 holds no entry/);
});
