/// <reference lib="es2024.sharedmemory" />
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { on, once } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { InvalidConfigError, RingRecordTooLargeError } from '../../src/errors.js';
import { SharedRing, type RingCounters } from '../../src/queue/ring-buffer.js';
import { publishWide, readWide } from '../../src/queue/wide-counter.js';
import { checkRecord } from './fixtures/pattern.js';
import { ACK, DONE, PUSHED } from './fixtures/ring-control.js';
import { assertBalanced, consumeUntilDone, newTally, pushPattern, startProducer, tallyBalance, tallyRecord, waitAtLeast } from './fixtures/ring-harness.js';
import { startTsWorker } from './fixtures/ts-worker.js';

const consumerFile = new URL('./fixtures/ring-consumer.ts', import.meta.url);
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

test('options are validated eagerly, naming the field and the value', () => {
  assert.throws(() => SharedRing.create({ slots: 0, slotBytes: 64 }), (error: unknown) => error instanceof InvalidConfigError && /slots.*\(got 0\)/.test(error.message));
  assert.throws(() => SharedRing.create({ slots: 8, slotBytes: Number.NaN }), /slotBytes.*\(got NaN\)/);
  assert.throws(() => SharedRing.create({ slots: 8, slotBytes: 64, overflow: 'block' as never }), /overflow.*"block"/);
  assert.throws(() => SharedRing.create({ slots: 8, slotBytes: 64, startSeq: -1 }), /startSeq.*\(got -1\)/);
  assert.throws(() => SharedRing.create({ slots: 2 ** 24, slotBytes: 2 ** 20 }), /bytes, above the/);
  assert.throws(() => SharedRing.attach(new SharedArrayBuffer(1024)), /not a SharedRing/);
  assert.throws(() => SharedRing.attach(new ArrayBuffer(1024) as unknown as SharedArrayBuffer), InvalidConfigError);
  const ring = SharedRing.create({ slots: 1000, slotBytes: 10 });
  assert.equal(ring.slots, 1024);
  assert.equal(ring.overflow, 'drop-oldest');
  const other = SharedRing.attach(ring.buffer);
  assert.deepEqual([other.slots, other.slotBytes, other.overflow], [1024, 10, 'drop-oldest']);
});

