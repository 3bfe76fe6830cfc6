import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { AbortError, InvalidConfigError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { createBridge, type BridgeMessage } from '../../src/workers/bridge.js';
import type { WorkerPayload } from '../../src/workers/data-plane/payload.js';
import { PayloadReader } from '../../src/workers/data-plane/payload-reader.js';
import { RingPayloadSource, RingPayloadWriter, createRingChannel } from '../../src/workers/data-plane/ring-channel.js';

/** What a WorkerManager looks like to the bridge: 'payload' events with (workerName, payload). */
class FakeManager extends EventEmitter<{ payload: [workerName: string, payload: WorkerPayload] }> {}

const payload = (seq: number, type: string, bytes: number[], ts = 0): WorkerPayload => ({ seq, ts, type, data: Uint8Array.from(bytes) });

const decoders = {
  ft_sample: (p: WorkerPayload) => ({ fx: p.data[0]!, fy: p.data[1]! }),
  log: (p: WorkerPayload) => Buffer.from(p.data).toString('utf8'),
};

function capturingLogger(): Logger & { warnings: object[] } {
  const warnings: object[] = [];
  const ignore = (): void => {};
  return { warnings, debug: ignore, info: ignore, error: ignore, warn: (fields) => warnings.push(fields) };
}

test("republishes decoded payloads by topic to subscribers, from a manager's 'payload' events", () => {
  const manager = new FakeManager();
  const bridge = createBridge(manager, { decoders, now: () => 10 });
  const samples: BridgeMessage<{ fx: number; fy: number }>[] = [];
  const logs: string[] = [];
  const stop = bridge.subscribe('ft_sample', (m) => samples.push(m));
  bridge.subscribe('log', (m) => logs.push(m.value));
  manager.emit('payload', 'ft-sensor', payload(0, 'ft_sample', [1, 2], 9));
  manager.emit('payload', 'camera', payload(5, 'log', [...Buffer.from('hello')]));
  stop();
  manager.emit('payload', 'ft-sensor', payload(1, 'ft_sample', [3, 4]));
  assert.deepEqual(samples, [{ topic: 'ft_sample', worker: 'ft-sensor', seq: 0, ts: 9, value: { fx: 1, fy: 2 } }]);
  assert.deepEqual(logs, ['hello']);
  const stats = bridge.stats();
  assert.deepEqual(stats.topics.ft_sample && { ...stats.topics.ft_sample, latencyMs: undefined }, {
    received: 2, published: 2, decodeErrors: 0, listenerErrors: 0, dropped: 0, depth: 0, subscribers: 0, latencyMs: undefined,
  });
  assert.equal(stats.topics.ft_sample?.latencyMs.max, 10);
  bridge.close();
  assert.equal(manager.listenerCount('payload'), 0);
});

test('types without a decoder are counted, or passed through as bytes', () => {
  const manager = new FakeManager();
  const strict = createBridge(manager, { decoders });
  const raw = createBridge(manager, { decoders: {}, passThrough: true });
  const frames: BridgeMessage<Uint8Array>[] = [];
  raw.subscribe('frame', (m) => frames.push(m));
  manager.emit('payload', 'camera', payload(0, 'frame', [7, 7]));
  assert.equal(strict.stats().undecoded, 1);
  assert.deepEqual(strict.stats().topics, {});
  assert.deepEqual([...frames[0]!.value], [7, 7]);
});

test('a worker inventing payload types cannot grow the topic table past maxTopics', () => {
  const bridge = createBridge(new FakeManager(), { decoders: {}, passThrough: true, maxTopics: 3 });
  for (let i = 0; i < 100; i++) bridge.ingest('w', payload(i, `type_${i}`, []));
  bridge.ingest('w', payload(100, 'type_0', []));
  const stats = bridge.stats();
  assert.deepEqual(Object.keys(stats.topics), ['type_0', 'type_1', 'type_2']);
  assert.equal(stats.undecoded, 97);
  assert.equal(stats.topics.type_0?.received, 2);
});

test('a throwing decoder or subscriber is counted and logged sparingly; the others still get their messages', () => {
  const logger = capturingLogger();
  const bridge = createBridge(new FakeManager(), {
    decoders: { bad: () => { throw new Error('bad bytes'); }, ok: (p: WorkerPayload) => p.seq },
    logger,
  });
  const got: number[] = [];
  bridge.subscribe('ok', () => { throw new Error('subscriber bug'); });
  bridge.subscribe('ok', (m) => got.push(m.value));
  for (let i = 0; i < 5; i++) {
    bridge.ingest('w', payload(i, 'bad', []));
    bridge.ingest('w', payload(i, 'ok', []));
  }
  assert.deepEqual(got, [0, 1, 2, 3, 4]);
  const stats = bridge.stats().topics;
  assert.deepEqual([stats.bad?.decodeErrors, stats.bad?.published, stats.ok?.listenerErrors], [5, 0, 5]);
  assert.equal(logger.warnings.length, 6); // counts 1, 2 and 4 of each
});

test('a slow stream drops its oldest messages, counted, while a fast one misses nothing (twin)', async () => {
  const bridge = createBridge(new FakeManager(), { decoders: { log: (p: WorkerPayload) => p.seq } });
  const slow = bridge.stream('log', { maxBuffered: 4 })[Symbol.asyncIterator]();
  const fast = bridge.stream('log')[Symbol.asyncIterator]();
  const firstSlow = slow.next();
  const fastSeen: number[] = [];
  const fastDone = (async () => {
    for (let m = await fast.next(); !m.done; m = await fast.next()) fastSeen.push(m.value.value);
  })();
  bridge.ingest('w', payload(0, 'log', []));
  assert.equal((await firstSlow).value?.value, 0);
  for (let seq = 1; seq <= 10; seq++) {
    bridge.ingest('w', payload(seq, 'log', []));
    await new Promise((resolve) => setImmediate(resolve)); // the fast consumer keeps up
  }
  assert.equal(bridge.stats().topics.log?.depth, 4);
  const slowSeen: number[] = [];
  for (let i = 0; i < 4; i++) slowSeen.push((await slow.next()).value!.value as number);
  assert.deepEqual(slowSeen, [7, 8, 9, 10]);
  assert.deepEqual(fastSeen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(bridge.stats().topics.log?.dropped, 6);
  bridge.close();
  await fastDone;
  assert.equal((await slow.next()).done, true);
});

test('a stream ends with AbortError when its signal aborts, and unsubscribes', async () => {
  const bridge = createBridge(new FakeManager(), { decoders });
  const controller = new AbortController();
  const reading = (async () => {
    for await (const _m of bridge.stream('log', { signal: controller.signal })) {
      // nothing arrives
    }
  })();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(bridge.stats().topics.log?.subscribers, 1);
  controller.abort();
  await assert.rejects(reading, AbortError);
  assert.equal(bridge.stats().topics.log?.subscribers, 0);
});

test('options are validated', () => {
  assert.throws(() => createBridge(new FakeManager(), { decoders: { log: 'nope' as never } }), (error: unknown) => error instanceof InvalidConfigError && /decoders\.log/.test(error.message));
  assert.throws(() => createBridge(new FakeManager(), { decoders, maxBuffered: 0 }), /maxBuffered/);
  const bridge = createBridge(new FakeManager(), { decoders });
  assert.throws(() => bridge.stream('log', { maxBuffered: -1 }), InvalidConfigError);
});

test('end to end: a ring reader pumped into the bridge, seed 002 style', async () => {
  const manager = new FakeManager();
  const bridge = createBridge(manager, { decoders });
  const init = createRingChannel({ slots: 16, slotBytes: 16 });
  const reader = new PayloadReader();
  reader.attach(new RingPayloadSource(init));
  const pump = (async () => {
    for await (const p of reader.payloads()) manager.emit('payload', 'ft-sensor', p);
  })();
  const writer = new RingPayloadWriter(init);
  const received: { fx: number; fy: number }[] = [];
  const all = new Promise<void>((resolve) => {
    bridge.subscribe('ft_sample', (m) => {
      received.push(m.value);
      if (received.length === 3) resolve();
    });
  });
  for (let i = 0; i < 3; i++) writer.publish('ft_sample', Uint8Array.of(i, i * 2));
  await all;
  reader.close();
  await pump;
  assert.deepEqual(received, [{ fx: 0, fy: 0 }, { fx: 1, fy: 2 }, { fx: 2, fy: 4 }]);
});
