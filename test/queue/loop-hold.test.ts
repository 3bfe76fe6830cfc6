/// <reference lib="es2024.sharedmemory" />
/**
 * The event-loop hold behind `SharedRing.waitAsync` (src/queue/loop-hold.ts): a pending wait keeps
 * the loop alive, a finished one leaves nothing behind. "Alive" is read from
 * `process.getActiveResourcesInfo()`, which lists only the handles that keep the loop alive.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { holdLoop, releaseLoop } from '../../src/queue/loop-hold.js';
import { SharedRing } from '../../src/queue/ring-buffer.js';
import { RingPayloadSource, RingPayloadWriter, createRingChannel } from '../../src/workers/data-plane/ring-channel.js';
import { startTsWorker } from './fixtures/ts-worker.js';

const asyncConsumerFile = new URL('./fixtures/ring-async-consumer.ts', import.meta.url);
const liveTimers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

test('holds nest: the loop is held from the first hold to the last release, then let go', () => {
  const base = liveTimers();
  holdLoop();
  holdLoop();
  assert.equal(liveTimers(), base + 1, 'one handle for any number of holds');
  releaseLoop();
  assert.equal(liveTimers(), base + 1, 'still held by the other hold');
  releaseLoop();
  assert.equal(liveTimers(), base);
  holdLoop();
  assert.equal(liveTimers(), base + 1, 'held again after a full release');
  releaseLoop();
  assert.equal(liveTimers(), base);
});

test('a pending waitAsync holds the loop; 500 finished waits leave no handle behind (twin: a wait that returns at once holds nothing)', async () => {
  const ring = SharedRing.create({ slots: 4, slotBytes: 8 });
  const base = liveTimers();
  for (let i = 0; i < 500; i++) {
    const waiting = ring.waitAsync(Number.POSITIVE_INFINITY);
    assert.equal(liveTimers(), base + 1);
    ring.push(1, i, Uint8Array.of(i & 0xff));
    assert.equal(await waiting, 'ok');
    assert.equal(liveTimers(), base);
    assert.equal(ring.shift()?.ts, i);
  }
  ring.push(1, 0, Uint8Array.of(1));
  const immediate = ring.waitAsync(Number.POSITIVE_INFINITY);
  assert.equal(liveTimers(), base);
  assert.equal(await immediate, 'ok');
  assert.ok(ring.shift());
  assert.equal(await ring.waitAsync(1), 'timed-out');
  assert.equal(liveTimers(), base);
});

test('a ring source holds the loop only while it waits, wait after wait (twin: after close nothing is held)', async () => {
  const init = createRingChannel({ slots: 4, slotBytes: 8 });
  const source = new RingPayloadSource(init);
  const writer = new RingPayloadWriter(init);
  const base = liveTimers();
  for (let i = 0; i < 200; i++) {
    const waiting = source.wait(60_000);
    assert.ok(liveTimers() > base, 'held while waiting');
    writer.publish('log', Uint8Array.of(i & 0xff));
    await waiting;
    assert.equal(liveTimers(), base, 'let go after the wait');
    assert.equal(source.poll()?.data[0], i & 0xff);
  }
  const interrupted = source.wait(60_000);
  source.interrupt();
  await interrupted;
  source.close();
  await source.wait(60_000);
  assert.equal(liveTimers(), base);
});

test('threads: an event-loop consumer thread stays up on its pending waits alone and exits on its own after the last', { timeout: 60_000 }, async () => {
  const count = 50;
  const ring = SharedRing.create({ slots: 4, slotBytes: 8 });
  const worker = startTsWorker(asyncConsumerFile, { workerData: { ring: ring.buffer, count } });
  const exited = once(worker, 'exit');
  let gone = false;
  void exited.then(() => (gone = true));
  const messages: { delivered?: number; waits?: number }[] = [];
  worker.on('message', (message: { delivered?: number; waits?: number }) => messages.push(message));
  await once(worker, 'message');
  for (let i = 0; i < count && !gone; i++) {
    ring.push(1, i, Uint8Array.of(i));
    // the next record only once this one was taken, so the consumer runs dry and waits in between
    while (!gone && ring.counters().consumed <= i) await nextTurn();
  }
  const [code] = (await exited) as [number];
  assert.equal(code, 0);
  const report = messages.find((message) => message.delivered !== undefined);
  assert.equal(report?.delivered, count);
  assert.ok((report?.waits ?? 0) >= 1, `the consumer waited (${report?.waits} waits)`);
});
