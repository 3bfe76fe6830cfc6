/**
 * The control plane against misbehaving workers on real threads and processes (reliability plan
 * D1, D2, D4, D5): raw writes straight onto the channel, under the runtime's feet.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collect, FAULT_WORKER, holdFiles, nextEvent, realManager, type FaultWorker } from './helpers/real.js';

/**
 * A process worker writes its raw lines synchronously, and its heartbeats queue behind them on the
 * same pipe: while 10 000 lines or a 10 MB line drain, the worker is silent. On a loaded machine
 * that can pass 5 beats of 50 ms, and the watchdog would rightly kill it; these tests are about the
 * message path (hang detection has its own, A3/A4), so they allow 20 beats before a kill.
 */
const PATIENT = { killAfterBeats: 20 } as const;

test('a heartbeat flood (10 000 lines) is coalesced; the worker and its supervisor carry on (D1)', async (t) => {
  const manager = realManager(t, PATIENT);
  const exits = collect(manager, 'exit');
  const handle = manager.spawn<FaultWorker>({ name: 'flood', module: FAULT_WORKER, isolation: 'process' });
  await handle.ready();
  const lines = Array.from({ length: 100 }, (_, i) => `{"type":"heartbeat","gen":1,"beat":${1_000_000 + i},"task":null}`);
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  assert.equal(await handle.request('raw', { lines, repeat: 100 }), 10_000);
  await handle.request('status'); // every flood line was read before this response
  const cpuMs = (process.cpuUsage(cpuBefore).user + process.cpuUsage(cpuBefore).system) / 1000;
  const { heartbeats } = manager.list()[0]!.ipc;
  assert.ok(heartbeats.received >= 10_000, `received ${heartbeats.received}`);
  assert.ok(heartbeats.processed < heartbeats.received / 10, `processed ${heartbeats.processed}`);
  assert.equal(exits.length, 0);
  t.diagnostic(`hb_received=${heartbeats.received} hb_processed=${heartbeats.processed} parent_cpu_ms=${cpuMs.toFixed(1)} over_ms=${(performance.now() - wallBefore).toFixed(1)}`);
});

test('heartbeats claiming another generation are refused and keep nobody alive (D2)', async (t) => {
  const manager = realManager(t);
  const handle = manager.spawn<FaultWorker>({ name: 'spoof', module: FAULT_WORKER, isolation: 'process' });
  await handle.ready();
  const spoofed = [`{"type":"heartbeat","gen":2,"beat":99999999,"task":"spoofed"}`, `{"type":"task","gen":7,"task":"spoofed"}`];
  await handle.request('raw', { lines: spoofed, repeat: 5 });
  await handle.request('status');
  const snapshot = manager.list()[0]!;
  const { rejected, heartbeats } = snapshot.ipc;
  assert.ok((rejected['stale-generation'] ?? 0) >= 5, 'every spoofed task message refused');
  assert.equal(rejected['non-monotonic'], undefined, 'the spoofed beat 99999999 was never taken (accepted = 0)');
  assert.equal(heartbeats.received, heartbeats.processed + heartbeats.coalesced + (rejected['stale-generation'] ?? 0) - 5);
  assert.notEqual(snapshot.task, 'spoofed');
});

for (const isolation of ['thread', 'process'] as const) {
  test(`${isolation}: malformed messages are counted by reason, never crash either side, pollute nothing (D4)`, async (t) => {
    const manager = realManager(t, PATIENT);
    const exits = collect(manager, 'exit');
    const handle = manager.spawn<FaultWorker>({ name: 'garbage', module: FAULT_WORKER, isolation });
    await handle.ready();
    const lines = [
      'this is not json',
      '{"type":"heartbeat",',
      '{"type":"self-destruct","gen":1}',
      '{"type":"heartbeat","gen":1,"beat":5,"task":null,"__proto__":{"polluted":true}}',
      '{"type":"log","gen":1,"level":"info","msg":"x","fields":{"constructor":{"prototype":{"polluted":true}}}}',
      '{"type":"heartbeat","gen":1,"beat":NaN,"task":null}',
      '{"type":"loop-event","gen":1,"loop":"tick","kind":"deadline-miss","total":-1,"delta":1,"detail":null}',
      '[]',
    ];
    await handle.request('raw', { lines });
    await handle.request('huge', { bytes: 10 * 1024 * 1024 });
    if (isolation === 'thread') await handle.request('rawObject');
    const status = await handle.request('status');
    assert.equal(status.generation, 1);
    const { rejected } = manager.list()[0]!.ipc;
    // three of the lines start like a heartbeat: each is coalesced unparsed or rejected by reason,
    // never acted on; every other line is rejected by its reason
    assert.ok((rejected['invalid-json'] ?? 0) >= 1);
    assert.equal(rejected['unknown-type'], 1);
    assert.ok((rejected['forbidden-key'] ?? 0) >= 1);
    assert.equal(rejected['invalid-message'], 2);
    assert.equal(rejected['too-large'], 1);
    if (isolation === 'thread') assert.equal(rejected['not-text'], 1);
    assert.equal(exits.length, 0);
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
    t.diagnostic(`rejects_by_reason=${JSON.stringify(rejected)}`);
  });

  test(`${isolation}: a worker that closes its control channel and lives on is killed as disconnected, and restarted (D5)`, async (t) => {
    const manager = realManager(t);
    const handle = manager.spawn<FaultWorker>({ name: 'mute', module: FAULT_WORKER, isolation });
    await handle.ready();
    const exited = nextEvent(manager, 'exit');
    await handle.request('closeChannel');
    const closedAt = performance.now();
    const exit = await exited;
    assert.equal(exit.reason, 'disconnected');
    assert.equal(exit.expected, false);
    t.diagnostic(`detect_ms=${(performance.now() - closedAt).toFixed(1)}`);
    await handle.ready();
    assert.equal(handle.generation, 2);
  });
}

