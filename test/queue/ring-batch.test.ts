/// <reference lib="es2024.sharedmemory" />
/**
 * SharedRing batches: `append` + `flush` on the producer side, `drain(max, visit)` on the consumer
 * side. The single-record paths, and producer and consumer threads with and without batches, are
 * covered in ./ring-buffer.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { on, once } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { InvalidConfigError, RingRecordTooLargeError } from '../../src/errors.js';
import { SharedRing, type RingCounters, type RingRecord } from '../../src/queue/ring-buffer.js';
import { checkRecord } from './fixtures/pattern.js';
import { assertBalanced, pushPattern } from './fixtures/ring-harness.js';
import { startTsWorker } from './fixtures/ts-worker.js';

const consumerFile = new URL('./fixtures/ring-consumer.ts', import.meta.url);
const WAITING_WORD = 48; // header word the consumer raises while it sleeps (H_WAITING in ring-buffer.ts)
/** Byte offset of a slot in the documented layout: 256-byte header, slots of align64(24 + slotBytes). */
const slotOffset = (ring: SharedRing, seq: number): number => 256 + (seq & (ring.slots - 1)) * Math.ceil((24 + ring.slotBytes) / 64) * 64;

/** Drain everything into a list of seqs, checking each record's pattern and the balance after each batch. */
function drainSeqs(ring: SharedRing, max: number, maxLength: number): number[] {
  const seqs: number[] = [];
  const visit = (record: RingRecord): void => {
    assert.ok(checkRecord(record.seq, record.type, record.ts, record.data, maxLength), `record ${record.seq}`);
    seqs.push(record.seq);
  };
  for (let taken = ring.drain(max, visit); taken > 0; taken = ring.drain(max, visit)) {
    assert.ok(taken <= max);
    assertBalanced(ring.counters());
  }
  return seqs;
}

test('append is invisible until flush; flush publishes the batch at once; drain takes up to max in order', () => {
  const ring = SharedRing.create({ slots: 8, slotBytes: 16 });
  for (let i = 0; i < 5; i++) assert.equal(pushPattern(ring, 16, 'append'), true);
  assert.equal(ring.nextSeq, 5);
  assert.deepEqual(ring.counters(), { produced: 0, consumed: 0, dropped: 0, rejected: 0, depth: 0 });
  assert.equal(ring.shift(), undefined);
  assert.equal(ring.drain(10, () => assert.fail('nothing is published yet')), 0);
  ring.flush();
  ring.flush(); // nothing new: a no-op
  assert.deepEqual(ring.counters(), { produced: 5, consumed: 0, dropped: 0, rejected: 0, depth: 5 });
  const seen: number[] = [];
  const inVisit: RingCounters[] = [];
  assert.equal(
    ring.drain(3, (record) => {
      seen.push(record.seq);
      inVisit.push(ring.counters());
    }),
    3,
  );
  assert.deepEqual(seen, [0, 1, 2]);
  for (const counters of inVisit) assert.deepEqual(counters, { produced: 5, consumed: 0, dropped: 0, rejected: 0, depth: 5 }); // the batch counts once drain returns
  assert.deepEqual(ring.counters(), { produced: 5, consumed: 3, dropped: 0, rejected: 0, depth: 2 });
  assert.equal(ring.shift()?.seq, 3);
  assert.deepEqual(drainSeqs(ring, 100, 16), [4]);
  assert.equal(ring.drain(0, () => assert.fail('max 0 takes nothing')), 0);
  assert.throws(() => ring.drain(Number.NaN, () => {}), (error: unknown) => error instanceof InvalidConfigError && /max .*\(got NaN\)/.test(error.message));
  assert.throws(() => ring.drain(-1, () => {}), /\(got -1\)/);
  assert.deepEqual(ring.counters(), { produced: 5, consumed: 5, dropped: 0, rejected: 0, depth: 0 });
  assert.throws(() => ring.append(1, 0, new Uint8Array(17)), RingRecordTooLargeError);
  assert.equal(ring.nextSeq, 5);
});

test('a visitor that throws: the records taken so far, the throwing one included, count as consumed', () => {
  const ring = SharedRing.create({ slots: 8, slotBytes: 16 });
  for (let i = 0; i < 4; i++) pushPattern(ring, 16);
  assert.throws(() =>
    ring.drain(4, (record) => {
      if (record.seq === 1) throw new Error('visitor failed');
    }),
  /visitor failed/);
  assert.deepEqual(ring.counters(), { produced: 4, consumed: 2, dropped: 0, rejected: 0, depth: 2 });
  assert.deepEqual(drainSeqs(ring, 8, 16), [2, 3]);
});

