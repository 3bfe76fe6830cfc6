import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import WebSocket from 'ws';
import type { BridgeSource } from '../../src/http/index.js';
import { Monitor } from '../../src/monitor/monitor.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { AUTH, TOKEN, TelemetryClient, listen, rig, until, upgradeStatus, type Frame } from './helpers.js';

/** A bridge the test publishes into by hand: the topics and samples the socket should stream. */
class Bridge implements BridgeSource {
  readonly listeners = new Map<string, Set<(sample: unknown) => void>>();

  topics(): string[] {
    return ['ft_sample', 'frame'];
  }

  subscribe(topic: string, listener: (sample: unknown) => void): () => void {
    if (!this.topics().includes(topic)) throw new Error(`unknown topic ${topic}`);
    let set = this.listeners.get(topic);
    if (set === undefined) this.listeners.set(topic, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  publish(topic: string, sample: unknown): void {
    for (const listener of this.listeners.get(topic) ?? []) listener(sample);
  }

  subscribers(topic: string): number {
    return this.listeners.get(topic)?.size ?? 0;
  }
}

async function telemetryRig(options: Parameters<typeof rig>[0] = {}) {
  const bridge = new Bridge();
  const r = await rig({ bridge, ...options });
  const base = await listen(r.app);
  return { ...r, bridge, base };
}

const control = (op: string, topic: string) => (f: Frame) => f.topic === 'control' && (f as any).op === op && ((f as any).subscribed ?? (f as any).unsubscribed) === topic;

test('a client with the token subscribes to tasks: a full list first, then only changed tasks with deltas', async () => {
  const { app, base, clock } = await telemetryRig();
  const client = new TelemetryClient(base, { token: TOKEN });
  try {
    await client.opened();
    assert.equal(client.socket.protocol, 'tactus.v1', 'the server answers with the telemetry protocol, never the token');
    client.send({ op: 'subscribe', topic: 'tasks', rateHz: 50 });
    const ack = await client.next(control('subscribe', 'tasks'));
    assert.equal((ack as any).rateHz, 50);
    const full = (await client.next((f) => f.topic === 'tasks' && f['full'] === true)) as any;
    assert.deepEqual(full.tasks.map((t: any) => t.name).sort(), ['piezo.control', 'stage.position']);
    await clock.advance(100); // piezo: 10 more runs, stage: 5 more
    const delta = (await client.next((f) => f.topic === 'tasks' && f['full'] !== true)) as any;
    const piezo = delta.tasks.find((t: any) => t.name === 'piezo.control');
    assert.ok(piezo.d.runs >= 1 && piezo.d.runs <= 11, `piezo delta runs ${piezo.d.runs}`);
    const runsAtSubscribe = full.tasks.find((t: any) => t.name === 'piezo.control').stats.runs;
    assert.equal(piezo.runs, runsAtSubscribe + piezo.d.runs, 'counters are cumulative, d is the change since the previous frame');
  } finally {
    await client.close();
    await app.close();
  }
});

test('events: a run-now over HTTP reaches subscribers as a safety-override event with principal and reason', async () => {
  const { app, base } = await telemetryRig();
  const client = new TelemetryClient(base, { token: TOKEN });
  try {
    await client.opened();
    client.send({ op: 'subscribe', topic: 'events' });
    await client.next(control('subscribe', 'events'));
    const response = await fetch(`${base}/tactus/tasks/piezo.control/run-now`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'operator e-stop' }),
    });
    assert.equal(response.status, 202);
    const frame = (await client.next((f) => f.topic === 'events')) as any;
    const event = frame.events.find((e: any) => e.kind === 'safety-override');
    assert.equal(event.source, 'scheduler');
    assert.equal(event.data.name, 'piezo.control');
    assert.equal(event.data.reason, 'operator e-stop');
    assert.equal(event.data.principal, 'operator@127.0.0.1');
  } finally {
    await client.close();
    await app.close();
  }
});

