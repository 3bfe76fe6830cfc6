import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { FrameTooLargeError, InvalidConfigError, MalformedFrameError, PayloadTypeError } from '../../src/errors.js';
import { FrameDecoder, frameLength, writeFrame } from '../../src/workers/data-plane/frame-codec.js';
import { FramedPayloadWriter } from '../../src/workers/data-plane/framed-writer.js';
import type { WorkerPayload } from '../../src/workers/data-plane/payload.js';

function frame(seq: number, ts: number, type: string, data: Uint8Array): Buffer {
  const typeAscii = Buffer.from(type, 'latin1');
  const out = Buffer.alloc(frameLength(typeAscii.length, data.length));
  writeFrame(out, 0, seq, ts, typeAscii, data);
  return out;
}

function dataFor(seq: number): Uint8Array {
  return Uint8Array.from({ length: (seq * 7) % 50 }, (_, i) => (seq + i) & 0xff);
}

interface Decoded {
  payloads: WorkerPayload[];
  invalid: { error: Error; seq: number | undefined }[];
  decoder: FrameDecoder;
}

function decoder(maxDataBytes = 1024): Decoded {
  const result: Decoded = {
    payloads: [],
    invalid: [],
    decoder: new FrameDecoder({
      maxDataBytes,
      onPayload: (payload) => result.payloads.push(payload),
      onInvalid: (error, seq) => result.invalid.push({ error, seq }),
    }),
  };
  return result;
}

const plain = (payloads: WorkerPayload[]): unknown[] => payloads.map((p) => ({ ...p, data: [...p.data] }));

test('frames decode the same however the stream is cut (every split point, byte by byte, random)', () => {
  const frames = [frame(0, 1.5, 'frame', dataFor(1)), frame(1, 2.25, 'ft_sample', dataFor(2)), frame(2, 3, 'log', new Uint8Array(0))];
  const stream = Buffer.concat(frames);
  const expected = [
    { seq: 0, ts: 1.5, type: 'frame', data: [...dataFor(1)] },
    { seq: 1, ts: 2.25, type: 'ft_sample', data: [...dataFor(2)] },
    { seq: 2, ts: 3, type: 'log', data: [] },
  ];
  for (let cut = 0; cut <= stream.length; cut++) {
    const { payloads, invalid, decoder: d } = decoder();
    d.push(stream.subarray(0, cut));
    d.push(stream.subarray(cut));
    assert.deepEqual(plain(payloads), expected, `cut at ${cut}`);
    assert.equal(invalid.length, 0);
    assert.equal(d.idle, true);
  }
  const bytewise = decoder();
  for (const byte of stream) bytewise.decoder.push(Uint8Array.of(byte));
  assert.deepEqual(plain(bytewise.payloads), expected);

  let seed = 7;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const many = Buffer.concat(Array.from({ length: 1000 }, (_, seq) => frame(seq, seq / 4, seq % 2 ? 'frame' : 'ft_sample', dataFor(seq))));
  const chunked = decoder();
  for (let at = 0; at < many.length; ) {
    const size = 1 + Math.floor(random() * 300);
    chunked.decoder.push(many.subarray(at, at + size));
    at += size;
  }
  assert.equal(chunked.payloads.length, 1000);
  chunked.payloads.forEach((p, seq) => assert.deepEqual({ ...p, data: [...p.data] }, { seq, ts: seq / 4, type: seq % 2 ? 'frame' : 'ft_sample', data: [...dataFor(seq)] }));
  assert.equal(chunked.invalid.length, 0);
});

test('decoded data is owned: later chunks and buffer reuse do not change it', () => {
  const { payloads, decoder: d } = decoder();
  const bytes = frame(0, 0, 'frame', Uint8Array.of(1, 2, 3));
  d.push(bytes);
  bytes.fill(0);
  assert.deepEqual([...payloads[0]!.data], [1, 2, 3]);
});

test('a frame above maxDataBytes is skipped with a typed error; the frames after it decode (twin: at the limit it passes)', () => {
  const { payloads, invalid, decoder: d } = decoder(16);
  d.push(Buffer.concat([frame(0, 0, 'log', new Uint8Array(16)), frame(1, 0, 'frame', new Uint8Array(17)), frame(2, 0, 'log', Uint8Array.of(9))]));
  assert.deepEqual(payloads.map((p) => p.seq), [0, 2]);
  assert.equal(invalid.length, 1);
  const [refused] = invalid;
  assert.ok(refused!.error instanceof FrameTooLargeError);
  assert.equal((refused!.error as FrameTooLargeError).code, 'ERR_TACTUS_FRAME_TOO_LARGE');
  assert.deepEqual([(refused!.error as FrameTooLargeError).size, refused!.seq], [17, 1]);
});

