import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Heap } from '../../src/queue/heap.js';
import { KeyedHeap } from '../../src/queue/keyed-heap.js';

interface Item {
  key: number;
  id: number;
  pos: number;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const compare = (a: Item, b: Item): number => a.key - b.key || a.id - b.id;

/** The operations both heaps share, so one randomized test checks each against a sorted array. */
interface HeapUnderTest {
  readonly size: number;
  push(item: Item): void;
  pop(): Item | undefined;
  peek(): Item | undefined;
  removeAt(index: number): void;
  /** `item.key` changed */
  rekey(item: Item): void;
}

const setPos = (item: Item, index: number): void => {
  item.pos = index;
};

function binaryHeap(): HeapUnderTest {
  const heap = new Heap<Item>(compare, setPos);
  return {
    get size() {
      return heap.size;
    },
    push: (item) => heap.push(item),
    pop: () => heap.pop(),
    peek: () => heap.peek(),
    removeAt: (index) => heap.removeAt(index),
    rekey: (item) => heap.update(item.pos),
  };
}

function keyedHeap(): HeapUnderTest {
  // primary: the key; secondary: a constant (so ties fall to the tertiary); tertiary: the id
  const heap = new KeyedHeap<Item>(setPos);
  return {
    get size() {
      return heap.size;
    },
    push: (item) => heap.push(item, item.key, 0, item.id),
    pop: () => heap.pop(),
    peek: () => heap.peek(),
    removeAt: (index) => heap.removeAt(index),
    rekey: (item) => heap.rekey(item.pos, item.key, 0, item.id),
  };
}

for (const [label, create] of [['Heap', binaryHeap], ['KeyedHeap', keyedHeap]] as const) {
  test(`${label} matches a sorted array under random push, pop, remove and re-key`, () => {
    randomOperations(create);
  });
}

function randomOperations(create: () => HeapUnderTest): void {
  const random = rng(42);
  for (let round = 0; round < 20; round++) {
    const heap = create();
    const model: Item[] = [];
    let nextId = 0;
    for (let step = 0; step < 2000; step++) {
      const op = random();
      if (op < 0.45 || model.length === 0) {
        const item = { key: Math.floor(random() * 100), id: nextId++, pos: -1 };
        heap.push(item);
        model.push(item);
      } else if (op < 0.7) {
        model.sort(compare);
        const expected = model.shift();
        const actual = heap.pop();
        assert.equal(actual, expected);
        assert.equal(actual?.pos, -1);
      } else if (op < 0.85) {
        const victim = model[Math.floor(random() * model.length)]!;
        heap.removeAt(victim.pos);
        assert.equal(victim.pos, -1);
        model.splice(model.indexOf(victim), 1);
      } else {
        const target = model[Math.floor(random() * model.length)]!;
        target.key = Math.floor(random() * 100);
        heap.rekey(target);
      }
      assert.equal(heap.size, model.length);
      model.sort(compare);
      assert.equal(heap.peek(), model[0]);
    }
    const drained: Item[] = [];
    for (let item = heap.pop(); item !== undefined; item = heap.pop()) drained.push(item);
    assert.deepEqual(drained, model.sort(compare));
  }
}

test('KeyedHeap orders by primary, then secondary, then tertiary; Infinity equals Infinity', () => {
  const heap = new KeyedHeap<string>();
  heap.push('c', Number.POSITIVE_INFINITY, 2, 1);
  heap.push('b', Number.POSITIVE_INFINITY, 1, 9);
  heap.push('a', 5, 9, 9);
  heap.push('d', Number.POSITIVE_INFINITY, 2, 3);
  for (let i = 0; i < 100; i++) heap.push(`x${i}`, 6 + (i % 3), i % 5, i); // grows past 64
  const out: string[] = [];
  for (let item = heap.pop(); item !== undefined; item = heap.pop()) out.push(item);
  assert.deepEqual(out.slice(0, 1), ['a']);
  assert.deepEqual(out.slice(-3), ['b', 'c', 'd']);
  assert.equal(out.length, 104);
});

test('positions reported by the hook always index the item', () => {
  const items: Item[] = [];
  const heap = new Heap<Item>(compare, (item, index) => {
    item.pos = index;
  });
  for (let i = 0; i < 500; i++) {
    const item = { key: (i * 7919) % 101, id: i, pos: -1 };
    items.push(item);
    heap.push(item);
  }
  const seen: Item[] = [];
  heap.forEach((item) => seen.push(item));
  assert.equal(seen.length, 500);
  for (const item of items) assert.equal(seen[item.pos], item);
  heap.clear();
  assert.equal(heap.size, 0);
  assert.ok(items.every((item) => item.pos === -1));
});

test('removeAt rejects an index out of range', () => {
  const heap = new Heap<number>((a, b) => a - b);
  heap.push(1);
  assert.throws(() => heap.removeAt(1), /out of range/);
  assert.throws(() => heap.removeAt(-1), /out of range/);
  assert.equal(heap.pop(), 1);
  assert.equal(heap.pop(), undefined);
});
