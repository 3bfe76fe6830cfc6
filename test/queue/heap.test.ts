import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Heap } from '../../src/queue/heap.js';
import { rng } from '../fixtures/rng.js';

interface Item {
  key: number;
  id: number;
  pos: number;
}


const compare = (a: Item, b: Item): number => a.key - b.key || a.id - b.id;

function newHeap(): Heap<Item> {
  return new Heap<Item>((item, index) => {
    item.pos = index;
  });
}

// primary: the key; secondary: a constant, so ties fall through to the tertiary (the id)
const push = (heap: Heap<Item>, item: Item): void => heap.push(item, item.key, 0, item.id);

test('the heap matches a sorted array under random push, pop, remove and re-key', () => {
  const random = rng(42);
  for (let round = 0; round < 20; round++) {
    const heap = newHeap();
    const model: Item[] = [];
    let nextId = 0;
    for (let step = 0; step < 2000; step++) {
      const op = random();
      if (op < 0.45 || model.length === 0) {
        const item = { key: Math.floor(random() * 100), id: nextId++, pos: -1 };
        push(heap, item);
        model.push(item);
      } else if (op < 0.7) {
        model.sort(compare);
        const expected = model.shift();
        const actual = heap.pop();
        assert.equal(actual, expected);
        assert.equal(actual?.pos, -1);
      } else if (op < 0.85) {
        const victim = model[Math.floor(random() * model.length)]!;
        heap.remove(victim.pos);
        assert.equal(victim.pos, -1);
        model.splice(model.indexOf(victim), 1);
      } else {
        const target = model[Math.floor(random() * model.length)]!;
        target.key = Math.floor(random() * 100);
        heap.rekey(target.pos, target.key, 0, target.id);
      }
      assert.equal(heap.size, model.length);
      model.sort(compare);
      assert.equal(heap.peek(), model[0]);
    }
    const drained: Item[] = [];
    for (let item = heap.pop(); item !== undefined; item = heap.pop()) drained.push(item);
    assert.deepEqual(drained, model.sort(compare));
  }
});

test('orders by primary, then secondary, then tertiary; Infinity equals Infinity; grows past its first capacity', () => {
  const heap = new Heap<string>();
  heap.push('c', Number.POSITIVE_INFINITY, 2, 1);
  heap.push('b', Number.POSITIVE_INFINITY, 1, 9);
  heap.push('a', 5, 9, 9);
  heap.push('d', Number.POSITIVE_INFINITY, 2, 3);
  for (let i = 0; i < 100; i++) heap.push(`x${i}`, 6 + (i % 3), i % 5, i);
  const out: string[] = [];
  for (let item = heap.pop(); item !== undefined; item = heap.pop()) out.push(item);
  assert.equal(out[0], 'a');
  assert.deepEqual(out.slice(-3), ['b', 'c', 'd']);
  assert.equal(out.length, 104);
});

test('slots are told once, reused after removal, and reset by clear', () => {
  const items: Item[] = [];
  const heap = newHeap();
  for (let i = 0; i < 500; i++) {
    const item = { key: (i * 7919) % 101, id: i, pos: -1 };
    items.push(item);
    push(heap, item);
  }
  const slots = new Set(items.map((item) => item.pos));
  assert.equal(slots.size, 500, 'a distinct slot each');
  const seen: Item[] = [];
  heap.forEach((item) => seen.push(item));
  assert.equal(seen.length, 500);
  const freed = items[7]!.pos;
  heap.remove(freed);
  const again = { key: 1, id: 999, pos: -1 };
  push(heap, again);
  assert.equal(again.pos, freed, 'the freed slot is reused');
  heap.clear();
  assert.equal(heap.size, 0);
  assert.ok(items.every((item) => item.pos === -1));
});

test('remove and rekey refuse a slot that holds no entry', () => {
  const heap = new Heap<number>();
  heap.push(1, 1, 0, 0);
  assert.throws(() => heap.remove(1), /slot 1 holds no entry/);
  assert.throws(() => heap.remove(-1), /holds no entry/);
  assert.throws(() => heap.rekey(5, 0, 0, 0), /holds no entry/);
  assert.equal(heap.pop(), 1);
  assert.throws(() => heap.remove(0), /holds no entry/, 'popped: the slot is free');
  assert.equal(heap.pop(), undefined);
});