test('a 4 GiB length announcement is skipped without buffering it', () => {
  const { payloads, invalid, decoder: d } = decoder(1024);
  const header = frame(5, 0, 'frame', new Uint8Array(0));
  header.writeUInt32LE(0xffffffff, 4);
  d.push(header);
  for (let i = 0; i < 10; i++) d.push(new Uint8Array(64 * 1024)); // 640 KiB of the skipped body
  assert.equal(payloads.length, 0);
  assert.deepEqual(invalid.map((i) => [i.error.constructor.name, i.seq]), [['FrameTooLargeError', 5]]);
  assert.equal(d.failed, false);
});

test('frames with a bad type, seq or ts are refused one by one; framing holds', () => {
  const { payloads, invalid, decoder: d } = decoder();
  const badType = frame(0, 0, 'frame', Uint8Array.of(1));
  badType[FRAME_TYPE_AT] = 0x20; // a space in the type name
  const nanTs = frame(1, Number.NaN, 'log', Uint8Array.of(1));
  const fractionalSeq = frame(2.5, 0, 'log', Uint8Array.of(1));
  const negativeSeq = frame(-1, 0, 'log', Uint8Array.of(1));
  const noType = frame(3, 0, 'log', Uint8Array.of(1)).subarray(3); // re-framed below with type length 0
  noType.set(frame(3, 0, 'log', Uint8Array.of(1)).subarray(0, 24));
  noType[3] = 0;
  const longType = frame(4, 0, 'x'.repeat(65), Uint8Array.of(1));
  d.push(Buffer.concat([badType, nanTs, fractionalSeq, negativeSeq, noType, longType, frame(5, 1, 'log', Uint8Array.of(5))]));
  assert.deepEqual(plain(payloads), [{ seq: 5, ts: 1, type: 'log', data: [5] }]);
  assert.deepEqual(invalid.map((i) => [i.error.constructor.name, i.seq]), [
    ['MalformedFrameError', 0],
    ['MalformedFrameError', 1],
    ['MalformedFrameError', undefined],
    ['MalformedFrameError', undefined],
    ['MalformedFrameError', 3],
    ['FrameTooLargeError', 4],
  ]);
});

const FRAME_TYPE_AT = 24;

test('a stream that is not a frame stream is reported once and then ignored, never thrown', () => {
  const { payloads, invalid, decoder: d } = decoder();
  d.push(frame(0, 0, 'log', Uint8Array.of(1)));
  d.push(Buffer.from('{"type":"not a frame"}\n'.repeat(100)));
  d.push(frame(1, 0, 'log', Uint8Array.of(1)));
  assert.equal(payloads.length, 1);
  assert.equal(invalid.length, 1);
  assert.ok(invalid[0]!.error instanceof MalformedFrameError);
  assert.equal(d.failed, true);
});

test('a stream cut inside a frame reports it at the end (twin: a clean end reports nothing)', () => {
  const cut = decoder();
  cut.decoder.push(frame(0, 0, 'log', Uint8Array.of(1)));
  cut.decoder.push(frame(1, 0, 'frame', new Uint8Array(100)).subarray(0, 60));
  cut.decoder.end();
  assert.deepEqual(cut.invalid.map((i) => [i.error.constructor.name, i.seq]), [['MalformedFrameError', 1]]);
  const clean = decoder();
  clean.decoder.push(frame(0, 0, 'log', Uint8Array.of(1)));
  clean.decoder.end();
  assert.equal(clean.invalid.length, 0);
});

/** A pipe that takes writes but completes them only when told, so backpressure is under the test's control. */
class HeldPipe extends Writable {
  readonly chunks: Buffer[] = [];
  readonly #held: (() => void)[] = [];

