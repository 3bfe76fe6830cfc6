/// <reference lib="es2024.sharedmemory" />
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { AbortError, ConsumerBusyError, InvalidConfigError, PayloadTypeError, RingRecordTooLargeError } from '../../src/errors.js';
import { SharedRing } from '../../src/queue/ring-buffer.js';
import { PayloadReader } from '../../src/workers/data-plane/payload-reader.js';
import { RingPayloadSource, RingPayloadWriter, createRingChannel, type RingChannelInit } from '../../src/workers/data-plane/ring-channel.js';
import { payloadNow } from '../../src/workers/data-plane/timeline.js';
import { PayloadTypeTable } from '../../src/workers/data-plane/type-table.js';
import type { WorkerPayload } from '../../src/workers/data-plane/payload.js';
import { startTsWorker } from '../queue/fixtures/ts-worker.js';

const threadFile = new URL('./fixtures/data-plane-thread.ts', import.meta.url);
const TYPES = ['frame', 'ft_sample', 'log'];

async function waitFlag(control: Int32Array, index: number): Promise<void> {
  while (Atomics.load(control, index) === 0) {
    const keepAlive = setInterval(() => {}, 60_000);
    const waiting = Atomics.waitAsync(control, index, 0, 30_000);
    if (waiting.async) await waiting.value;
    clearInterval(keepAlive);
  }
}

async function startPublisher(init: RingChannelInit, count: number, mode: 'retry' | 'once', waitForGo = false): Promise<{ control: Int32Array; exited: Promise<unknown> }> {
  const control = new Int32Array(new SharedArrayBuffer(12));
  const worker = startTsWorker(threadFile, { workerData: { init, control: control.buffer, count, types: TYPES, mode, waitForGo } });
  worker.on('error', (error) => assert.fail(error));
  const exited = once(worker, 'exit');
  await waitFlag(control, 0);
  return { control, exited };
}

const indexOf = (payload: WorkerPayload): number => new DataView(payload.data.buffer, payload.data.byteOffset, 8).getFloat64(0, true);

test('type table: stable ids, shared through the buffer, names validated, bounded', () => {
  const table = PayloadTypeTable.create({ maxTypes: 3 });
  assert.equal(table.idOf('frame'), 0);
  assert.equal(table.idOf('ft_sample'), 1);
  assert.equal(table.idOf('frame'), 0);
  const reader = PayloadTypeTable.attach(table.buffer);
  assert.deepEqual([reader.nameOf(0), reader.nameOf(1), reader.nameOf(2)], ['frame', 'ft_sample', undefined]);
  const restartedWriter = PayloadTypeTable.attach(table.buffer);
  assert.equal(restartedWriter.idOf('ft_sample'), 1);
  assert.equal(restartedWriter.idOf('log'), 2);
  assert.equal(reader.nameOf(2), 'log');
  assert.throws(() => restartedWriter.idOf('one_too_many'), (error: unknown) => error instanceof PayloadTypeError && /holds 3 types/.test(error.message));
  for (const bad of ['', 'has space', 'x'.repeat(65), 'é', 'a\nb']) assert.throws(() => table.idOf(bad), PayloadTypeError);
  assert.throws(() => PayloadTypeTable.create({ maxTypes: 0 }), InvalidConfigError);
  assert.throws(() => PayloadTypeTable.attach(new SharedArrayBuffer(64)), InvalidConfigError);
});

test('ring channel in one thread: payloads with type names, seqs, timestamps and owned data', () => {
  const init = createRingChannel({ slots: 8, slotBytes: 16 });
  const writer = new RingPayloadWriter(init, { now: () => 5 });
  const source = new RingPayloadSource(init);
  assert.equal(writer.publish('frame', Uint8Array.of(1, 2)), true);
  assert.equal(writer.publish('log', Uint8Array.of(3), 7.5), true);
  assert.throws(() => writer.publish('frame', new Uint8Array(17)), RingRecordTooLargeError);
  assert.throws(() => writer.publish('not ok', new Uint8Array(1)), PayloadTypeError);
  const first = source.poll();
  const second = source.poll();
  assert.deepEqual(first && { ...first, data: [...first.data] }, { ts: 5, seq: 0, type: 'frame', data: [1, 2] });
  assert.deepEqual(second && { ...second, data: [...second.data] }, { ts: 7.5, seq: 1, type: 'log', data: [3] });
  assert.equal(first?.data.buffer instanceof SharedArrayBuffer, false);
  assert.equal(source.poll(), undefined);
  assert.deepEqual(source.counters(), { dropped: 0, depth: 0, rejected: 0, invalid: 0 });
});

