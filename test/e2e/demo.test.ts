// The main job: `tactus demo` as a child process on a free port prints the dashboard URL and the
// token, serves /status (with every seed's tasks) only with the token, and drains cleanly on
// SIGINT. And the lab rig in-process: run-now over HTTP, jobs flowing, a clean close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { startLabRig } from '../../src/demo/lab-rig.js';

const SEED_TASKS = ['stage.position', 'piezo.control', 'jobs.feeder', 'led.refresh', 'button.sample', 'wifi.check', 'ota.check', 'maintenance.cleanup', 'dashcam.reader', 'dashcam.dispatch'];

test('tactus demo: prints URL and token, serves /status with the token only, drains on SIGINT', { timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'demo', '--port', '0'], {
    env: { ...process.env, TACTUS_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  try {
    while (!/Ctrl-C drains/.test(out)) {
      if (child.exitCode !== null) throw new Error(`the demo exited early:\n${out}`);
      await once(child.stdout, 'data');
    }
    const url = /dashboard\s+(http:\/\/127\.0\.0\.1:\d+\/tactus\/)/.exec(out)?.[1];
    const token = /token\s+([A-Za-z0-9_-]{32})\s/.exec(out)?.[1];
    assert.ok(url !== undefined && token !== undefined, out);
    const status = await fetch(`${url}status`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(status.status, 200);
    const body = (await status.json()) as { scheduler: { state: string; tasks: { name: string }[] }; hud: string; workers: { name: string; category: string }[] };
    assert.equal(body.scheduler.state, 'running');
    assert.match(body.hud, /GPU workers? busy.*CPU workers? busy.*backlog/, 'the monitor HUD (seed 004)');
    assert.deepEqual(body.workers.filter((w) => w.name.startsWith('dashcam.')).map((w) => w.category), ['gpu', 'gpu', 'cpu', 'cpu']);
    const names = body.scheduler.tasks.map((t) => t.name);
    for (const name of SEED_TASKS) assert.ok(names.includes(name), `${name} runs`);
    assert.equal((await fetch(`${url}status`)).status, 401);
    assert.equal((await fetch(url)).status, 200, 'the dashboard shell is public');
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0, out);
    assert.match(out, /draining\.\.\.\nstopped cleanly\./);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('the lab rig in-process: run-now over HTTP is audited, jobs flow, close drains everything', { timeout: 60_000 }, async () => {
  const logs: string[] = [];
  const rig = await startLabRig({ port: 0, token: 'lab-rig-test-token-123456', logStream: { write: (line: string) => logs.push(line) } as unknown as NodeJS.WritableStream });
  try {
    const headers = { authorization: `Bearer ${rig.token}`, 'content-type': 'application/json' };
    const response = await fetch(`${rig.origin}/tactus/tasks/piezo.control/run-now`, { method: 'POST', headers, body: JSON.stringify({ reason: 'demo test' }) });
    assert.equal(response.status, 202);
    assert.ok(logs.some((line) => line.includes('"audit":"run-now"') && line.includes('demo test')), 'the override is in the audit log');
    while (rig.scheduler.summary().completed < 2) await rig.scheduler.sleep(50);
    // Seed 002: the F/T sensor in a thread and the camera in a process, both running and streaming.
    const running = (name: string): boolean => rig.workers.list().some((w) => w.name === name && w.state === 'running');
    while (!running('ft.sensor') || !running('camera')) await rig.scheduler.sleep(50);
    const isolation = Object.fromEntries(rig.workers.list().map((w) => [w.name, w.isolation]));
    assert.deepEqual([isolation['ft.sensor'], isolation['camera']], ['thread', 'process']);
    const status = async () => (await (await fetch(`${rig.origin}/tactus/status`, { headers })).json()) as { telemetry: { dataTopics: string[] } };
    while (!(await status()).telemetry.dataTopics.includes('frame')) await rig.scheduler.sleep(50);
    assert.deepEqual([...(await status()).telemetry.dataTopics].sort(), ['frame', 'ft_sample']);
    const metrics = await (await fetch(`${rig.origin}/metrics`, { headers })).text();
    assert.match(metrics, /tactus_worker_info\{worker="ft\.sensor",category="sensor",isolation="thread"\} 1/);
  } finally {
    await rig.close();
  }
  assert.equal(rig.scheduler.state, 'stopped');
  await rig.close();
});

test('tactus demo refuses a non-loopback address without a configured token', { timeout: 30_000 }, async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'demo', '--host', '0.0.0.0', '--port', '0'], {
    env: { ...process.env, TACTUS_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 1);
  assert.match(err, /ERR_TACTUS_INSECURE_LISTEN/);
});