  constructor() {
    super({ highWaterMark: 1024 });
  }

  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.chunks.push(chunk);
    this.#held.push(callback);
  }

  release(): void {
    for (let callback = this.#held.shift(); callback; callback = this.#held.shift()) callback();
  }

  decode(): WorkerPayload[] {
    const { payloads, invalid, decoder: d } = decoder(1 << 20);
    for (const chunk of this.chunks) d.push(chunk);
    assert.equal(invalid.length, 0);
    return payloads;
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function releaseAll(pipe: HeldPipe, writer: FramedPayloadWriter): Promise<void> {
  for (let round = 0; round < 10_000 && (writer.counters().queuedBytes > 0 || pipe.writableLength > 0); round++) {
    pipe.release();
    await settle();
  }
}

test('the writer batches frames and writes them at the end of the task', async () => {
  const pipe = new HeldPipe();
  const writer = new FramedPayloadWriter(pipe, { now: () => 42 });
  for (let i = 0; i < 100; i++) assert.equal(writer.publish('ft_sample', Uint8Array.of(i)), true);
  assert.equal(pipe.chunks.length, 0);
  await settle();
  assert.equal(pipe.chunks.length, 1);
  await releaseAll(pipe, writer);
  const payloads = pipe.decode();
  assert.deepEqual(payloads.map((p) => [p.seq, p.ts, p.type, p.data[0]]), Array.from({ length: 100 }, (_, i) => [i, 42, 'ft_sample', i]));
  assert.deepEqual(writer.counters(), { produced: 100, dropped: 0, rejected: 0, queuedBytes: 0 });
});

test('writer drop-oldest: a backed-up pipe drops whole waiting batches, counted exactly, seen as seq gaps', async () => {
  const pipe = new HeldPipe();
  const writer = new FramedPayloadWriter(pipe, { maxQueuedBytes: 8 * 1024, batchBytes: 1024, maxDataBytes: 1000 });
  const data = new Uint8Array(100);
  for (let i = 0; i < 1000; i++) {
    assert.equal(writer.publish('frame', data), true);
    if (i % 10 === 0) await settle();
  }
  const counters = writer.counters();
  assert.ok(counters.dropped > 0);
  assert.ok(counters.queuedBytes <= 8 * 1024);
  await releaseAll(pipe, writer);
  const seqs = pipe.decode().map((p) => p.seq);
  let gaps = seqs[0]!;
  for (let i = 1; i < seqs.length; i++) {
    assert.ok(seqs[i]! > seqs[i - 1]!);
    gaps += seqs[i]! - seqs[i - 1]! - 1;
  }
  gaps += 999 - seqs.at(-1)!;
  assert.equal(gaps, counters.dropped);
  assert.equal(seqs.length + counters.dropped, 1000);
});

test("writer reject: a backed-up pipe refuses new payloads, loses none it accepted (twin of drop-oldest)", async () => {
  const pipe = new HeldPipe();
  const writer = new FramedPayloadWriter(pipe, { maxQueuedBytes: 8 * 1024, batchBytes: 1024, maxDataBytes: 1000, overflow: 'reject' });
  let accepted = 0;
  for (let i = 0; i < 1000; i++) {
    if (writer.publish('frame', new Uint8Array(100))) accepted++;
    if (i % 10 === 0) await settle();
  }
  const counters = writer.counters();
  assert.deepEqual([counters.produced, counters.dropped, counters.rejected], [accepted, 0, 1000 - accepted]);
  assert.ok(counters.rejected > 0);
  await releaseAll(pipe, writer);
  assert.deepEqual(pipe.decode().map((p) => p.seq), Array.from({ length: accepted }, (_, i) => i));
});

test('writer: bad input throws typed errors; a broken pipe turns publishes into false, never a throw', async () => {
  assert.throws(() => new FramedPayloadWriter(new HeldPipe(), { maxQueuedBytes: 100, maxDataBytes: 1000 }), (error: unknown) => error instanceof InvalidConfigError && /maxQueuedBytes/.test(error.message));
  assert.throws(() => new FramedPayloadWriter(new HeldPipe(), { overflow: 'block' as never }), /overflow/);
  const writer = new FramedPayloadWriter(new HeldPipe(), { maxDataBytes: 10 });
  assert.throws(() => writer.publish('frame', new Uint8Array(11)), FrameTooLargeError);
  assert.throws(() => writer.publish('bad type', new Uint8Array(1)), PayloadTypeError);
  assert.throws(() => writer.publish('x'.repeat(65), new Uint8Array(1)), PayloadTypeError);

  const broken = new Writable({ write: (_chunk, _encoding, callback) => callback(new Error('EPIPE')) });
  const onBroken = new FramedPayloadWriter(broken);
  assert.equal(onBroken.publish('frame', Uint8Array.of(1)), true);
  await settle();
  await settle();
  assert.equal(onBroken.publish('frame', Uint8Array.of(2)), false);
  await onBroken.close();
  assert.deepEqual([onBroken.counters().produced, onBroken.counters().rejected], [1, 1]);
});
