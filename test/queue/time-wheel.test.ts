import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimeWheel } from '../../src/queue/time-wheel.js';
import { rng } from '../fixtures/rng.js';

interface Item {
  at: number;
  /** Insertion order: the tie-break among equal times. */
  seq: number;
  index: number;
}

const before = (a: Item, b: Item): number => a.at - b.at || a.seq - b.seq;

function newWheel(): TimeWheel<Item> {
  return new TimeWheel<Item>(
    (item, index) => {
      item.index = index;
    },
    (item) => item.at,
  );
}

/** Due times as the timeline sees them: mostly near (fractions of ms, ties), some seconds ahead, a few hours, never. */
function dueTime(random: () => number, now: number): number {
  const r = random();
  if (r < 0.3) return now + Math.floor(random() * 20);
  if (r < 0.6) return now + random() * 50;
  if (r < 0.85) return now + Math.floor(random() * 6000);
  if (r < 0.97) return now + random() * 3_600_000;
  return r < 0.985 ? Number.POSITIVE_INFINITY : now - random() * 10;
}

test('the wheel matches a sorted array under random push, pop, remove and re-schedule', () => {
  const random = rng(7);
  for (let round = 0; round < 30; round++) {
    const wheel = newWheel();
    const model: Item[] = [];
    let seq = 0;
    let now = round * 1_000_000 * random();
    for (let step = 0; step < 3000; step++) {
      const op = random();
      if (op < 0.4 || model.length === 0) {
        const item = { at: dueTime(random, now), seq: seq++, index: -1 };
        wheel.push(item, item.at);
        model.push(item);
      } else if (op < 0.7) {
        model.sort(before);
        const expected = model.shift()!;
        assert.equal(wheel.peek(), expected);
        assert.equal(wheel.pop(), expected);
        assert.equal(expected.index, -1);
        if (Number.isFinite(expected.at) && expected.at > now) now = expected.at; // time moves on as the timeline's does
      } else if (op < 0.85) {
        const [item] = model.splice(Math.floor(random() * model.length), 1);
        wheel.remove(item!.index);
        assert.equal(item!.index, -1);
      } else {
        // re-schedule: out, then in again as the latest insertion
        const item = model[Math.floor(random() * model.length)]!;
        wheel.remove(item.index);
        item.at = dueTime(random, now);
        item.seq = seq++;
        wheel.push(item, item.at);
      }
      assert.equal(wheel.size, model.length);
    }
    const seen: Item[] = [];
    wheel.forEach((item) => seen.push(item));
    assert.deepEqual(seen.sort(before), model.sort(before));
    for (const expected of model) assert.equal(wheel.pop(), expected);
    assert.equal(wheel.pop(), undefined);
  }
});

test('entries due at the same instant leave in insertion order, across the heap, the buckets and beyond the span', () => {
  const wheel = newWheel();
  const order: string[] = [];
  const items = new Map<string, Item>();
  const add = (name: string, at: number): void => {
    const item = { at, seq: 0, index: -1 };
    items.set(name, item);
    wheel.push(item, at);
  };
  add('first', 10_000); // beyond the span while the wheel sits at 5
  add('anchor', 5);
  add('second', 10_000);
  assert.equal(wheel.pop(), items.get('anchor'));
  add('third', 10_000);
  for (let item = wheel.pop(); item !== undefined; item = wheel.pop()) {
    order.push([...items].find(([, value]) => value === item)![0]);
  }
  assert.deepEqual(order, ['first', 'second', 'third']);
});

test('a bucket of many removed entries is compacted, keeping its order, and clear() empties everything', () => {
  const wheel = newWheel();
  const kept: Item[] = [];
  for (let i = 0; i < 10_000; i++) {
    const item = { at: 100.5, seq: i, index: -1 };
    wheel.push(item, item.at);
    if (i % 100 === 0) kept.push(item);
    else wheel.remove(item.index);
  }
  const late = { at: 100.25, seq: -1, index: -1 };
  wheel.push(late, late.at);
  assert.equal(wheel.size, kept.length + 1);
  assert.equal(wheel.pop(), late);
  for (const item of kept) assert.equal(wheel.pop(), item);
  const items = [1, 5000, 1e9, Number.POSITIVE_INFINITY].map((at) => ({ at, seq: 0, index: -1 }));
  for (const item of items) wheel.push(item, item.at);
  wheel.clear();
  assert.equal(wheel.size, 0);
  assert.equal(wheel.pop(), undefined);
  for (const item of items) assert.equal(item.index, -1);
  assert.throws(() => wheel.remove(2), RangeError);
});