test('data streams are downsampled to the asked rate with the latest sample, and the bridge is released on unsubscribe', async () => {
  const { app, base, bridge } = await telemetryRig();
  const client = new TelemetryClient(base, { token: TOKEN });
  try {
    await client.opened();
    client.send({ op: 'subscribe', topic: 'ft_sample', rateHz: 10 });
    assert.equal(((await client.next(control('subscribe', 'ft_sample'))) as any).rateHz, 10);
    assert.equal(bridge.subscribers('ft_sample'), 1);
    // Publish 2,000 samples; the socket sends at most one frame per 100 ms, each with the latest sample.
    let seq = 0;
    const publisher = setInterval(() => {
      for (let i = 0; i < 20; i++) bridge.publish('ft_sample', { seq: ++seq, fz: seq * 0.5 });
    }, 2);
    await until(() => seq >= 2000, 10_000, '2000 samples published');
    clearInterval(publisher);
    const last = (await client.next((f) => f.topic === 'ft_sample' && (f as any).sample.seq === seq)) as any;
    const frames = client.frames.filter((f) => f.topic === 'ft_sample') as any[];
    const received = frames.reduce((n, f) => n + f.received, 0);
    assert.equal(received, seq, 'every sample is accounted for by the frames that stand for it');
    assert.ok(frames.length < seq / 10, `${frames.length} frames for ${seq} samples`);
    assert.equal(last.sample.fz, seq * 0.5);
    client.send({ op: 'unsubscribe', topic: 'ft_sample' });
    await client.next(control('unsubscribe', 'ft_sample'));
    assert.equal(bridge.subscribers('ft_sample'), 0);
  } finally {
    await client.close();
    await app.close();
  }
});

test('bad control messages get a control error; unknown topics and missing sources are refused', async () => {
  const { app, base } = await telemetryRig();
  const client = new TelemetryClient(base, { token: TOKEN });
  try {
    await client.opened();
    const errors = () => client.frames.filter((f) => f.topic === 'control' && f['ok'] === false) as any[];
    for (const message of ['not json', '{"op":"subscribe"}', '{"op":"subscribe","topic":"control"}', '{"op":"subscribe","topic":"tasks","rateHz":0}',
      '{"op":"explode","topic":"tasks"}', '{"op":"subscribe","topic":"__proto__","extra":1}', '{"op":"subscribe","topic":"nope"}', '{"op":"subscribe","topic":"workers"}']) {
      client.socket.send(message);
    }
    await until(() => errors().length === 8, 5000, '8 control errors');
    assert.deepEqual(errors().map((e) => e.code), [
      'ERR_TACTUS_BAD_MESSAGE', 'ERR_TACTUS_BAD_MESSAGE', 'ERR_TACTUS_BAD_MESSAGE', 'ERR_TACTUS_BAD_MESSAGE',
      'ERR_TACTUS_BAD_MESSAGE', 'ERR_TACTUS_BAD_MESSAGE', 'ERR_TACTUS_UNKNOWN_TOPIC', 'ERR_TACTUS_UNKNOWN_TOPIC',
    ]);
    assert.equal(client.socket.readyState, WebSocket.OPEN, 'a bad message never closes the socket by itself');
  } finally {
    await client.close();
    await app.close();
  }
});

test('frames larger than the small incoming cap, binary frames and control floods close the socket', async () => {
  const { app, base } = await telemetryRig({ telemetry: { maxMessageBytes: 256 } });
  try {
    const big = new TelemetryClient(base, { token: TOKEN });
    await big.opened();
    big.socket.send(JSON.stringify({ op: 'subscribe', topic: 'x'.repeat(300) }));
    const [code] = (await once(big.socket, 'close')) as [number];
    assert.equal(code, 1009);

    const binary = new TelemetryClient(base, { token: TOKEN });
    await binary.opened();
    binary.socket.send(Buffer.from('{"op":"subscribe","topic":"tasks"}'), { binary: true });
    assert.equal(((await once(binary.socket, 'close')) as [number])[0], 1003);

    const flood = new TelemetryClient(base, { token: TOKEN });
    await flood.opened();
    for (let i = 0; i < 50; i++) flood.send({ op: 'unsubscribe', topic: 'tasks' });
    assert.equal(((await once(flood.socket, 'close')) as [number])[0], 1008);

    // Twin: a client that stays within every limit stays connected.
    const calm = new TelemetryClient(base, { token: TOKEN });
    await calm.opened();
    for (let i = 0; i < 5; i++) calm.send({ op: 'subscribe', topic: 'tasks', rateHz: 1 });
    await until(() => calm.count('control') === 5, 5000, '5 acks');
    assert.equal(calm.socket.readyState, WebSocket.OPEN);
    await calm.close();
  } finally {
    await app.close();
  }
});