test('records come out in order with their seq, ts, type and bytes; the record object is reused', () => {
  const ring = SharedRing.create({ slots: 4, slotBytes: 8 });
  assert.equal(ring.shift(), undefined);
  assert.equal(ring.push(7, 1.5, bytes(1, 2, 3)), true);
  assert.equal(ring.push(8, 2.5, bytes()), true);
  assert.equal(ring.push(9, 3.5, bytes(1, 2, 3, 4, 5, 6, 7, 8)), true);
  const first = ring.shift();
  assert.deepEqual(first && { seq: first.seq, ts: first.ts, type: first.type, data: [...first.data] }, { seq: 0, ts: 1.5, type: 7, data: [1, 2, 3] });
  const second = ring.shift();
  assert.equal(second, first);
  assert.deepEqual([second?.seq, second?.type, second?.data.length], [1, 8, 0]);
  assert.deepEqual([...(ring.shift()?.data ?? [])], [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(ring.shift(), undefined);
  assert.deepEqual(ring.counters(), { produced: 3, consumed: 3, dropped: 0, rejected: 0, depth: 0 });
});

test('a record larger than a slot or with a bad type throws and writes nothing', () => {
  const ring = SharedRing.create({ slots: 2, slotBytes: 4 });
  assert.throws(() => ring.push(1, 0, new Uint8Array(5)), (error: unknown) => error instanceof RingRecordTooLargeError && error.code === 'ERR_TACTUS_RING_RECORD_TOO_LARGE' && error.size === 5);
  assert.throws(() => ring.push(-1, 0, bytes(1)), InvalidConfigError);
  assert.throws(() => ring.push(1.5, 0, bytes(1)), InvalidConfigError);
  assert.deepEqual(ring.counters(), { produced: 0, consumed: 0, dropped: 0, rejected: 0, depth: 0 });
  assert.equal(ring.push(2 ** 32 - 1, 0, bytes(1)), true);
  assert.equal(ring.shift()?.type, 2 ** 32 - 1);
});

test('drop-oldest: the consumer skips what was overwritten and counts it exactly (E1)', () => {
  const ring = SharedRing.create({ slots: 4, slotBytes: 8 });
  for (let i = 0; i < 10; i++) {
    assert.equal(ring.push(1, i, bytes(i)), true);
    assertBalanced(ring.counters());
  }
  assert.deepEqual(ring.counters(), { produced: 10, consumed: 0, dropped: 6, rejected: 0, depth: 4 });
  const seen: number[] = [];
  for (let record = ring.shift(); record; record = ring.shift()) {
    assert.equal(record.data[0], record.seq);
    seen.push(record.seq);
    assertBalanced(ring.counters());
  }
  assert.deepEqual(seen, [6, 7, 8, 9]);
  assert.deepEqual(ring.counters(), { produced: 10, consumed: 4, dropped: 6, rejected: 0, depth: 0 });
});

test('no false drops: a consumer that keeps up sees every record and zero drops (twin)', () => {
  const ring = SharedRing.create({ slots: 4, slotBytes: 8 });
  for (let i = 0; i < 1000; i++) {
    ring.push(1, i, bytes(i & 0xff));
    if (i % 4 === 3) for (let record = ring.shift(); record; record = ring.shift()) assert.equal(record.seq, record.ts);
  }
  assert.deepEqual(ring.counters(), { produced: 1000, consumed: 1000, dropped: 0, rejected: 0, depth: 0 });
});

test("reject: a full ring refuses the record, counts it, and loses nothing (E2)", () => {
  const ring = SharedRing.create({ slots: 4, slotBytes: 8, overflow: 'reject' });
  for (let i = 0; i < 4; i++) assert.equal(ring.push(1, i, bytes(i)), true);
  assert.equal(ring.push(1, 4, bytes(4)), false);
  assert.equal(ring.push(1, 4, bytes(4)), false);
  assert.deepEqual(ring.counters(), { produced: 4, consumed: 0, dropped: 0, rejected: 2, depth: 4 });
  assert.equal(ring.shift()?.seq, 0);
  assert.equal(ring.push(1, 4, bytes(4)), true);
  const seqs: number[] = [];
  for (let record = ring.shift(); record; record = ring.shift()) seqs.push(record.seq);
  assert.deepEqual(seqs, [1, 2, 3, 4]);
  assert.deepEqual(ring.counters(), { produced: 5, consumed: 5, dropped: 0, rejected: 2, depth: 0 });
});

test('the wide counter is exact across 2^31 and 2^32 boundaries up to 2^53', () => {
  const words = new Int32Array(new SharedArrayBuffer(12));
  const numbers = new Float64Array(2); // [written, read back]
  const roundTrip = (value: number): number => {
    numbers[0] = value;
    publishWide(words, 0, numbers, 0);
    readWide(words, 0, numbers, 1);
    return numbers[1]!;
  };
  for (const base of [0, 2 ** 31, 2 ** 32, 5 * 2 ** 32, 2 ** 52, Number.MAX_SAFE_INTEGER - 2 ** 33]) {
    for (let delta = -3; delta <= 3; delta++) {
      for (const edge of [0, 2 ** 30, 2 ** 31, 3 * 2 ** 30]) {
        const value = base + edge + delta;
        if (value >= 0) assert.equal(roundTrip(value), value, `value ${value}`);
      }
    }
  }
  assert.equal(roundTrip(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);
});

test('index wraparound: seqs stay exact across 2^32 and near 2^53, with and without laps (E6)', () => {
  for (const startSeq of [2 ** 32 - 16, 2 ** 31 - 3, Number.MAX_SAFE_INTEGER - 2 ** 40]) {
    const ring = SharedRing.create({ slots: 8, slotBytes: 64, startSeq });
    let expected = startSeq;
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 5; i++) assert.equal(pushPattern(ring, 64), true);
      for (let record = ring.shift(); record; record = ring.shift()) {
        assert.equal(record.seq, expected++);
        assert.ok(checkRecord(record.seq, record.type, record.ts, record.data, 64));
      }
    }
    assert.deepEqual(ring.counters(), { produced: 100, consumed: 100, dropped: 0, rejected: 0, depth: 0 });
    // Lapped across the wrap: 37 records into 8 slots, only the newest 8 survive.
    for (let i = 0; i < 37; i++) pushPattern(ring, 64);
    assert.deepEqual(ring.counters(), { produced: 137, consumed: 100, dropped: 29, rejected: 0, depth: 8 });
    const seqs: number[] = [];
    for (let record = ring.shift(); record; record = ring.shift()) {
      assert.ok(checkRecord(record.seq, record.type, record.ts, record.data, 64));
      seqs.push(record.seq - startSeq);
    }
    assert.deepEqual(seqs, [129, 130, 131, 132, 133, 134, 135, 136]);
  }
});

/** Byte offset of a slot in the documented layout: 256-byte header, slots of align64(24 + slotBytes). */
const slotOffset = (ring: SharedRing, seq: number): number => 256 + (seq & (ring.slots - 1)) * Math.ceil((24 + ring.slotBytes) / 64) * 64;

test('a producer that died mid-write never yields its record; a restarted producer continues the sequence', () => {
  const ring = SharedRing.create({ slots: 4, slotBytes: 16 });
  ring.push(1, 0, bytes(0));
  // A producer opens the slot for seq 1 (seqlock `begin`), writes half a record, and dies.
  const words = new Int32Array(ring.buffer);
  const at = slotOffset(ring, 1);
  words[at / 4] = 1;
  new Uint8Array(ring.buffer, at + 24, 16).fill(0xee);
  assert.equal(ring.shift()?.seq, 0);
  assert.equal(ring.shift(), undefined);
  const restarted = SharedRing.attach(ring.buffer);
  assert.equal(restarted.nextSeq, 1);
  restarted.push(1, 1, bytes(1, 1));
  const record = ring.shift();
  assert.deepEqual(record && [record.seq, [...record.data]], [1, [1, 1]]);
  assertBalanced(ring.counters());
});

test('a lagging consumer drops a slot the producer is rewriting instead of delivering it torn (E3)', () => {
  const ring = SharedRing.create({ slots: 4, slotBytes: 16 });
  for (let i = 0; i < 4; i++) ring.push(1, i, new Uint8Array(16).fill(i));
  // The producer opened the slot of seq 0 to write seq 4 (begin = 4) and died before committing.
  const words = new Int32Array(ring.buffer);
  const at = slotOffset(ring, 4);
  words[at / 4] = 4;
  new Uint8Array(ring.buffer, at + 24, 8).fill(0xee);
  const record = ring.shift();
  assert.equal(record?.seq, 1);
  assert.deepEqual([...(record?.data ?? [])], new Array<number>(16).fill(1));
  assert.deepEqual(ring.counters(), { produced: 4, consumed: 1, dropped: 1, rejected: 0, depth: 2 });
});

test('a restarted consumer continues where the last one stopped: no double delivery (E5)', () => {
  const ring = SharedRing.create({ slots: 8, slotBytes: 8 });
  for (let i = 0; i < 6; i++) ring.push(1, i, bytes(i));
  assert.equal(ring.shift()?.seq, 0);
  assert.equal(ring.shift()?.seq, 1);
  const next = SharedRing.attach(ring.buffer);
  const seqs: number[] = [];
  for (let record = next.shift(); record; record = next.shift()) seqs.push(record.seq);
  assert.deepEqual(seqs, [2, 3, 4, 5]);
  assert.deepEqual(next.counters(), { produced: 6, consumed: 6, dropped: 0, rejected: 0, depth: 0 });
});

test('waitAsync resolves at once when data is there and times out when none comes (twin)', async () => {
  const ring = SharedRing.create({ slots: 4, slotBytes: 8 });
  assert.equal(await ring.waitAsync(5), 'timed-out');
  assert.equal(ring.wait(1), 'timed-out');
  ring.push(1, 0, bytes(1));
  assert.equal(await ring.waitAsync(60_000), 'ok');
  assert.equal(ring.wait(60_000), 'ok');
});

test('threads: a waiting consumer is woken by a push from a worker thread', async () => {
  const ring = SharedRing.create({ slots: 4, slotBytes: 64 });
  const waiting = ring.waitAsync(30_000);
  const producer = await startProducer(ring, { mode: 'flood', count: 1, maxLength: 64 });
  assert.equal(await waiting, 'ok');
  await waitAtLeast(producer.control, DONE, 1);
  assert.ok(ring.shift());
  await producer.exited;
});

/** Thread tests run record by record and in batches (append + flush every 7 / drain up to 8): same outcomes. */
const BATCHING = [
  { name: 'push/shift', producer: {}, consumer: {} },
  { name: 'append+flush/drain', producer: { flushEvery: 7 }, consumer: { drainMax: 8 } },
] as const;

for (const batching of BATCHING) {
  test(`threads, ${batching.name}, drop-oldest flood across the 2^32 wrap: exact accounting, increasing seqs, no torn record (E1, E3, E6)`, async () => {
    const count = 2_000_000;
    const maxLength = 256;
    const startSeq = 2 ** 32 - 1_000_000;
    const ring = SharedRing.create({ slots: 4, slotBytes: maxLength, startSeq });
    const producer = await startProducer(ring, { mode: 'flood', count, maxLength, ...batching.producer });
    await waitAtLeast(producer.control, PUSHED, 100); // start behind, so laps are certain
    const tally = newTally();
    consumeUntilDone(ring, producer.control, maxLength, tally, batching.consumer);
    await producer.exited;
    const counters = ring.counters();
    assert.deepEqual(
      { corrupt: tally.corrupt, outOfOrder: tally.outOfOrder, unbalanced: tally.unbalanced },
      { corrupt: 0, outOfOrder: 0, unbalanced: 0 },
    );
    assert.deepEqual(counters, { produced: count, consumed: tally.delivered, dropped: count - tally.delivered, rejected: 0, depth: 0 });
    assert.equal(tally.firstSeq - startSeq + tally.gaps + (startSeq + count - 1 - tally.lastSeq), counters.dropped);
    assert.ok(counters.dropped >= 96, `dropped ${counters.dropped}`);
    assert.ok(tally.lastSeq > 2 ** 32);
  });

  test(`threads, ${batching.name}, consumer keeps up (twin): every record delivered, zero drops, across the 2^32 wrap`, async () => {
    const count = 200_000;
    const maxLength = 256;
    const startSeq = 2 ** 32 - 100_000;
    const ring = SharedRing.create({ slots: 64, slotBytes: maxLength, startSeq });
    const producer = await startProducer(ring, { mode: 'bursts', count, maxLength, burst: 64, ...batching.producer });
    const tally = newTally();
    consumeUntilDone(ring, producer.control, maxLength, tally, {
      ...batching.consumer,
      onDelivered: (sofar) => {
        if (ring.counters().depth === 0) {
          Atomics.store(producer.control, ACK, sofar.delivered);
          Atomics.notify(producer.control, ACK);
        }
      },
    });
    await producer.exited;
    assert.deepEqual(tally, { delivered: count, corrupt: 0, outOfOrder: 0, gaps: 0, firstSeq: startSeq, lastSeq: startSeq + count - 1, unbalanced: 0 });
    assert.deepEqual(ring.counters(), { produced: count, consumed: count, dropped: 0, rejected: 0, depth: 0 });
  });

  test(`threads, ${batching.name}, reject: the producer is refused while full, nothing is lost (E2)`, async () => {
    const count = 50_000;
    const maxLength = 128;
    const ring = SharedRing.create({ slots: 16, slotBytes: maxLength, overflow: 'reject' });
    const producer = await startProducer(ring, { mode: 'flood', count, maxLength, ...batching.producer });
    while (ring.counters().rejected === 0) await nextTurn(); // the ring is full and the producer is being refused
    const tally = newTally();
    consumeUntilDone(ring, producer.control, maxLength, tally, batching.consumer);
    await producer.exited;
    assert.deepEqual([tally.delivered, tally.corrupt, tally.outOfOrder, tally.gaps, tally.firstSeq, tally.unbalanced], [count, 0, 0, 0, 0, 0]);
    const counters = ring.counters();
    assert.deepEqual({ ...counters, rejected: 0 }, { produced: count, consumed: count, dropped: 0, rejected: 0, depth: 0 });
    assert.ok(counters.rejected > 0);
  });
}

test('threads: a consumer thread sleeping in wait() is woken for every burst', async () => {
  const count = 20_000;
  const maxLength = 64;
  const ring = SharedRing.create({ slots: 32, slotBytes: maxLength, overflow: 'reject' });
  const consumer = startTsWorker(consumerFile, { workerData: { ring: ring.buffer, count, maxLength } });
  const exited = once(consumer, 'exit');
  const messages = on(consumer, 'message');
  await messages.next(); // ready
  for (let pushed = 0; pushed < count; ) {
    if (pushPattern(ring, maxLength)) pushed++;
    if (pushed % 1000 === 0) await nextTurn(); // let the consumer drain and fall asleep now and then
  }
  const [result] = (await messages.next()).value as [{ delivered: number; firstSeq: number; corrupt: number; outOfOrder: number; timedOut: number; waits: number; counters: RingCounters }];
  await exited;
  assert.deepEqual([result.delivered, result.firstSeq, result.corrupt, result.outOfOrder, result.timedOut], [count, 0, 0, 0, 0]);
  assert.ok(result.waits > 0);
  assert.deepEqual({ ...result.counters, rejected: 0 }, { produced: count, consumed: count, dropped: 0, rejected: 0, depth: 0 });
});

test('threads: producers terminated at arbitrary points never leave a corrupt or duplicate record (E3)', async () => {
  const maxLength = 4096;
  const ring = SharedRing.create({ slots: 8, slotBytes: maxLength });
  const tally = newTally();
  let pushedTotal = 0;
  for (let trial = 0; trial < 5; trial++) {
    const producer = await startProducer(ring, { mode: 'flood', count: 1e9, maxLength });
    await waitAtLeast(producer.control, PUSHED, 200 + trial * 137);
    await producer.worker.terminate();
    pushedTotal += Atomics.load(producer.control, PUSHED);
    for (let record = ring.shift(); record; record = ring.shift()) tallyRecord(tally, record, maxLength);
    tallyBalance(ring, tally);
    const counters = ring.counters();
    assertBalanced(counters);
    assert.ok(counters.produced - pushedTotal <= trial + 1, `produced ${counters.produced}, pushed ${pushedTotal}`);
  }
  assert.deepEqual([tally.corrupt, tally.outOfOrder], [0, 0]);
  assert.ok(tally.delivered >= 5 * 8 - 5);
});