test('batches across the 2^31 and 2^32 index wraps: exact seqs, and a restarted side reads the published indices (E5, E6)', () => {
  for (const startSeq of [2 ** 31 - 20, 2 ** 32 - 20, 3 * 2 ** 31 - 7, Number.MAX_SAFE_INTEGER - 2 ** 40]) {
    const ring = SharedRing.create({ slots: 32, slotBytes: 64, startSeq });
    let expected = startSeq;
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 13; i++) assert.equal(pushPattern(ring, 64, 'append'), true);
      ring.flush();
      const seqs = drainSeqs(ring, 5, 64);
      assert.deepEqual(seqs, Array.from({ length: 13 }, (_, k) => expected + k));
      expected += 13;
      const restarted = SharedRing.attach(ring.buffer); // reads both wide indices from the header alone
      assert.equal(restarted.nextSeq, expected, `start ${startSeq}, round ${round}`);
      assert.deepEqual(restarted.counters(), { produced: expected - startSeq, consumed: expected - startSeq, dropped: 0, rejected: 0, depth: 0 });
    }
    assert.ok(expected > startSeq + 64);
  }
});

test('drop-oldest: a consumer lapped during a drain skips what was overwritten and counts it exactly (E1)', () => {
  const ring = SharedRing.create({ slots: 8, slotBytes: 64, startSeq: 2 ** 32 - 4 });
  const producer = SharedRing.attach(ring.buffer);
  for (let i = 0; i < 8; i++) pushPattern(producer, 64);
  const seqs: number[] = [];
  let lapped = false;
  const taken = ring.drain(100, (record) => {
    assert.ok(checkRecord(record.seq, record.type, record.ts, record.data, 64));
    seqs.push(record.seq - (2 ** 32 - 4));
    if (!lapped) {
      lapped = true;
      for (let i = 0; i < 20; i++) pushPattern(producer, 64, 'append'); // seqs 8..27: the newest 8 survive
      producer.flush();
    }
  });
  // 0 was delivered; 1..19 were overwritten (found by their stamps, then by the lap); 20..27 remain.
  assert.deepEqual(seqs, [0, 20, 21, 22, 23, 24, 25, 26, 27]);
  assert.equal(taken, 9);
  assert.deepEqual(ring.counters(), { produced: 28, consumed: 9, dropped: 19, rejected: 0, depth: 0 });
});

test('drop-oldest twin: a drain that is not lapped delivers every record and drops none', () => {
  const ring = SharedRing.create({ slots: 8, slotBytes: 64, startSeq: 2 ** 32 - 4 });
  const producer = SharedRing.attach(ring.buffer);
  for (let i = 0; i < 8; i++) pushPattern(producer, 64);
  let refilled = false;
  const seqs: number[] = [];
  ring.drain(100, (record) => {
    seqs.push(record.seq - (2 ** 32 - 4));
    if (!refilled && record.seq - (2 ** 32 - 4) === 7) {
      refilled = true; // the ring is empty from the producer's point of view only after the drain publishes; 8 more still fit below a lap
      for (let i = 0; i < 8; i++) pushPattern(producer, 64, 'append');
      producer.flush();
    }
  });
  assert.deepEqual(seqs, Array.from({ length: 16 }, (_, k) => k));
  assert.deepEqual(ring.counters(), { produced: 16, consumed: 16, dropped: 0, rejected: 0, depth: 0 });
});

test('a record torn while a drain copies it is dropped, never delivered; the twin without tampering delivers all (E3)', () => {
  for (const tamper of [true, false]) {
    const ring = SharedRing.create({ slots: 4, slotBytes: 16 });
    for (let i = 0; i < 4; i++) pushPattern(ring, 16);
    const seqs: number[] = [];
    ring.drain(4, (record) => {
      assert.ok(checkRecord(record.seq, record.type, record.ts, record.data, 16));
      seqs.push(record.seq);
      if (tamper && record.seq === 0) {
        // A producer opens the slot of seq 1 to write seq 5 (begin = 5) and dies before committing.
        const at = slotOffset(ring, 1);
        new Int32Array(ring.buffer)[at / 4] = 5;
        new Uint8Array(ring.buffer, at + 24, 8).fill(0xee);
      }
    });
    assert.deepEqual(seqs, tamper ? [0, 2, 3] : [0, 1, 2, 3]);
    assert.deepEqual(ring.counters(), { produced: 4, consumed: tamper ? 3 : 4, dropped: tamper ? 1 : 0, rejected: 0, depth: 0 });
  }
});

