import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { InvalidConfigError } from '../../src/errors.js';
import { tactus } from '../../src/http/index.js';
import { WorkerManager } from '../../src/workers/manager.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { FAULT_WORKER } from '../workers/helpers/real.js';
import { AUTH, TOKEN, rig, until } from './helpers.js';

const json = (body: string): any => JSON.parse(body);

test('the plugin decorates app.tactus, starts the scheduler on ready and drains it on close', async () => {
  const { app, scheduler } = await rig();
  assert.equal(scheduler.state, 'created');
  await app.ready();
  assert.equal(app.tactus.scheduler, scheduler);
  assert.equal(app.tactus.prefix, '/tactus');
  assert.equal(scheduler.state, 'running');
  await app.close();
  assert.equal(scheduler.state, 'stopped');
});

test('lifecycle: false leaves starting and stopping to the application', async () => {
  const { app, scheduler } = await rig({ lifecycle: false });
  await app.ready();
  assert.equal(scheduler.state, 'created');
  await app.close();
  assert.equal(scheduler.state, 'created');
});

test('status, tasks and one task read the scheduler', async () => {
  const { app, clock } = await rig();
  await app.ready();
  await clock.advance(100);
  const status = await app.inject({ url: '/tactus/status', headers: AUTH });
  assert.equal(status.statusCode, 200);
  const body = json(status.body);
  assert.equal(body.scheduler.state, 'running');
  assert.deepEqual(body.scheduler.tasks.map((t: any) => t.name).sort(), ['piezo.control', 'stage.position']);
  assert.equal(body.monitor, null);
  assert.deepEqual(body.workers, []);
  const tasks = json((await app.inject({ url: '/tactus/tasks', headers: AUTH })).body);
  assert.equal(tasks.length, 2);
  const one = await app.inject({ url: '/tactus/tasks/piezo.control', headers: AUTH });
  assert.equal(one.statusCode, 200);
  assert.equal(json(one.body).stats.runs, 11);
  await app.close();
});

test('errors are JSON with stable codes: 404 unknown task, 409 cancelled task, 400 bad name', async () => {
  const { app, scheduler, clock } = await rig();
  scheduler.schedulePeriodic({ name: 'fragile', periodMs: 10, onError: 'stop' }, () => {
    throw new Error('driver fault');
  });
  await app.ready();
  const unknown = await app.inject({ method: 'POST', url: '/tactus/tasks/nope/run-now', headers: AUTH, payload: { reason: 'test' } });
  assert.equal(unknown.statusCode, 404);
  assert.deepEqual(json(unknown.body), { statusCode: 404, code: 'ERR_TACTUS_UNKNOWN_TASK', error: 'Not Found', message: 'no task named "nope"' });
  assert.equal(json((await app.inject({ url: '/tactus/tasks/nope', headers: AUTH })).body).code, 'ERR_TACTUS_UNKNOWN_TASK');
  await clock.advance(1);
  assert.equal(scheduler.get('fragile').state, 'failed');
  const cancelled = await app.inject({ method: 'POST', url: '/tactus/tasks/fragile/run-now', headers: AUTH, payload: { reason: 'test' } });
  assert.equal(cancelled.statusCode, 409);
  assert.equal(json(cancelled.body).code, 'ERR_TACTUS_TASK_CANCELLED');
  // Names over Fastify's maxParamLength (100 by default) are refused by the router itself with 414.
  assert.equal((await app.inject({ url: `/tactus/tasks/${'x'.repeat(201)}`, headers: AUTH })).statusCode, 414);
  for (const name of ['__proto__', 'constructor', '-x', 'a%20b', 'a%2Fb']) {
    const bad = await app.inject({ url: `/tactus/tasks/${name}`, headers: AUTH });
    assert.equal(bad.statusCode, 400, name);
    assert.equal(json(bad.body).code, 'ERR_TACTUS_BAD_REQUEST');
  }
  const unknownQuery = await app.inject({ url: '/tactus/status?verbose=1', headers: AUTH });
  assert.equal(unknownQuery.statusCode, 400);
  assert.equal(json(unknownQuery.body).code, 'ERR_TACTUS_BAD_REQUEST');
  const unknownRoute = await app.inject({ url: '/tactus/nothing/here', headers: AUTH });
  assert.equal(unknownRoute.statusCode, 404);
  assert.equal(json(unknownRoute.body).code, 'ERR_TACTUS_NOT_FOUND');
  await app.close();
});