test('records of a type the table never issued are skipped and counted as invalid; the twin: known types are not', () => {
  const init = createRingChannel({ slots: 64, slotBytes: 8 });
  const frame = PayloadTypeTable.attach(init.types).idOf('frame');
  const producer = SharedRing.attach(init.ring); // the writer's ring, so that some records can carry a type id the table never issued
  const source = new RingPayloadSource(init);
  for (let i = 0; i < 40; i++) producer.push(i % 10 === 3 ? 99 : frame, 1, Uint8Array.of(i));
  const seen: number[] = [];
  for (let payload = source.poll(); payload !== undefined; payload = source.poll()) seen.push(payload.data[0]!);
  assert.deepEqual(seen, Array.from({ length: 40 }, (_, k) => k).filter((i) => i % 10 !== 3));
  assert.deepEqual(source.counters(), { dropped: 4, depth: 0, rejected: 0, invalid: 4 });
  assert.deepEqual(SharedRing.attach(init.ring).counters(), { produced: 40, consumed: 40, dropped: 0, rejected: 0, depth: 0 }); // the ring itself dropped nothing
});

test('a worker thread publishes through the ring; the reader delivers every payload in order (reject + retry, no loss)', async () => {
  const count = 20_000;
  const init = createRingChannel({ slots: 64, slotBytes: 64, overflow: 'reject' });
  const reader = new PayloadReader({ name: 'ft-sensor' });
  reader.attach(new RingPayloadSource(init));
  const publisher = await startPublisher(init, count, 'retry');
  let expected = 0;
  for await (const payload of reader.payloads()) {
    assert.equal(payload.seq, expected);
    assert.equal(payload.type, TYPES[expected % 3]);
    assert.equal(indexOf(payload), expected);
    if (++expected === count) break;
  }
  await publisher.exited;
  const counters = reader.counters();
  assert.deepEqual({ ...counters, rejected: 0, latencyMs: undefined }, { delivered: count, dropped: 0, rejected: 0, invalid: 0, depth: 0, latencyMs: undefined });
  assert.ok(counters.latencyMs.p50 >= 0 && counters.latencyMs.max >= counters.latencyMs.p99);
});

test('drop-oldest with nobody reading: the reader gets the newest `slots` payloads and counts the rest as dropped', async () => {
  const count = 5000;
  const init = createRingChannel({ slots: 16, slotBytes: 64 });
  const reader = new PayloadReader();
  reader.attach(new RingPayloadSource(init));
  const publisher = await startPublisher(init, count, 'once');
  await waitFlag(publisher.control, 1);
  await publisher.exited;
  const seqs: number[] = [];
  for (let payload = reader.poll(); payload; payload = reader.poll()) seqs.push(payload.seq);
  assert.deepEqual(seqs, Array.from({ length: 16 }, (_, i) => count - 16 + i));
  const counters = reader.counters();
  assert.deepEqual([counters.delivered, counters.dropped, counters.depth], [16, count - 16, 0]);
});

test('aborting the iteration ends it with AbortError at once; the reader can be iterated again afterwards', async () => {
  const init = createRingChannel({ slots: 4, slotBytes: 8 });
  const reader = new PayloadReader();
  reader.attach(new RingPayloadSource(init));
  const controller = new AbortController();
  const iterating = (async () => {
    for await (const _payload of reader.payloads({ signal: controller.signal })) {
      controller.abort(); // after the first payload, abort while waiting for the next
    }
  })();
  new RingPayloadWriter(init).publish('log', Uint8Array.of(1));
  await assert.rejects(iterating, AbortError);
  new RingPayloadWriter(init).publish('log', Uint8Array.of(2));
  for await (const payload of reader.payloads()) {
    assert.equal(payload.data[0], 2);
    break;
  }
});