test('reject: append refuses when the ring is full, flushed or not; it frees only when a drain publishes (E2)', () => {
  const ring = SharedRing.create({ slots: 4, slotBytes: 16, overflow: 'reject' });
  for (let i = 0; i < 4; i++) assert.equal(pushPattern(ring, 16, 'append'), true);
  assert.equal(pushPattern(ring, 16, 'append'), false); // unflushed records hold their slots
  assert.deepEqual(ring.counters(), { produced: 0, consumed: 0, dropped: 0, rejected: 1, depth: 0 });
  ring.flush();
  assert.equal(pushPattern(ring, 16, 'append'), false);
  assert.deepEqual(ring.counters(), { produced: 4, consumed: 0, dropped: 0, rejected: 2, depth: 4 });
  let refusedInVisit = 0;
  ring.drain(2, () => {
    if (!pushPattern(ring, 16, 'append')) refusedInVisit++; // not released until the drain returns
  });
  assert.equal(refusedInVisit, 2);
  assert.equal(pushPattern(ring, 16, 'append'), true);
  assert.equal(pushPattern(ring, 16, 'append'), true);
  assert.equal(pushPattern(ring, 16, 'append'), false);
  ring.flush();
  assert.deepEqual(drainSeqs(ring, 8, 16), [2, 3, 4, 5]);
  assert.deepEqual(ring.counters(), { produced: 6, consumed: 6, dropped: 0, rejected: 5, depth: 0 });
});

test('reject twin: appends into a ring with room are never refused', () => {
  const ring = SharedRing.create({ slots: 16, slotBytes: 16, overflow: 'reject' });
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 16; i++) assert.equal(pushPattern(ring, 16, 'append'), true);
    ring.flush();
    assert.equal(drainSeqs(ring, 7, 16).length, 16);
  }
  assert.deepEqual(ring.counters(), { produced: 800, consumed: 800, dropped: 0, rejected: 0, depth: 0 });
});

test('wake-ups: unflushed appends leave a waiter asleep; the flush wakes it (twin, one thread)', async () => {
  const ring = SharedRing.create({ slots: 8, slotBytes: 16 });
  pushPattern(ring, 16, 'append');
  assert.equal(ring.wait(5), 'timed-out');
  assert.equal(await ring.waitAsync(5), 'timed-out');
  ring.flush();
  assert.equal(ring.wait(60_000), 'ok');
  assert.equal(await ring.waitAsync(60_000), 'ok');
});

test('threads: flush wakes a consumer thread sleeping in wait(), once per batch, nothing lost', async () => {
  const batches = 20;
  const perBatch = 16;
  const maxLength = 64;
  const ring = SharedRing.create({ slots: 32, slotBytes: maxLength, overflow: 'reject' });
  const waiting = new Int32Array(ring.buffer, 0, 64);
  const consumer = startTsWorker(consumerFile, { workerData: { ring: ring.buffer, count: batches * perBatch, maxLength } });
  const exited = once(consumer, 'exit');
  const messages = on(consumer, 'message');
  await messages.next(); // ready
  for (let batch = 0; batch < batches; batch++) {
    for (let i = 0; i < perBatch; i++) assert.equal(pushPattern(ring, maxLength, 'append'), true);
    // Handshake: the consumer took everything flushed so far and is asleep (its waiting flag is up).
    while (Atomics.load(waiting, WAITING_WORD) === 0 || ring.counters().depth !== 0) await nextTurn();
    ring.flush();
  }
  const [result] = (await messages.next()).value as [{ delivered: number; firstSeq: number; corrupt: number; outOfOrder: number; timedOut: number; waits: number; counters: RingCounters }];
  await exited;
  assert.deepEqual([result.delivered, result.firstSeq, result.corrupt, result.outOfOrder, result.timedOut], [batches * perBatch, 0, 0, 0, 0]);
  assert.ok(result.waits >= batches, `waits ${result.waits}`);
  assert.deepEqual(result.counters, { produced: batches * perBatch, consumed: batches * perBatch, dropped: 0, rejected: 0, depth: 0 });
});