test('the connection cap refuses further upgrades with 503; a closed slot is reusable', async () => {
  const { app, base } = await telemetryRig({ telemetry: { maxClients: 2 } });
  try {
    const a = new TelemetryClient(base, { token: TOKEN });
    const b = new TelemetryClient(base, { headers: { authorization: `Bearer ${TOKEN}` } });
    await Promise.all([a.opened(), b.opened()]);
    await until(() => app.tactus.telemetry.clientCount === 2, 5000, 'two clients');
    assert.equal(await upgradeStatus(base, { protocols: ['tactus.v1', `tactus.token.${TOKEN}`] }), 503);
    await a.close();
    await until(() => app.tactus.telemetry.clientCount === 1, 5000, 'one client');
    const c = new TelemetryClient(base, { token: TOKEN });
    await c.opened();
    await c.close();
    await b.close();
  } finally {
    await app.close();
  }
});

test('a slow client is dropped once its send buffer passes the cap; producers and other clients carry on', async () => {
  const { app, base, bridge } = await telemetryRig({ telemetry: { maxBufferedBytes: 64 * 1024, tickMs: 5 } });
  const slow = new TelemetryClient(base, { token: TOKEN });
  const fast = new TelemetryClient(base, { token: TOKEN });
  try {
    await Promise.all([slow.opened(), fast.opened()]);
    for (const client of [slow, fast]) {
      client.send({ op: 'subscribe', topic: 'frame', rateHz: 200 });
      await client.next(control('subscribe', 'frame'));
    }
    // The slow client stops reading: its TCP window fills, then the server-side buffer grows.
    (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const payload = 'p'.repeat(32 * 1024);
    let published = 0;
    const publisher = setInterval(() => {
      bridge.publish('frame', { n: ++published, payload });
    }, 1);
    try {
      await until(() => app.tactus.telemetry.stats().slowClientsDropped === 1, 20_000, 'the slow client to be dropped');
      const before = fast.count('frame');
      await until(() => fast.count('frame') > before + 10, 5000, 'the fast client to keep receiving');
    } finally {
      clearInterval(publisher);
    }
    assert.equal(app.tactus.telemetry.stats().slowClientsDropped, 1, 'only the slow client was dropped (twin: the reading client never is)');
    assert.equal(fast.socket.readyState, WebSocket.OPEN);
    await until(() => app.tactus.telemetry.clientCount === 1, 5000, 'the dropped client to be gone');
  } finally {
    slow.socket.terminate();
    await fast.close();
    await app.close();
  }
});

test('the monitor topic sends each new snapshot once, not once per tick', async () => {
  const monitorClock = new ManualClock();
  const monitor = new Monitor({ clock: monitorClock, intervalMs: 1000 });
  const { app, base, bridge } = await telemetryRig({ monitor });
  const client = new TelemetryClient(base, { token: TOKEN });
  const publisher = setInterval(() => bridge.publish('ft_sample', { fz: 1 }), 2);
  try {
    await client.opened();
    client.send({ op: 'subscribe', topic: 'monitor', rateHz: 50 });
    const first = (await client.next((f) => f.topic === 'monitor')) as any;
    await monitorClock.advance(1000);
    const second = (await client.next((f) => f.topic === 'monitor' && f['snapshot'] !== undefined && (f as any).snapshot.seq > first.snapshot.seq)) as any;
    assert.equal(second.snapshot.seq, first.snapshot.seq + 1);
    // Ten more ticks (a 50 Hz data stream counts them): no further monitor frame without a new sample.
    client.send({ op: 'subscribe', topic: 'ft_sample', rateHz: 50 });
    await client.next(control('subscribe', 'ft_sample'));
    const ticks = client.count('ft_sample');
    await until(() => client.count('ft_sample') >= ticks + 10, 5000, 'ten ticks');
    assert.equal(client.count('monitor'), 2);
  } finally {
    clearInterval(publisher);
    await client.close();
    await app.close();
  }
});