test('a second concurrent iteration is refused with ConsumerBusyError', async () => {
  const reader = new PayloadReader({ name: 'camera' });
  const controller = new AbortController();
  const first = reader.payloads({ signal: controller.signal })[Symbol.asyncIterator]();
  const pending = first.next();
  await assert.rejects(reader.payloads()[Symbol.asyncIterator]().next(), (error: unknown) => error instanceof ConsumerBusyError && /camera/.test(error.message));
  controller.abort();
  await assert.rejects(pending, AbortError);
});

test('attach across worker generations: the old source drains first, counts carry over, close ends the iteration', async () => {
  const first = createRingChannel({ slots: 4, slotBytes: 8 });
  const second = createRingChannel({ slots: 4, slotBytes: 8, startSeq: 100 });
  const reader = new PayloadReader();
  reader.attach(new RingPayloadSource(first));
  const firstWriter = new RingPayloadWriter(first);
  for (let i = 0; i < 6; i++) firstWriter.publish('log', Uint8Array.of(i)); // 2 dropped (4 slots)
  const seen: number[] = [];
  const iterating = (async () => {
    for await (const payload of reader.payloads()) seen.push(payload.seq);
  })();
  reader.attach(new RingPayloadSource(second));
  const secondWriter = new RingPayloadWriter(second);
  secondWriter.publish('log', Uint8Array.of(100));
  secondWriter.publish('log', Uint8Array.of(101));
  while (reader.counters().delivered < 6) await new Promise((resolve) => setImmediate(resolve));
  reader.close();
  await iterating;
  assert.deepEqual(seen, [2, 3, 4, 5, 100, 101]);
  assert.deepEqual({ ...reader.counters(), latencyMs: undefined }, { delivered: 6, dropped: 2, rejected: 0, invalid: 0, depth: 0, latencyMs: undefined });
});

test('latency is measured from the worker ts to delivery on the injected clock', () => {
  const init = createRingChannel({ slots: 8, slotBytes: 8 });
  const writer = new RingPayloadWriter(init);
  let now = 100;
  const reader = new PayloadReader({ now: () => now });
  reader.attach(new RingPayloadSource(init));
  writer.publish('frame', Uint8Array.of(1), 90);
  writer.publish('frame', Uint8Array.of(1), 99.5);
  reader.poll();
  now = 102;
  reader.poll();
  const latency = reader.counters().latencyMs;
  assert.equal(latency.max, 10);
  assert.ok(latency.p50 >= 2.4 && latency.p50 <= 2.6, String(latency.p50));
});

test('a reader with no source waits; close ends the iteration (and keeps the loop alive meanwhile)', async () => {
  const reader = new PayloadReader();
  const iterating = (async () => {
    let count = 0;
    for await (const _payload of reader.payloads()) count++;
    return count;
  })();
  await new Promise((resolve) => setImmediate(resolve));
  reader.close();
  assert.equal(await iterating, 0);
});

test('the payload timeline agrees across threads', async () => {
  const timeline = new URL('../../src/workers/data-plane/timeline.ts', import.meta.url).href;
  const code = `import('tsx/esm/api')
    .then(({ register }) => { register(); return Promise.all([import(${JSON.stringify(timeline)}), import('node:worker_threads')]); })
    .then(([{ payloadNow }, { parentPort }]) => parentPort.postMessage(payloadNow()))`;
  const before = payloadNow();
  const thread = new Worker(code, { eval: true });
  const exited = once(thread, 'exit');
  const [theirs] = (await once(thread, 'message')) as [number];
  const after = payloadNow();
  await exited;
  assert.ok(theirs >= before - 1 && theirs <= after + 1, `${before} <= ${theirs} <= ${after}`);
});
