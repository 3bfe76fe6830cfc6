/// <reference lib="es2024.sharedmemory" />
/**
 * Reliability plan E7, concurrency soak (the CI-sized cut): 8 rings, each fed by its own producer
 * thread, drained by one consumer (this thread) that visits them in a seeded random order with a
 * random mix of `shift` and `drain(n)` and random busy pauses, so the producers meet full rings,
 * laps and empty rings at ever-different moments. Half the rings reject when full, half drop the
 * oldest; half the producers push record by record, half append and flush in batches.
 * Invariants, checked on every take: each record is intact and in order, the counters balance
 * (produced = consumed + dropped + depth) and count exactly what was delivered; at the end every
 * produced record is accounted for, and on drop-oldest rings the seqs never seen are exactly the
 * dropped ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { SharedRing, type OverflowPolicy, type RingRecord } from '../../src/queue/ring-buffer.js';
import { rng } from '../fixtures/rng.js';
import { DONE } from './fixtures/ring-control.js';
import { go, newTally, startProducer, tallyBalance, tallyRecord, type Producer, type Tally } from './fixtures/ring-harness.js';

const PAIRS = 8;
const RECORDS = 20_000;
const MAX_LENGTH = 64;
/** Producers pause a random 0..PAUSE_SPINS atomic loads per record: about the consumer's pace, so rings fill, lap and run dry in turn. */
const PAUSE_SPINS = 4000;

interface Pair {
  ring: SharedRing;
  overflow: OverflowPolicy;
  producer: Producer;
  tally: Tally;
}

test('E7: 8 producer threads, one consumer taking in random order and pace: every record intact, in order and accounted for', async () => {
  const random = rng(7);
  const pairs: Pair[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const overflow: OverflowPolicy = i % 2 === 0 ? 'reject' : 'drop-oldest';
    const ring = SharedRing.create({ slots: 64, slotBytes: MAX_LENGTH, overflow });
    const batched = i % 4 >= 2;
    const producer = await startProducer(ring, { mode: 'flood', count: RECORDS, maxLength: MAX_LENGTH, pauseSpins: PAUSE_SPINS, seed: i + 1, gated: true, ...(batched ? { flushEvery: 16 } : {}) });
    pairs.push({ ring, overflow, producer, tally: newTally() });
  }
  for (const pair of pairs) go(pair.producer);
  const done = (pair: Pair): boolean => Atomics.load(pair.producer.control, DONE) === 1 && pair.ring.counters().depth === 0;
  let takes = 0;
  while (!pairs.every(done)) {
    const pair = pairs[Math.floor(random() * PAIRS)]!;
    const visit = (record: RingRecord): void => tallyRecord(pair.tally, record, MAX_LENGTH);
    const roll = random();
    if (roll < 0.4) {
      const record = pair.ring.shift();
      if (record !== undefined) visit(record);
    } else {
      pair.ring.drain(1 + Math.floor(random() * 48), visit);
    }
    tallyBalance(pair.ring, pair.tally);
    if (roll > 0.97) {
      const until = performance.now() + random() * 0.2; // a consumer that falls behind now and then
      while (performance.now() < until);
    }
    if (++takes % 1024 === 0) await nextTurn(); // let the workers' events through
  }
  await Promise.all(pairs.map((pair) => pair.producer.exited));
  for (const [i, { ring, overflow, tally }] of pairs.entries()) {
    const counters = ring.counters();
    const label = `ring ${i} (${overflow}): ${JSON.stringify({ counters, tally })}`;
    assert.deepEqual([tally.corrupt, tally.outOfOrder, tally.unbalanced], [0, 0, 0], label);
    assert.equal(counters.produced, RECORDS, label);
    assert.equal(counters.consumed + counters.dropped, RECORDS, label);
    assert.equal(tally.delivered, counters.consumed, label);
    if (overflow === 'reject') {
      assert.equal(counters.dropped, 0, label);
      assert.deepEqual([tally.firstSeq, tally.gaps], [0, 0], label);
    } else {
      assert.equal(tally.firstSeq + tally.gaps + (RECORDS - 1 - tally.lastSeq), counters.dropped, label);
    }
  }
  // the pace did make the drop-oldest rings lap (otherwise this soak tested only the easy path)
  assert.ok(pairs.some((pair) => pair.ring.counters().dropped > 0), 'no ring ever overflowed');
});
