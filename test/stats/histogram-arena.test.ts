import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { HistogramArena } from '../../src/stats/histogram-arena.js';
import { DurationHistogram } from '../../src/stats/histogram.js';

test('histograms on different pages of the arena never see each other', () => {
  const arena = new HistogramArena();
  const ids = Array.from({ length: 300 }, () => arena.allocate()); // three pages of 128
  assert.equal(new Set(ids).size, 300);
  ids.forEach((id, i) => {
    for (let n = 0; n <= i % 7; n++) arena.record(id, i);
  });
  ids.forEach((id, i) => {
    assert.equal(arena.count(id), (i % 7) + 1, `count of histogram ${i}`);
    assert.equal(arena.max(id), i);
    assert.equal(arena.sum(id), i * ((i % 7) + 1));
    assert.equal(arena.percentile(id, 50), i, `p50 of histogram ${i}`); // clamped to [min, max] = [i, i]
  });
});

test('neighbouring histograms keep their own bucket counts: each p50 follows its own mix', () => {
  const arena = new HistogramArena();
  const ids = Array.from({ length: 260 }, () => arena.allocate()); // neighbours within and across pages
  // histogram i: (i % 5) + 1 samples of 1 ms and 3 samples of 100 ms, so p50 is 1 ms when the ones
  // reach the median rank and 100 ms otherwise; a counter shared with a neighbour would flip it
  ids.forEach((id, i) => {
    for (let n = 0; n <= i % 5; n++) arena.record(id, 1);
    for (let n = 0; n < 3; n++) arena.record(id, 100);
  });
  ids.forEach((id, i) => {
    const ones = (i % 5) + 1;
    const expected = ones >= Math.ceil((ones + 3) / 2) ? 1 : 100;
    assert.ok(Math.abs(arena.percentile(id, 50) - expected) <= expected / 32, `p50 of histogram ${i}: ${arena.percentile(id, 50)}`);
    assert.equal(arena.count(id), ones + 3, `count of histogram ${i}`);
  });
  arena.reset(ids[1]!);
  assert.equal(arena.count(ids[1]!), 0);
  assert.ok(Math.abs(arena.percentile(ids[0]!, 50) - 100) <= 100 / 32); // the neighbours were not reset
  assert.ok(Math.abs(arena.percentile(ids[2]!, 50) - 1) <= 1 / 32);
  assert.equal(arena.count(ids[2]!), 6);
});

test('a released id comes back empty, and its neighbours keep their samples', () => {
  const arena = new HistogramArena();
  const [a, b, c] = [arena.allocate(), arena.allocate(), arena.allocate()];
  for (const id of [a, b, c]) arena.record(id, 5);
  arena.release(b);
  const reused = arena.allocate();
  assert.equal(reused, b);
  assert.equal(arena.count(reused), 0);
  assert.equal(arena.percentile(reused, 99), 0);
  assert.equal(arena.max(reused), 0);
  arena.record(reused, 0.5);
  assert.equal(arena.percentile(reused, 50), 0.5); // min was reset too: 0.5 is not clamped up to 5
  for (const id of [a, c]) assert.equal(arena.count(id), 1);
});

test('the twin: without a release, allocate never hands out an id in use', () => {
  const arena = new HistogramArena();
  const first = arena.allocate();
  arena.record(first, 3);
  const second = arena.allocate();
  assert.notEqual(second, first);
  assert.equal(arena.count(first), 1);
  assert.equal(arena.count(second), 0);
});

test('a DurationHistogram that is collected gives its id back to the arena; a live one keeps it', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const kept = new DurationHistogram();
  kept.record(7);
  // made and dropped inside a function: nothing keeps them alive afterwards
  const droppedIds = ((): Set<number> => new Set(Array.from({ length: 1000 }, () => new DurationHistogram().id)))();
  // finalizers run in a later task: collect, yield, until they have (bounded)
  for (let i = 0; i < 20; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const probe = new DurationHistogram();
    if (droppedIds.has(probe.id)) {
      assert.equal(probe.count, 0, 'a reused id starts empty');
      assert.notEqual(probe.id, kept.id);
      assert.equal(kept.count, 1, 'the live histogram kept its sample');
      return;
    }
  }
  assert.fail('no id of a collected histogram came back');
});

test('a pair is an even id and the next one, each its own histogram; it is reused as a pair once both halves are back', () => {
  const arena = new HistogramArena();
  const single = arena.allocate(); // id 0: the first pair must skip to an even id
  const pair = arena.allocatePair();
  assert.equal(pair % 2, 0);
  assert.notEqual(pair, single);
  arena.record(pair, 3);
  arena.record(pair + 1, 7);
  arena.record(pair + 1, 7);
  assert.deepEqual([arena.count(pair), arena.max(pair), arena.count(pair + 1), arena.max(pair + 1)], [1, 3, 2, 7]);
  const other = arena.allocatePair();
  assert.ok(other !== pair && other + 1 !== pair && other !== pair + 1);
  arena.release(pair + 1); // one half back: the pair is not free yet
  assert.notEqual(arena.allocatePair(), pair);
  arena.release(pair);
  assert.equal(arena.allocatePair(), pair, 'both halves back: handed out again as a pair');
  assert.deepEqual([arena.count(pair), arena.count(pair + 1), arena.max(pair + 1)], [0, 0, 0]);
});

test('the twin: released pair halves never come back as singles, and singles never join a pair', () => {
  const arena = new HistogramArena();
  const pair = arena.allocatePair();
  const loose = arena.allocate();
  arena.release(pair);
  arena.release(loose);
  assert.equal(arena.allocate(), loose, 'the single comes back as a single');
  assert.notEqual(arena.allocate(), pair, 'a released half whose sibling is in use stays out');
  const taken = new Set<number>();
  for (let i = 0; i < 300; i++) {
    const id = arena.allocatePair();
    for (const half of [id, id + 1]) {
      assert.ok(!taken.has(half) && half !== pair + 1, `id ${half} handed out twice`);
      taken.add(half);
    }
  }
});

test('a task-like pair of handles: collected or released one by one, the arena gets the pair back', () => {
  const [a, b] = DurationHistogram.pair();
  assert.equal(b.id, a.id + 1);
  a.record(2);
  b.record(4);
  assert.deepEqual([a.count, a.maxMs, b.count, b.maxMs], [1, 2, 1, 4]);
  b.release();
  a.release();
  const [c, d] = DurationHistogram.pair();
  assert.deepEqual([c.id, d.id, c.count, d.count], [a.id, b.id, 0, 0]);
  c.release();
  d.release();
});
