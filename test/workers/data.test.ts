/**
 * The data plane wired through the manager, on real threads and processes with the shipped dummy
 * workers: `handle.data()`, `payload` events into a bridge, per-worker counters, and E4 (a
 * producer killed mid-write delivers nothing torn; its successor continues).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBridge } from '../../src/workers/bridge.js';
import { dummyCamera, dummyDecoders, dummyFtSensor, type DummyCamera, type DummyFtSensor } from '../../src/workers/dummy/index.js';
import { launchProcess } from '../../src/workers/launch/process-launcher.js';
import { launchThread } from '../../src/workers/launch/thread-launcher.js';
import type { Launcher, WorkerConnection } from '../../src/workers/launch/connection.js';
import type { WorkerPayload } from '../../src/workers/data-plane/payload.js';
import { nextEvent, realManager } from './helpers/real.js';

/** Frames as the dummy camera draws them: rows of one shade, +1 per row, one 0xff column shared by all rows. */
function frameIsWhole(frame: Uint8Array, width: number, height: number): boolean {
  const bar = frame.indexOf(0xff) % width;
  const base = frame[bar === 0 ? 1 : 0]!;
  for (let y = 0; y < height; y++) {
    const shade = (base + y) & 0xff;
    for (let x = 0; x < width; x++) {
      const value = frame[y * width + x]!;
      if (value !== shade && !(x === bar && value === 0xff)) return false;
    }
  }
  return true;
}

for (const isolation of ['thread', 'process'] as const) {
  test(`${isolation}: F/T samples at 1 kHz through handle.data(), in order, with counters`, async (t) => {
    const manager = realManager(t);
    const handle = manager.spawn<DummyFtSensor>({ name: 'ft', ...dummyFtSensor, isolation });
    await handle.ready();
    const controller = new AbortController();
    const seen: WorkerPayload[] = [];
    await assert.rejects(
      (async () => {
        for await (const payload of handle.data({ signal: controller.signal })) {
          seen.push(payload);
          if (seen.length === 300) controller.abort();
        }
      })(),
      { name: 'AbortError' },
    );
    assert.ok(seen.every((p) => p.type === 'ft_sample' && p.data.length === 24));
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.seq > seen[i - 1]!.seq, 'seq strictly increasing');
    const sample = dummyDecoders.ft_sample(seen[10]!);
    assert.ok(Number.isFinite(sample.fz) && Math.abs(sample.fz) <= 21);
    const { data } = manager.list()[0]!;
    assert.ok(data.delivered >= 300);
    assert.ok(data.latencyMs.max >= data.latencyMs.p50);
    assert.deepEqual((await handle.request('setRate', { hz: 500 })), { hz: 500 });
    t.diagnostic(`delivered=${data.delivered} dropped=${data.dropped} depth=${data.depth} latency_p99_ms=${data.latencyMs.p99.toFixed(3)}`);
  });
}

test('camera frames through payload events into a bridge; setFrameRate changes the loop period', async (t) => {
  const manager = realManager(t);
  const bridge = createBridge(manager, { decoders: dummyDecoders });
  t.after(() => bridge.close());
  const camera = manager.spawn<DummyCamera>({ name: 'cam', ...dummyCamera, isolation: 'process' });
  await camera.ready();
  const means: number[] = [];
  await new Promise<void>((resolve) => {
    const off = bridge.subscribe('frame', (message) => {
      means.push(message.value.mean);
      if (means.length === 5) {
        off();
        resolve();
      }
    });
  });
  assert.equal(means.length, 5);
  assert.deepEqual(await camera.request('setFrameRate', { fps: 60 }), { fps: 60 });
  await assert.rejects(camera.request('setFrameRate', { fps: -1 }), { code: 'ERR_TACTUS_INVALID_PAYLOAD' });
  await nextEvent(manager, 'state-change', () => false, 300).catch(() => undefined); // let a stats report arrive
  assert.ok(Math.abs(manager.list()[0]!.loops[0]!.periodMs - 1000 / 60) < 1e-9);
  assert.equal(bridge.stats().topics.frame?.published !== undefined, true);
  await assert.rejects(
    (async () => {
      for await (const _ of camera.data()) break;
    })(),
    { code: 'ERR_TACTUS_CONSUMER_BUSY' },
  );
});

for (const isolation of ['thread', 'process'] as const) {
  test(`${isolation}: a camera killed while writing frames delivers no torn frame; its successor continues (E4)`, async (t) => {
    const connections: WorkerConnection[] = [];
    const launcher: Launcher = (request, events) => {
      const connection = (isolation === 'thread' ? launchThread : launchProcess)(request, events);
      connections.push(connection);
      return connection;
    };
    const manager = realManager(t, { launcher });
    const width = 320;
    const height = 240;
    const handle = manager.spawn<DummyCamera>({ name: 'cam', module: dummyCamera.module, isolation, config: { width, height, fps: 500 }, ring: { slots: 8, slotBytes: width * height } });
    await handle.ready();
    const frames: WorkerPayload[] = [];
    const controller = new AbortController();
    const reading = (async () => {
      try {
        for await (const payload of handle.data({ signal: controller.signal })) {
          frames.push(payload);
          if (frames.length === 40) connections[0]!.kill(); // killed from outside, mid-stream
          if (handle.generation === 2 && frames.length >= 80) controller.abort();
        }
      } catch {
        // aborted
      }
    })();
    await nextEvent(manager, 'exit');
    await handle.ready();
    await reading;
    const corrupt = frames.filter((f) => !frameIsWhole(f.data, width, height)).length;
    assert.equal(corrupt, 0, 'corrupt_delivered = 0');
    if (isolation === 'thread') for (let i = 1; i < frames.length; i++) assert.ok(frames[i]!.seq > frames[i - 1]!.seq, 'one sequence across generations');
    const { data } = manager.list()[0]!;
    t.diagnostic(`delivered=${data.delivered} dropped=${data.dropped} corrupt_delivered=${corrupt}`);
  });
}