test('the worker answers bad requests with typed errors and carries on', async (t) => {
  const manager = realManager(t);
  const handle = manager.spawn<FaultWorker>({ name: 'strict', module: FAULT_WORKER });
  await handle.ready();
  await assert.rejects(handle.request('raw', { lines: 'nope' } as never), { code: 'ERR_TACTUS_INVALID_PAYLOAD' });
  await assert.rejects(manager.get(handle.name)!.request('toString'), { code: 'ERR_TACTUS_UNKNOWN_COMMAND' });
  await assert.rejects(manager.get(handle.name)!.request('__proto__'), { code: 'ERR_TACTUS_UNKNOWN_COMMAND' });
  await assert.rejects(handle.request('raw', { lines: ['x'.repeat(2 * 1024 * 1024)] }), { code: 'ERR_TACTUS_PROTOCOL' });
  assert.equal((await handle.request('status')).generation, 1);
});

/** A request's outcome, and whether it had settled by a given moment. */
function track(request: Promise<unknown>): { settled: boolean; outcome: Promise<{ value?: unknown; error?: { code?: string; message: string } }> } {
  const tracked = {
    settled: false,
    outcome: request.then(
      (value: unknown) => ({ value }),
      (error: { code?: string; message: string }) => ({ error }),
    ),
  };
  void tracked.outcome.then(() => {
    tracked.settled = true;
  });
  return tracked;
}

const BLOB = 'x'.repeat(12 * 1024);
/** 16 KiB messages: the parent queues at most 4 x 16 KiB beyond what the pipe holds. */
const SMALL_MESSAGES = { maxMessageBytes: 16 * 1024, heartbeatMs: 200, killAfterBeats: 100 } as const;

test('process: a worker that stops reading its control channel gets a bounded queue, and further requests are refused at once (D6)', async (t) => {
  const hold = holdFiles(t);
  const manager = realManager(t, SMALL_MESSAGES);
  const exits = collect(manager, 'exit');
  const handle = manager.spawn<FaultWorker>({ name: 'deaf', module: FAULT_WORKER, isolation: 'process' });
  await handle.ready();
  await handle.request('fault', { kind: 'hold', ms: 20_000, until: hold.release });
  await hold.held(); // its only thread is busy: nothing reads the control pipe now
  const sendStart = performance.now();
  const requests = Array.from({ length: 100 }, () => track(handle.request('sink', { blob: BLOB })));
  const sendMs = performance.now() - sendStart;
  await new Promise((resolve) => setTimeout(resolve, 20)); // refusals settle in a microtask; accepted requests wait for the worker
  const refusedAtOnce = requests.filter((r) => r.settled).length;
  const accepted = requests.length - refusedAtOnce;
  hold.letGo();
  const outcomes = await Promise.all(requests.map((r) => r.outcome));
  const answered = outcomes.filter((o) => o.value === BLOB.length).length;
  const refused = outcomes.filter((o) => o.error?.code === 'ERR_TACTUS_PROTOCOL' && o.error.message.includes('backed up')).length;
  assert.equal(answered, accepted, 'every request the channel took was answered once the worker read again');
  assert.equal(refused, refusedAtOnce, 'every other one was refused as backed up, at once');
  assert.ok(accepted >= 1 && refused >= 1, `accepted ${accepted}, refused ${refused}`);
  // bounded by the kernel's socket buffers (a few hundred KiB) plus the parent's own 4 x 16 KiB, whatever is sent
  assert.ok(accepted * BLOB.length <= 512 * 1024, `the queue is bounded: ${accepted} x 12 KiB accepted`);
  assert.equal(await handle.request('sink', { blob: BLOB }), BLOB.length, 'the channel flows again');
  assert.equal(exits.length, 0);
  t.diagnostic(`accepted=${accepted} refused=${refused} queue_max_kib=${(accepted * BLOB.length) / 1024} send_100_ms=${sendMs.toFixed(1)}`);
});

test('process: a worker that keeps reading is never refused as backed up (D6 twin)', async (t) => {
  const manager = realManager(t, SMALL_MESSAGES);
  const handle = manager.spawn<FaultWorker>({ name: 'listening', module: FAULT_WORKER, isolation: 'process' });
  await handle.ready();
  for (let i = 0; i < 100; i++) assert.equal(await handle.request('sink', { blob: BLOB }), BLOB.length);
});
