import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { FrameTooLargeError, MalformedFrameError } from '../../src/errors.js';
import { FramedPayloadSource } from '../../src/workers/data-plane/framed-source.js';
import { PayloadReader } from '../../src/workers/data-plane/payload-reader.js';
import { payloadNow } from '../../src/workers/data-plane/timeline.js';
import type { WorkerPayload } from '../../src/workers/data-plane/payload.js';

const childFile = new URL('./fixtures/data-plane-child.ts', import.meta.url).pathname;

interface Child {
  process: ChildProcess;
  data: Readable;
  exited: Promise<unknown>;
  /** The data pipe closed (EOF or the child died). */
  dataClosed: Promise<unknown>;
  /** Lines the child prints on stdout, in order. */
  lines: AsyncIterator<string>;
}

function startChild(...args: (string | number)[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', childFile, ...args.map(String)], {
    stdio: ['ignore', 'pipe', 'inherit', 'ignore', 'pipe'],
  });
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const data = child.stdio[4] as Readable;
  return { process: child, data, exited, dataClosed: once(data, 'close'), lines };
}

async function collect(reader: PayloadReader, count: number): Promise<WorkerPayload[]> {
  const payloads: WorkerPayload[] = [];
  if (count === 0) return payloads;
  for await (const payload of reader.payloads()) {
    payloads.push(payload);
    if (payloads.length === count) break;
  }
  return payloads;
}

const matchesPattern = (payload: WorkerPayload, index: number, size: number): boolean =>
  payload.data.length === size && payload.data.every((byte, k) => byte === ((index + k) & 0xff));

test('a child process streams 10,000 payloads over fd 4: all delivered in order, intact, counted', async () => {
  const count = 10_000;
  const size = 1000;
  const child = startChild('count', count, size);
  const reader = new PayloadReader({ name: 'camera' });
  reader.attach(new FramedPayloadSource(child.data));
  const payloads = await collect(reader, count);
  await child.exited;
  assert.equal(payloads.length, count);
  payloads.forEach((payload, i) => {
    assert.equal(payload.seq, i);
    assert.equal(payload.type, i % 2 === 0 ? 'frame' : 'ft_sample');
    assert.ok(matchesPattern(payload, i, size), `payload ${i}`);
  });
  const counters = reader.counters();
  assert.deepEqual({ ...counters, latencyMs: undefined }, { delivered: count, dropped: 0, rejected: 0, invalid: 0, depth: 0, latencyMs: undefined });
  assert.ok(counters.latencyMs.max >= counters.latencyMs.p50 && counters.latencyMs.p50 >= 0);
});

test('a parent that does not read pushes back: the child drops oldest, and the parent counts exactly those as dropped', async () => {
  const count = 5000;
  const size = 1000;
  const child = startChild('overflow', count, size, 64 * 1024);
  const source = new FramedPayloadSource(child.data, { maxBufferedPayloads: 64 });
  const reader = new PayloadReader();
  reader.attach(source);
  const written = JSON.parse((await child.lines.next()).value as string) as { produced: number; dropped: number };
  assert.equal(written.produced, count);
  assert.ok(written.dropped > 0, 'the child had to drop');
  const delivered: WorkerPayload[] = [];
  for await (const payload of reader.payloads()) {
    delivered.push(payload);
    assert.ok(matchesPattern(payload, payload.seq, size));
    if (payload.seq === count - 1) break;
  }
  await child.exited;
  for (let i = 1; i < delivered.length; i++) assert.ok(delivered[i]!.seq > delivered[i - 1]!.seq);
  const counters = reader.counters();
  assert.equal(counters.delivered, count - written.dropped);
  assert.equal(counters.dropped, written.dropped);
  assert.equal(counters.invalid, 0);
});

test('a frame above the parent limit is skipped and counted; the stream goes on', async () => {
  const child = startChild('oversized');
  const refused: Error[] = [];
  const reader = new PayloadReader();
  reader.attach(new FramedPayloadSource(child.data, { maxDataBytes: 1024 * 1024, onInvalid: (error) => refused.push(error) }));
  const payloads = await collect(reader, 2);
  await child.exited;
  assert.deepEqual(payloads.map((p) => p.seq), [0, 2]);
  assert.equal(refused.length, 1);
  assert.ok(refused[0] instanceof FrameTooLargeError);
  assert.deepEqual([reader.counters().dropped, reader.counters().invalid], [1, 1]);
});

test('garbage on the data pipe is reported once and never crashes the parent (twin: a clean child reports nothing)', async () => {
  const child = startChild('garbage');
  const refused: Error[] = [];
  const source = new FramedPayloadSource(child.data, { onInvalid: (error) => refused.push(error) });
  const reader = new PayloadReader();
  reader.attach(source);
  await child.exited;
  await child.dataClosed;
  assert.equal(reader.poll(), undefined);
  assert.equal(refused.length, 1);
  assert.ok(refused[0] instanceof MalformedFrameError);
  assert.equal(source.ended, true);

  const clean = startChild('count', 10, 10);
  const cleanRefused: Error[] = [];
  const cleanReader = new PayloadReader();
  cleanReader.attach(new FramedPayloadSource(clean.data, { onInvalid: (error) => cleanRefused.push(error) }));
  assert.equal((await collect(cleanReader, 10)).length, 10);
  await clean.exited;
  assert.equal(cleanRefused.length, 0);
});

test('a child killed in the middle of a frame: the complete frames arrive, the cut one is reported, nothing corrupt', async () => {
  const child = startChild('partial');
  const refused: Error[] = [];
  const reader = new PayloadReader();
  const source = new FramedPayloadSource(child.data, { onInvalid: (error) => refused.push(error) });
  reader.attach(source);
  const payloads = await collect(reader, 10);
  assert.equal((await child.lines.next()).value, 'ready');
  child.process.kill('SIGKILL');
  await child.exited;
  await child.dataClosed;
  payloads.forEach((payload, i) => assert.ok(matchesPattern(payload, i, 100)));
  assert.equal(reader.poll(), undefined);
  assert.equal(source.ended, true);
  assert.equal(refused.length, 1);
  assert.match(refused[0]!.message, /ended inside a frame/);
  assert.deepEqual([reader.counters().delivered, reader.counters().dropped], [10, 1]);
});

test('the payload timeline agrees across processes', async () => {
  const before = payloadNow();
  const child = startChild('now');
  const theirs = Number((await child.lines.next()).value);
  const after = payloadNow();
  await child.exited;
  assert.ok(theirs >= before - 1 && theirs <= after + 1, `${before} <= ${theirs} <= ${after}`);
});