test('bad bodies are refused: 400 for a missing, empty, mistyped or extra field and bad JSON, 413 oversized, 415 not JSON', async () => {
  const { app, scheduler } = await rig();
  await app.ready();
  const overrides: unknown[] = [];
  scheduler.on('safety-override', (e) => overrides.push(e));
  const post = (payload: string, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/tactus/tasks/piezo.control/run-now', headers: { ...AUTH, 'content-type': contentType }, payload });
  for (const payload of ['{}', '{"reason":""}', '{"reason":"   "}', '{"reason":42}', '{"reason":"x","principal":"root"}', '{"reason":', '[]', 'null']) {
    const response = await post(payload);
    assert.equal(response.statusCode, 400, payload);
    assert.equal(json(response.body).code, 'ERR_TACTUS_BAD_REQUEST', payload);
  }
  const tooLarge = await post(JSON.stringify({ reason: 'x'.repeat(5000) }));
  assert.equal(tooLarge.statusCode, 413);
  assert.equal(json(tooLarge.body).code, 'ERR_TACTUS_BODY_TOO_LARGE');
  const notJson = await post('reason=x', 'application/x-www-form-urlencoded');
  assert.equal(notJson.statusCode, 415);
  assert.equal(json(notJson.body).code, 'ERR_TACTUS_UNSUPPORTED_MEDIA_TYPE');
  assert.equal(overrides.length, 0, 'no refused request reached the scheduler');
  await app.close();
});

test('run-now is audited: the principal and reason reach the log, the response and the safety-override event', async () => {
  const { app, scheduler, logs } = await rig({ auth: { token: TOKEN, principal: 'alice' } });
  await app.ready();
  const overrides: any[] = [];
  scheduler.on('safety-override', (e) => overrides.push(e));
  const response = await app.inject({ method: 'POST', url: '/tactus/tasks/piezo.control/run-now', headers: AUTH, payload: { reason: 'e-stop drill' } });
  assert.equal(response.statusCode, 202);
  assert.deepEqual(json(response.body), { name: 'piezo.control', accepted: true, coalesced: false, principal: 'alice@127.0.0.1', reason: 'e-stop drill' });
  assert.equal(overrides.length, 1);
  assert.equal(overrides[0].principal, 'alice@127.0.0.1');
  assert.equal(overrides[0].reason, 'e-stop drill');
  const audit = logs.find((line) => line['audit'] === 'run-now');
  assert.ok(audit, 'an audit record is logged');
  assert.equal(audit['target'], 'piezo.control');
  assert.equal(audit['reason'], 'e-stop drill');
  assert.equal(audit['principal'], 'alice@127.0.0.1');
  assert.equal(JSON.stringify(logs).includes(TOKEN), false, 'the token is never logged');
  await app.close();
});

test('run-now is rate-limited per client; other routes are not', async () => {
  const { app } = await rig({ runNow: { max: 2, timeWindowMs: 60_000 } });
  await app.ready();
  const codes: number[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await app.inject({ method: 'POST', url: '/tactus/tasks/piezo.control/run-now', headers: AUTH, payload: { reason: `drill ${i}` } });
    codes.push(r.statusCode);
    if (r.statusCode === 429) assert.equal(json(r.body).code, 'ERR_TACTUS_RATE_LIMITED');
  }
  assert.deepEqual(codes, [202, 202, 429, 429]);
  for (let i = 0; i < 4; i++) assert.equal((await app.inject({ method: 'POST', url: '/tactus/tasks/piezo.control/pause', headers: AUTH })).statusCode, 200);
  await app.close();
});

test('pause and resume steer the task', async () => {
  const { app, scheduler } = await rig();
  await app.ready();
  const paused = await app.inject({ method: 'POST', url: '/tactus/tasks/stage.position/pause', headers: AUTH, payload: { reason: 'maintenance' } });
  assert.equal(paused.statusCode, 200);
  assert.deepEqual(json(paused.body), { name: 'stage.position', state: 'paused' });
  assert.equal(scheduler.get('stage.position').state, 'paused');
  const resumed = await app.inject({ method: 'POST', url: '/tactus/tasks/stage.position/resume', headers: AUTH });
  assert.equal(json(resumed.body).state, 'scheduled');
  await app.close();
});

test('read-only mode refuses every control route with 403 and still serves reads', async () => {
  const { app, scheduler } = await rig({ readOnly: true });
  await app.ready();
  for (const url of ['/tactus/tasks/piezo.control/run-now', '/tactus/tasks/piezo.control/pause', '/tactus/tasks/piezo.control/resume', '/tactus/workers/cam/restart', '/tactus/workers/cam/reset-degraded']) {
    const r = await app.inject({ method: 'POST', url, headers: AUTH, payload: { reason: 'x' } });
    assert.equal(r.statusCode, 403, url);
    assert.equal(json(r.body).code, 'ERR_TACTUS_READ_ONLY');
  }
  assert.equal(scheduler.get('piezo.control').state, 'scheduled');
  assert.equal((await app.inject({ url: '/tactus/status', headers: AUTH })).statusCode, 200);
  assert.equal(json((await app.inject({ url: '/tactus/status', headers: AUTH })).body).readOnly, true);
  await app.close();
});

test('a browser request from a foreign Origin is refused; the served loopback origin is allowed', async () => {
  const { app } = await rig({ auth: { token: TOKEN, allowedOrigins: ['https://ops.example.com'] } });
  await app.ready();
  const foreign = await app.inject({ method: 'POST', url: '/tactus/tasks/piezo.control/pause', headers: { ...AUTH, origin: 'http://evil.example' } });
  assert.equal(foreign.statusCode, 403);
  assert.equal(json(foreign.body).code, 'ERR_TACTUS_FORBIDDEN_ORIGIN');
  const allowed = await app.inject({ url: '/tactus/status', headers: { ...AUTH, origin: 'https://ops.example.com' } });
  assert.equal(allowed.statusCode, 200);
  const noOrigin = await app.inject({ url: '/tactus/status', headers: AUTH });
  assert.equal(noOrigin.statusCode, 200);
  await app.close();
});

test('a restart whose fresh generation does not come up is answered after restartReplyWithinMs, as still in progress (twin: the restart below)', async () => {
  const workers = new WorkerManager();
  workers.spawn({ name: 'broken', module: FAULT_WORKER, config: { mode: 'crash-on-start' } });
  const { app } = await rig({ workers, restartReplyWithinMs: 300 });
  await app.ready();
  const reply = await app.inject({ method: 'POST', url: '/tactus/workers/broken/restart', headers: AUTH, payload: { reason: 'retry' } });
  assert.equal(reply.statusCode, 200);
  assert.equal(json(reply.body).inProgress, true);
  assert.notEqual(json(reply.body).worker.state, 'running');
  await app.close();
});

test('worker routes list, restart and reset-degraded a real worker thread; unknown workers are 404; close drains the manager', async () => {
  const workers = new WorkerManager();
  workers.spawn({ name: 'ft.sensor', module: new URL('./fixtures/sensor-worker.js', import.meta.url), isolation: 'thread', timing: 'wait' });
  const { app } = await rig({ workers, restartReplyWithinMs: 60_000 });
  await app.ready();
  await until(() => workers.list()[0]?.state === 'running', 10_000, 'the worker to run');
  const list = json((await app.inject({ url: '/tactus/workers', headers: AUTH })).body);
  assert.equal(list[0].name, 'ft.sensor');
  assert.equal(list[0].isolation, 'thread');
  assert.equal(list[0].generation, 1);
  const restarted = await app.inject({ method: 'POST', url: '/tactus/workers/ft.sensor/restart', headers: AUTH, payload: { reason: 'driver update' } });
  assert.equal(restarted.statusCode, 200);
  assert.equal(json(restarted.body).name, 'ft.sensor');
  assert.equal(json(restarted.body).inProgress, false, 'answered once the fresh generation runs');
  assert.deepEqual([json(restarted.body).worker.generation, json(restarted.body).worker.state], [2, 'running']);
  const reset = await app.inject({ method: 'POST', url: '/tactus/workers/ft.sensor/reset-degraded', headers: AUTH });
  assert.equal(reset.statusCode, 200, 'a no-op on a healthy worker');
  const unknown = await app.inject({ method: 'POST', url: '/tactus/workers/gripper/restart', headers: AUTH });
  assert.equal(unknown.statusCode, 404);
  assert.equal(json(unknown.body).code, 'ERR_TACTUS_UNKNOWN_WORKER');
  await app.close();
  assert.equal(workers.state, 'stopped', 'onClose drains the workers');
});

test('GET /metrics by default scrapes tactus metrics from a registry of its own; metrics: false removes the route', async () => {
  const { app, clock } = await rig();
  await app.ready();
  await clock.advance(50);
  const r = await app.inject({ url: '/metrics', headers: AUTH });
  assert.equal(r.statusCode, 200);
  assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  assert.match(r.body, /^tactus_task_runs_total\{task="piezo\.control"\} 6$/m);
  assert.equal(app.tactus.metrics !== undefined, true);
  await app.close();
  const off = await rig({ metrics: false });
  await off.app.ready();
  assert.equal((await off.app.inject({ url: '/metrics', headers: AUTH })).statusCode, 404);
  assert.equal(off.app.tactus.metrics, undefined);
  await off.app.close();
});

test('GET /metrics renders a given registry with its content type', async () => {
  const metrics = { contentType: 'text/plain; version=0.0.4; charset=utf-8', metrics: async () => '# HELP x y\nx 1\n' };
  const { app } = await rig({ metrics });
  await app.ready();
  const r = await app.inject({ url: '/metrics', headers: AUTH });
  assert.equal(r.statusCode, 200);
  assert.equal(r.headers['content-type'], metrics.contentType);
  assert.equal(r.body, '# HELP x y\nx 1\n');
  await app.close();
});

test('bad options fail registration with InvalidConfigError naming the field and the value', async () => {
  const cases: [unknown, RegExp][] = [
    [{ auth: { token: 'short' } }, /auth\.token.*"short"/],
    [{ auth: { token: TOKEN }, prefix: 'tactus' }, /prefix/],
    [{ auth: { token: TOKEN }, telemetry: { maxClients: 0 } }, /telemetry\.maxClients.*0/],
    [{ auth: { token: TOKEN }, scheduler: {} }, /scheduler/],
    [{}, /auth/],
  ];
  for (const [options, message] of cases) {
    const app = Fastify();
    app.register(tactus, { scheduler: new Scheduler(), ...(options as object) } as never);
    await assert.rejects(async () => {
      await app.ready();
    }, (error: unknown) => error instanceof InvalidConfigError && message.test(error.message), String(message));
    await app.close();
  }
});
